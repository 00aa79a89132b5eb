"""Packages under node: lazy per-import fetching, loadPackage, verification, bad input, cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.hosts import Node
from support.pkgdist import INNER, OUTER, PkgDist


@pytest.fixture
def tdist(dist: Path, tmp_path: Path) -> PkgDist:
    if not (dist / "pinnace-lock.json").exists():
        pytest.fail("dist/pinnace-lock.json is missing: run `make dist`")
    d = PkgDist(dist, tmp_path / "dist")
    d.add("outer", OUTER)
    d.add("inner", INNER)
    return d


def run(node: Node, tdist: PkgDist, body: str, check: bool = True) -> str:
    return node.run(
        f"const indexURL = {str(tdist.root)!r};\n"
        f"const cacheDir = {str(tdist.root.parent / 'cache')!r};\n" + body,
        check=check,
    )


def test_plain_import_fetches_the_package_and_its_dependencies(node: Node, tdist: PkgDist) -> None:
    out = run(node, tdist, """
        const py = await loadPinnace({ indexURL });
        console.log(py.runPython("import trio, outcome, attr; ' '.join((trio.__version__, outcome.__version__, attr.__version__))"));
        """)  # fmt: skip
    assert out.strip() == "0.35.0 1.3.0.post0 26.1.0"


def test_nested_lazy_import_inside_a_function(node: Node, tdist: PkgDist) -> None:
    out = run(node, tdist, """
        const py = await loadPinnace({ indexURL });
        console.log(py.runPython("import sys, outer; before = 'inner' in sys.modules; repr((before, outer.late()))"));
        """)  # fmt: skip
    assert out.strip() == "(False, 42)"


# A package that probes for `inner` while it is imported (as scikit-learn probes for pandas),
# and imports it again in a function, later.  A second one declares `inner` as a dependency.
PROBER = {"prober/__init__.py": (
    "try:\n    import inner\nexcept ImportError:\n    inner = None\n"
    "HAD_INNER = inner is not None\n\n"
    "def later():\n    import inner\n    return inner.VALUE\n"
)}  # fmt: skip


def test_a_package_probing_for_another_while_imported_does_not_fetch_it(
    node: Node, tdist: PkgDist
) -> None:
    """An optional import made while a lock package is imported, of a lock package it does not
    depend on, is answered "not installed" (`import sklearn` must not download pandas); once
    imported, the package's imports fetch, and so do the user's."""
    tdist.add("prober", PROBER)
    tdist.add("declared", {"declared/__init__.py": PROBER["prober/__init__.py"]}, depends=["inner"])
    out = run(node, tdist, """
        const py = await loadPinnace({ indexURL, packageCacheDir: null });
        console.log(py.runPython("import os, sys, prober\\nrepr((prober.HAD_INNER, 'inner' in sys.modules, os.path.isdir('/lib/python3.13/site-packages/inner')))"));
        console.log(py.runPython("repr(prober.later())"));
        const py2 = await loadPinnace({ indexURL, packageCacheDir: null });
        console.log(py2.runPython("import declared\\nrepr(declared.HAD_INNER)"));
        const py3 = await loadPinnace({ indexURL, packageCacheDir: null });
        console.log(py3.runPython("import prober, inner\\nrepr((prober.HAD_INNER, inner.VALUE))"));
        """)  # fmt: skip
    assert out.strip().splitlines() == ["(False, False, False)", "21", "True", "(False, 21)"]


def test_zoneinfo_fetches_the_time_zone_database_when_asked_for_a_zone(node: Node, dist: Path) -> None:
    """wasm has no system zoneinfo: the stdlib's zoneinfo falls back to the tzdata package
    (`importlib.resources.files("tzdata.zoneinfo")`), which is fetched then, not before."""
    if "tzdata" not in json.loads((dist / "pinnace-lock.json").read_text())["packages"]:
        pytest.fail("tzdata is not in dist/pinnace-lock.json: run `make dist`")
    out = node.run("""
        const py = await loadPinnace({ packageCacheDir: null });
        console.log(py.runPython("import sys, zoneinfo, datetime\\nrepr('tzdata' in sys.modules)"));
        console.log(py.runPython("z = zoneinfo.ZoneInfo('Europe/Paris')\\nstr(datetime.datetime(2026, 7, 1, 12, tzinfo=z).utcoffset())"));
        """)  # fmt: skip
    assert out.strip().splitlines() == ["False", "2:00:00"]


def test_load_package_reports_progress_and_installs(node: Node, tdist: PkgDist) -> None:
    out = run(node, tdist, """
        const py = await loadPinnace({ indexURL });
        const seen = {};
        const got = await py.loadPackage(["outcome"], { onProgress: (p) => (seen[p.package] = [p.loaded, p.total]) });
        console.log(JSON.stringify({ got, seen, v: py.runPython("import outcome; outcome.__version__") }));
        """)  # fmt: skip
    res = json.loads(out.strip().splitlines()[-1])
    assert res["got"] == ["attrs", "outcome"]
    assert res["v"] == "1.3.0.post0"
    for name in ("attrs", "outcome"):
        loaded, total = res["seen"][name]
        assert loaded == total > 0


def test_run_python_async_prescans_imports(node: Node, tdist: PkgDist) -> None:
    out = run(node, tdist, """
        const py = await loadPinnace({ indexURL });
        const r = await py.runPythonAsync("import sys\\nbefore = 'sniffio' in sys.modules\\nimport sniffio\\nrepr((before, sniffio.__version__))");
        console.log(r, py.runPython("'idna' in sys.modules"));
        """)  # fmt: skip
    assert out.strip() == "(False, '1.3.1') false"


def test_unknown_package_lists_close_names(node: Node, tdist: PkgDist) -> None:
    out = run(node, tdist, """
        const py = await loadPinnace({ indexURL });
        try { await py.loadPackage("trioo"); } catch (e) { console.log(e.name + ": " + e.message); }
        """)  # fmt: skip
    assert "PackageError: no package 'trioo' in pinnace-lock.json; close names: trio" in out


def _break(tdist: PkgDist, how: str) -> None:
    wheel = tdist.root / tdist.lock["packages"]["inner"]["file_name"]
    data = wheel.read_bytes()
    if how == "missing":
        wheel.unlink()
    elif how == "hash":  # same length, other bytes
        wheel.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif how == "truncated":
        wheel.write_bytes(data[: len(data) // 2])
    elif how == "corrupt":  # bytes that match the lock's hash but are no zip
        import hashlib

        bad = b"not a wheel at all" * 10
        wheel.write_bytes(bad)
        tdist.lock["packages"]["inner"]["sha256"] = hashlib.sha256(bad).hexdigest()
        tdist.write()


@pytest.mark.parametrize(
    "how, message",
    [
        (
            "missing",
            "package inner: could not fetch file://{root}/inner-1.0-py3-none-any.whl: file not found",
        ),
        ("hash", "package inner: file://{root}/inner-1.0-py3-none-any.whl has sha256"),
        ("truncated", "package inner: file://{root}/inner-1.0-py3-none-any.whl has sha256"),
        ("corrupt", "package inner: file://{root}/inner-1.0-py3-none-any.whl is not a valid wheel"),
    ],
)
def test_bad_package_file_gives_a_clear_error_and_a_retry_succeeds(
    node: Node, tdist: PkgDist, how: str, message: str
) -> None:
    good = (tdist.root / "inner-1.0-py3-none-any.whl").read_bytes()
    _break(tdist, how)
    out = run(node, tdist, f"""
        import {{ writeFileSync }} from "node:fs";
        const py = await loadPinnace({{ indexURL }});
        try {{ py.runPython("import inner"); }} catch (e) {{ console.log("sync:", e.type, e.message.trim().split("\\n").pop()); }}
        console.log("usable:", py.runPython("1 + 1"), py.runPython("import os; repr([n for n in os.listdir('/lib/python3.13/site-packages') if 'inner' in n])"));
        // repair the file on the server, then the same import succeeds in the same runtime
        writeFileSync(indexURL + "/inner-1.0-py3-none-any.whl", Buffer.from({list(good)!r}));
        """ + """
        try { console.log("retry:", py.runPython("import inner; inner.VALUE")); }
        catch (e) { console.log("retry:", e.type); }
        """)  # fmt: skip
    lines = out.strip().splitlines()
    assert lines[0].startswith("sync: PackageError")
    assert message.format(root=tdist.root) in lines[0]
    assert lines[1] == "usable: 2 []"
    # a corrupt wheel whose hash the lock vouches for stays refused: the lock is the truth
    assert lines[2] == ("retry: PackageError" if how == "corrupt" else "retry: 21")


def test_failed_lazy_import_traceback_shows_only_the_users_frames(node: Node, tdist: PkgDist) -> None:
    _break(tdist, "hash")
    out = run(node, tdist, """
        const py = await loadPinnace({ indexURL });
        py.runPython("def load():\\n    import inner\\n", { filename: "app.py" });
        try { py.runPython("load()", { filename: "main.py" }); }
        catch (e) { console.log(JSON.stringify(e.message)); }
        """)  # fmt: skip
    text = json.loads(out.strip().splitlines()[-1])
    assert 'File "main.py", line 1' in text and 'File "app.py", line 2, in load' in text, text
    assert "pinnace/" not in text and "importlib" not in text, text
    assert text.rstrip().splitlines()[-1].startswith("pinnace.PackageError: package inner: ")
