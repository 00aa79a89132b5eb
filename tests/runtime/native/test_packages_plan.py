"""The lock handling of pinnace._packages, natively: import names, resolution with close-name
hints, the install plan (dependency closure, dependencies first, installed ones left out),
verification against the lock's sha256 and an extraction that leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pinnace import _packages

from support.native_runtime import LoaderStandIn, lock_of

Runtime = Callable[[dict[str, Any]], LoaderStandIn]

LOCK = lock_of(
    {"name": "numpy", "version": "2.4.6"},
    {"name": "scikit-learn", "version": "1.9.1", "imports": ["sklearn"],
     "depends": ["numpy", "scipy", "joblib"]},
    {"name": "scipy", "version": "1.18.1", "depends": ["numpy"]},
    {"name": "joblib", "version": "1.5.0"},
    {"name": "_decimal", "version": "3.13.5", "imports": ["_decimal"], "imported_by": ["decimal"]},
)  # fmt: skip


def wheel(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_import_map_and_prescan(native_runtime: Runtime) -> None:
    native_runtime(LOCK)
    assert _packages.import_map()["sklearn"] == "scikit-learn"
    assert "decimal" not in _packages.import_map()
    assert _packages.import_map(prescan=True)["decimal"] == "_decimal"


def test_resolve_by_package_import_or_canonical_name(native_runtime: Runtime) -> None:
    native_runtime(LOCK)
    assert _packages.resolve("sklearn") == "scikit-learn"
    assert _packages.resolve("Scikit_Learn") == "scikit-learn"
    with pytest.raises(_packages.PackageError, match="no package 'scipi'.*close names: scipy"):
        _packages.resolve("scipi")


def test_plan_is_the_closure_dependencies_first(native_runtime: Runtime) -> None:
    native_runtime(LOCK)
    names = [e["name"] for e in _packages.plan(["sklearn"])]
    assert sorted(names) == ["joblib", "numpy", "scikit-learn", "scipy"]
    assert names.index("numpy") < names.index("scipy") < names.index("scikit-learn")
    assert names[-1] == "scikit-learn"


def test_plan_leaves_out_what_is_installed(native_runtime: Runtime, tmp_path: Path) -> None:
    native_runtime(LOCK)
    (tmp_path / "site-packages" / "numpy-2.4.6.dist-info").mkdir()
    _packages.installed.add("joblib")
    assert [e["name"] for e in _packages.plan(["scikit-learn"])] == ["scipy", "scikit-learn"]


def test_install_file_verifies_and_extracts(native_runtime: Runtime, tmp_path: Path) -> None:
    data = wheel({"joblib/__init__.py": "X = 1\n", "joblib-1.5.0.dist-info/METADATA": ""})
    lock = lock_of({"name": "joblib", "version": "1.5.0",
                    "sha256": hashlib.sha256(data).hexdigest()})  # fmt: skip
    native_runtime(lock)
    download = tmp_path / "joblib.whl"
    download.write_bytes(data)
    assert _packages.install_file(lock["packages"]["joblib"], str(download), "u") == []
    assert (tmp_path / "site-packages" / "joblib" / "__init__.py").read_text() == "X = 1\n"
    assert not download.exists()  # the download is consumed
    assert _packages.is_installed("joblib")


def test_wrong_hash_installs_nothing(native_runtime: Runtime, tmp_path: Path) -> None:
    lock = lock_of({"name": "joblib", "version": "1.5.0", "sha256": "0" * 64})
    native_runtime(lock)
    download = tmp_path / "joblib.whl"
    download.write_bytes(wheel({"joblib/__init__.py": ""}))
    with pytest.raises(_packages.PackageError, match="joblib: http://x/j.whl has sha256 .*refusing"):
        _packages.install_file(lock["packages"]["joblib"], str(download), "http://x/j.whl")
    assert list((tmp_path / "site-packages").iterdir()) == []
    assert not _packages.is_installed("joblib")


def _batch(tmp_path: Path, files: dict[str, bytes], sha: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A lock of ``files`` ("top" depends on "dep") and the loader's list of their downloads."""
    lock = lock_of(*({"name": n, "version": "1.0", "sha256": sha.get(n, hashlib.sha256(d).hexdigest()),
                      "depends": ["dep"] if n == "top" else []} for n, d in files.items()))  # fmt: skip
    fetched = []
    for n, d in files.items():
        (tmp_path / f"{n}.whl").write_bytes(d)
        fetched.append({"name": n, "path": str(tmp_path / f"{n}.whl"), "url": f"http://x/{n}.whl"})
    return lock, fetched


def test_a_batch_with_a_wrong_hash_installs_none_of_it(native_runtime: Runtime, tmp_path: Path) -> None:
    """Every file is checked before any is installed: the dependencies fetched with a package
    whose file is corrupt are not installed either."""
    files = {"dep": wheel({"dep/__init__.py": ""}), "top": wheel({"top/__init__.py": ""})}
    lock, fetched = _batch(tmp_path, files, {"top": "0" * 64})
    native_runtime(lock)
    with pytest.raises(_packages.PackageError, match="package top: http://x/top.whl has sha256"):
        _packages.install_fetched(fetched)
    assert list((tmp_path / "site-packages").iterdir()) == []
    assert not _packages.is_installed("dep") and not any(Path(f["path"]).exists() for f in fetched)


def test_a_batch_that_fails_part_way_is_rolled_back(native_runtime: Runtime, tmp_path: Path) -> None:
    """A file that matches the lock but does not unpack (a broken lock) comes after its
    dependency was installed: that dependency is removed again."""
    files = {"dep": wheel({"dep/__init__.py": "", "dep-1.0.dist-info/METADATA": ""}),
             "top": b"PK\x03\x04 not a zip"}  # fmt: skip
    lock, fetched = _batch(tmp_path, files, {})
    native_runtime(lock)
    with pytest.raises(_packages.PackageError, match="package top: http://x/top.whl is not a valid wheel"):
        _packages.install_fetched(fetched)
    assert list((tmp_path / "site-packages").iterdir()) == []
    assert not _packages.is_installed("dep")
    assert [e["name"] for e in _packages.plan(["top"])] == ["dep", "top"]  # both fetched again


def test_clash_rolls_back_the_whole_wheel(native_runtime: Runtime, tmp_path: Path) -> None:
    native_runtime(LOCK)
    site = tmp_path / "site-packages"
    (site / "zzz").mkdir()  # extracted last: the clash comes after "aaa" was moved in
    data = wheel({"aaa/__init__.py": "", "zzz/__init__.py": ""})
    with pytest.raises(_packages.PackageError, match="zzz already exists"):
        _packages.extract_wheel("two", data, "u")
    assert sorted(p.name for p in site.iterdir()) == ["zzz"]


def test_bytecode_of_top_level_modules_shares_one_pycache(native_runtime: Runtime,
                                                         tmp_path: Path) -> None:
    """Wheels with bytecode (build/pinnace_build/bytecode.py) carry `__pycache__/six.cpython-
    313.pyc` for a top-level `six.py`: a second such wheel adds its files to the `__pycache__`
    the first made, a file that is there already is refused, and a rollback removes only the
    files the failed wheel added."""
    native_runtime(LOCK)
    site = tmp_path / "site-packages"
    _packages.extract_wheel("six", wheel({"six.py": "", "__pycache__/six.cpython-313.pyc": "a"}), "u")
    created = _packages.extract_wheel(
        "pylab", wheel({"pylab.py": "", "__pycache__/pylab.cpython-313.pyc": "b"}), "u")
    assert created == [str(site / "__pycache__/pylab.cpython-313.pyc"), str(site / "pylab.py")]
    assert sorted(p.name for p in (site / "__pycache__").iterdir()) == [
        "pylab.cpython-313.pyc", "six.cpython-313.pyc"]
    clash = wheel({"__pycache__/new.cpython-313.pyc": "c", "__pycache__/six.cpython-313.pyc": "d",
                   "new.py": ""})  # fmt: skip
    with pytest.raises(_packages.PackageError, match="__pycache__/six.cpython-313.pyc already exists"):
        _packages.extract_wheel("clash", clash, "u")
    assert sorted(p.name for p in (site / "__pycache__").iterdir()) == [
        "pylab.cpython-313.pyc", "six.cpython-313.pyc"]
    assert (site / "__pycache__/six.cpython-313.pyc").read_text() == "a"
    assert not (site / "new.py").exists()


def test_corrupt_wheel_is_named(native_runtime: Runtime) -> None:
    native_runtime(LOCK)
    with pytest.raises(_packages.PackageError, match="package bad: u is not a valid wheel"):
        _packages.extract_wheel("bad", b"PK\x03\x04 not a zip", "u")


def test_ensure_fetches_through_the_loader(native_runtime: Runtime, tmp_path: Path) -> None:
    data = wheel({"joblib/__init__.py": ""})
    lock = lock_of({"name": "joblib", "version": "1.5.0",
                    "sha256": hashlib.sha256(data).hexdigest()})  # fmt: skip
    loader = native_runtime(lock)
    loader.files["joblib"] = data
    assert _packages.ensure(["joblib"])
    assert [op for op, _ in loader.calls] == ["lock", "fetch"]
    assert loader.calls[1] == ("fetch", ["joblib"])
    assert _packages.plan(["joblib"]) == []
