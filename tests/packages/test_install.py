"""``await pinnace.install(...)`` under node, from a PEP 503/691 index served by the test."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import Node
from support.pkgdist import make_wheel


class Index:
    """A package index on disk: files/ holds wheels, simple/<name>/index.html lists them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "files").mkdir(parents=True)

    def wheel(self, name: str, version: str, files: dict[str, str],
              requires: list[str] | None = None, tag: str = "py3-none-any") -> Path:  # fmt: skip
        return make_wheel(self.root / "files", name, version, files, requires, tag)

    def page(self, name: str, wheels: list[Path], *, json_api: bool = False,
             sha: dict[str, str] | None = None) -> None:  # fmt: skip
        """The project page; ``sha`` overrides a file's advertised sha256 (a lying index)."""
        d = self.root / "simple" / name
        d.mkdir(parents=True, exist_ok=True)
        digests = {w.name: hashlib.sha256(w.read_bytes()).hexdigest() for w in wheels}
        digests.update(sha or {})
        if json_api:  # PEP 691 (served as index.html: the installer reads the body)
            files = [{"filename": w.name, "url": f"../../files/{w.name}",
                      "hashes": {"sha256": digests[w.name]}} for w in wheels]  # fmt: skip
            (d / "index.html").write_text(json.dumps({"meta": {"api-version": "1.0"},
                                                      "name": name, "files": files}))  # fmt: skip
        else:
            links = "".join(f'<a href="../../files/{w.name}#sha256={digests[w.name]}">{w.name}</a>\n'
                            for w in wheels)  # fmt: skip
            (d / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[Index, str]]:
    idx = Index(tmp_path / "index")
    srv = StaticServer(idx.root, port=0).start()
    try:
        yield idx, srv.url + "simple/"
    finally:
        srv.stop()


def run(node: Node, dist: Path, url: str, body: str, *, force_async: bool = False) -> list[str]:
    out = node.run(
        f"const url = {url!r};\n"
        f"const py = await loadPinnace({{ indexURL: {str(dist)!r}, packageCacheDir: null }});\n"
        # the browser main thread's way: every fetch is awaited through runPythonAsync's driver
        + ("py._packages.syncMode = () => 'test: asynchronous';\n" if force_async else "")
        + body
    )
    return out.strip().splitlines()


def build_alpha_beta(idx: Index) -> None:
    a = idx.wheel("alpha", "1.0", {"alpha/__init__.py": "import beta\ndef f():\n    return beta.X + 1\n"},
                  requires=["beta>=1.0", "attrs", "gamma; extra == 'x'",
                            "delta; python_version < '3'"])  # fmt: skip
    # a newer alpha that cannot run here: skipped for the compatible one
    a2 = idx.wheel(
        "alpha", "2.0", {"alpha/__init__.py": ""}, tag="cp313-cp313-manylinux_2_17_x86_64"
    )
    idx.page("alpha", [a, a2])
    b10 = idx.wheel("beta", "1.0", {"beta.py": "X = 10\n"})
    b11 = idx.wheel("beta", "1.1", {"beta.py": "X = 41\n"})
    idx.page("beta", [b10, b11], json_api=True)


@pytest.mark.parametrize("force_async", [False, True], ids=["sync", "awaited"])
def test_install_resolves_dependencies_from_the_index_and_the_lock(
    node: Node, dist: Path, index: tuple[Index, str], force_async: bool
) -> None:
    idx, url = index
    build_alpha_beta(idx)
    lines = run(node, dist, url, """
        const r = await py.runPythonAsync(
          "import pinnace, sys\\n" +
          "got = await pinnace.install('alpha', index_urls=" + JSON.stringify(url) + ")\\n" +
          "import alpha, importlib.metadata as md\\n" +
          "(sorted(got), alpha.f(), md.version('beta'), md.version('attrs'), 'gamma' in sys.modules)");
        console.log(String(r));
        """, force_async=force_async)  # fmt: skip
    assert lines[-1] == "(['alpha-1.0', 'attrs', 'beta-1.1'], 42, '1.1', '26.1.0', False)"


def test_install_a_direct_wheel_url(node: Node, dist: Path, index: tuple[Index, str]) -> None:
    idx, url = index
    w = idx.wheel("solo", "0.3", {"solo.py": "NAME = 'solo'\n"})
    digest = hashlib.sha256(w.read_bytes()).hexdigest()
    wheel_url = url.replace("simple/", f"files/{w.name}#sha256={digest}")
    lines = run(node, dist, url, f"""
        console.log(String(await py.runPythonAsync("import pinnace; r = await pinnace.install({wheel_url!r}); import solo; (r, solo.NAME)")));
        console.log(String(await py.runPythonAsync("await pinnace.install('solo')")));
        """)  # fmt: skip
    assert lines == ["(['solo-0.3'], 'solo')", "[]"]  # the second: already installed


def test_install_errors_name_the_package_and_url_and_install_nothing(
    node: Node, dist: Path, index: tuple[Index, str]
) -> None:
    idx, url = index
    build_alpha_beta(idx)
    idx.page(
        "linux",
        [idx.wheel("linux", "1.0", {"linux.py": ""}, tag="cp313-cp313-manylinux_2_17_x86_64")],
    )
    good = idx.wheel("liar", "1.0", {"liar.py": "OK = True\n"})
    idx.page("liar", [good])
    fixed = (idx.root / "simple/liar/index.html").read_text()
    idx.page("liar", [good], sha={good.name: "0" * 64})
    # omega needs beta (fine) and liar (bad hash): neither may stay installed
    idx.page("omega", [idx.wheel("omega", "1.0", {"omega.py": ""}, requires=["beta", "liar"])])
    lines = run(node, dist, url, """
        const attempt = async (req) => {
          try {
            await py.runPythonAsync(`import pinnace\\nawait pinnace.install(${JSON.stringify(req)}, index_urls=${JSON.stringify(url)})`);
            console.log("installed", req);
          } catch (e) { console.log(e.type + ": " + e.message.trim().split("\\n").pop()); }
        };
        for (const req of ["nosuch", "linux", "omega", "beta>=5"]) await attempt(req);
        console.log(String(py.runPython("import importlib.util as u; [n for n in ('beta', 'liar', 'omega') if u.find_spec(n)]")));
        // the index is fixed: the same runtime installs it
        (await import("node:fs")).writeFileSync(FIXED_PAGE, FIXED_HTML);
        await attempt("omega");
        """.replace("FIXED_PAGE", repr(str(idx.root / "simple/liar/index.html")))
        .replace("FIXED_HTML", repr(fixed)))  # fmt: skip
    files = url.replace("simple/", "files/")
    assert lines[0] == (f"PackageError: pinnace.PackageError: package nosuch (requested): not found in the lock file nor at {url}nosuch/")  # fmt: skip
    assert lines[1].startswith(f"PackageError: pinnace.PackageError: package linux (requested): no wheel at {url}linux/ satisfies linux and runs here")  # fmt: skip
    assert lines[1].endswith("versions there: 1.0")
    assert lines[2].startswith(f"PackageError: pinnace.PackageError: package liar: {files}liar-1.0-py3-none-any.whl has sha256 ")  # fmt: skip
    assert lines[2].endswith(f"but the index says {'0' * 64} (N bytes received); refusing to install it".replace("N", str(good.stat().st_size)))  # fmt: skip
    assert lines[3].startswith(f"PackageError: pinnace.PackageError: package beta (requested): no wheel at {url}beta/ satisfies beta>=5")  # fmt: skip
    assert lines[4] == "[]"
    assert lines[5] == "installed omega"
