"""Recipes with host requirements, shared-library and static-library recipes
(build/pinnace_build/recipes.py, hostprefix.py, lockfile.py): what the builder reads from them
and writes for them, natively."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pinnace_build import hostprefix, lockfile, recipes
from support.pkgdist import make_wheel


def write_recipe(root: Path, name: str, body: str) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "meta.yaml").write_text(f"package: {{name: {name}, version: '1.0'}}\n" + body)
    return d


SDIST = "source: {url: https://example.invalid/x-1.0.tar.gz, sha256: '00'}\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "recipes"
    write_recipe(root, "libfoo", SDIST + "build: {type: shared_library, script: 'true'}\n")
    write_recipe(root, "base", SDIST)
    write_recipe(root, "app", SDIST + "requirements: {host: [base, libfoo], run: [base, libfoo]}\n")
    write_recipe(root, "tool", SDIST + "requirements: {host: [libfoo]}\n")
    return root


def test_shared_library_recipe(tree: Path) -> None:
    r = recipes.load_all(tree)
    assert r["libfoo"].is_shared_library and r["libfoo"].package_type == "shared_library"
    assert r["libfoo"].imports == ()  # no Python module to import
    assert not r["app"].is_shared_library and r["app"].imports == ("app",)
    assert r["app"].host_depends == ("base", "libfoo")
    assert r["app"].build_depends == ("base", "libfoo")  # run + host, each once


def test_host_requirements_are_built_first(tree: Path) -> None:
    r = recipes.load_all(tree)
    # `tool` needs libfoo only to build (not at run time): still built before it
    assert [x.name for x in recipes.closure(r, ["tool"])] == ["libfoo", "tool"]
    assert [x.name for x in recipes.closure(r, ["app"])] == ["base", "libfoo", "app"]
    assert r["tool"].depends == ()  # and it is no run-time dependency in the lock


def test_static_library_recipe(tmp_path: Path) -> None:
    root = tmp_path / "recipes"
    write_recipe(root, "libbar", SDIST + "build: {type: static_library, script: 'true'}\n")
    write_recipe(root, "user", SDIST + "requirements: {host: [libbar]}\n")
    r = recipes.load_all(root)
    bar = r["libbar"]
    assert bar.is_static_library and bar.is_library and not bar.is_shared_library
    assert bar.imports == ()  # nothing to import, and no lock entry (packages.build skips it)
    assert [x.name for x in recipes.closure(r, ["user"])] == ["libbar", "user"]
    assert r["user"].depends == ()  # linked in: no run-time dependency
    # its artifact is the prefix its script installed, staged for the packages built against it
    built = tmp_path / "pkg-libbar" / hostprefix.PREFIX_DIR
    (built / "lib" / "pkgconfig").mkdir(parents=True)
    (built / "lib" / "libbar.a").write_bytes(b"!<arch>\n")
    (built / "lib" / "pkgconfig" / "bar.pc").write_text("prefix=${pcfiledir}/../..\n")
    cross = tmp_path / "cross"
    cross.mkdir()
    prefix = tmp_path / "work" / ".libs"
    hostprefix.stage(prefix, [(bar, built)], cross)
    assert (prefix / "lib" / "libbar.a").read_bytes() == b"!<arch>\n"
    assert (prefix / "lib" / "pkgconfig" / "bar.pc").exists()


def test_unknown_build_type_and_host_dependency_are_refused(tmp_path: Path) -> None:
    write_recipe(tmp_path, "odd", SDIST + "build: {type: cpython_module}\n")
    with pytest.raises(recipes.RecipeError, match="build.type 'cpython_module'"):
        recipes.load(tmp_path / "odd")
    root = tmp_path / "r2"
    write_recipe(root, "app", SDIST + "requirements: {host: [nothere]}\n")
    with pytest.raises(recipes.RecipeError, match="depends on 'nothere'"):
        recipes.load_all(root)


def test_lock_entry_of_a_shared_library(tree: Path, tmp_path: Path) -> None:
    r = recipes.load_all(tree)
    z = tmp_path / "libfoo-1.0.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("libfoo.so", b"\0asm")
    e = lockfile.entry(r["libfoo"], z)
    assert (e["package_type"], e["install_dir"], e["file_name"]) == (
        "shared_library", "dynlib", "libfoo-1.0.zip")  # fmt: skip
    assert e["shared_libraries"] == ["libfoo.so"] and e["imports"] == []
    wheel = make_wheel(tmp_path, "app", "1.0", {"app/__init__.py": ""})
    app = lockfile.entry(r["app"], wheel)
    assert (app["package_type"], app["install_dir"]) == ("package", "site")
    assert app["depends"] == ["base", "libfoo"]


def test_host_prefix(tree: Path, tmp_path: Path) -> None:
    r = recipes.load_all(tree)
    # a built shared library: its zip, and beside it the prefix its script installed
    step = tmp_path / "pkg-libfoo"
    (step / "prefix" / "include").mkdir(parents=True)
    (step / "prefix" / "include" / "foo.h").write_text("void foo(void);\n")
    (step / "libfoo-1.0.zip").write_bytes(b"")
    wheel = make_wheel(tmp_path, "base", "1.0", {"base/include/base.h": "int base;\n"})
    cross = tmp_path / "cross"
    cross.mkdir()
    (cross / "emscripten").write_text("[host_machine]\n")
    prefix = tmp_path / "work" / ".libs"
    hostprefix.stage(prefix, [(r["base"], wheel), (r["libfoo"], step / "libfoo-1.0.zip")], cross)
    assert (prefix / "include" / "foo.h").read_text() == "void foo(void);\n"
    assert (prefix / hostprefix.SITE_PACKAGES / "base" / "include" / "base.h").exists()
    assert (prefix / "share" / "meson" / "cross" / "emscripten").exists()
    assert not (prefix / "share" / "meson" / "cross" / hostprefix.NUMPY_CROSS_FILE).exists()


def test_host_prefix_names_the_wasm_numpy_headers_in_a_cross_file(tree: Path, tmp_path: Path) -> None:
    """With numpy under requirements.host, meson builds get the wasm numpy's include directory
    (its _numpyconfig.h says long is 4 bytes) from the cross file `pinnace-numpy`."""
    r = recipes.load_all(tree)
    wheel = make_wheel(tmp_path, "base", "1.0",
                       {"numpy/_core/include/numpy/_numpyconfig.h": "#define NPY_SIZEOF_LONG 4\n"})  # fmt: skip
    cross = tmp_path / "cross"
    cross.mkdir()
    prefix = tmp_path / "work" / ".libs"
    hostprefix.stage(prefix, [(r["base"], wheel)], cross)
    include = prefix / hostprefix.SITE_PACKAGES / "numpy" / "_core" / "include"
    text = (prefix / "share" / "meson" / "cross" / hostprefix.NUMPY_CROSS_FILE).read_text()
    assert text == f"[properties]\nnumpy-include-dir = '{include}'\n"


def test_disabled_recipes_build_only_when_named(tree: Path) -> None:
    write_recipe(tree, "wip", SDIST + "requirements: {host: [libfoo]}\n")
    meta = tree / "wip" / "meta.yaml"
    meta.write_text(meta.read_text().replace("version: '1.0'}", "version: '1.0', _disabled: true}"))
    r = recipes.load_all(tree)
    assert r["wip"].disabled and "wip" not in recipes.default_set(r)
    assert recipes.default_set(r) == ["app", "base", "libfoo", "tool"]
    assert [x.name for x in recipes.closure(r, ["wip"])] == ["libfoo", "wip"]


def test_a_version_yaml_reads_as_a_number_is_refused(tmp_path: Path) -> None:
    # `version: 3.20` is the float 3.2 to YAML: the lock would name a version the wheel is not
    d = tmp_path / "idna"
    d.mkdir()
    (d / "meta.yaml").write_text("package: {name: idna, version: 3.20}\n" + SDIST)
    with pytest.raises(recipes.RecipeError, match=r"package.version 3.2 is not a string: quote it"):
        recipes.load(d)


def test_every_recipe_loads() -> None:
    assert "scipy" in recipes.load_all()  # the repository's recipes, versions quoted where needed
