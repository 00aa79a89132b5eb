"""Errors cross between JS and Python as values: a package failure has the same type and fields
(package, url, why) on both sides, however it was reached; and the versions the loader and the
runtime report come from build/pinnace_build/versions.py."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "build"))

from pinnace_build import versions  # noqa: E402


def make_index(root: Path) -> str:
    """A package index (file:) with `ghost` (its file is missing) and `liar` (wrong sha256)."""
    root.mkdir()
    wheel = root / "liar-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("liar.py", "X = 1\n")
    entry = {"version": "1.0", "install_dir": "site", "package_type": "package", "depends": [],
             "unvendored_tests": False, "shared_libraries": []}  # fmt: skip
    packages = {
        "ghost": {
            **entry,
            "name": "ghost",
            "file_name": "ghost-1.0-py3-none-any.whl",
            "sha256": "1" * 64,
            "imports": ["ghost"],
        },  # fmt: skip
        "liar": {
            **entry,
            "name": "liar",
            "file_name": wheel.name,
            "sha256": "0" * 64,
            "imports": ["liar"],
            "size": wheel.stat().st_size,
        },  # fmt: skip
    }
    (root / "pinnace-lock.json").write_text(json.dumps({"info": {}, "packages": packages}))
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() != "0" * 64
    return root.as_uri() + "/"


def run(node: Any, index: str, body: str) -> list[dict[str, Any]]:
    out = node.run(
        f"import * as pinnace from {(node.dist / 'pinnace.mjs').as_uri()!r};\n"
        f"const py = await loadPinnace({{ indexURL: {str(node.dist)!r}, packageIndexURL: {index!r} }});\n"
        "const fields = (e) => ({ name: e.name, type: e.type, package: e.package, url: e.url,\n"
        "  failure: e.failure, pinnace: e instanceof pinnace.PinnaceError });\n" + body
    )
    return [json.loads(line) for line in out.strip().splitlines()]


def test_a_package_failure_has_its_fields_on_both_sides(node: Any, tmp_path: Path) -> None:
    index = make_index(tmp_path / "index")
    ghost, liar = index + "ghost-1.0-py3-none-any.whl", index + "liar-1.0-py3-none-any.whl"
    got = run(node, index, """
        for (const name of ["ghost", "liar", "nosuch"]) {
          try { await py.loadPackage(name); } catch (e) { console.log(JSON.stringify(fields(e))); }
        }
        // the same failures met by Python: an import that fetches on the spot
        console.log(JSON.stringify(py.runPython(`
import json
from pinnace._packages import PackageError
out = []
for name in ("ghost", "liar"):
    try:
        __import__(name)
    except PackageError as e:
        out.append([type(e).__name__, e.package, e.url, str(e)])
json.dumps(out)`)));
        """)  # fmt: skip
    # loadPackage (JS fetches): the JS PackageError, with why as data
    assert got[0] == {"name": "PackageError", "package": "ghost", "url": ghost,
                      "failure": {"kind": "missing"}, "pinnace": True}  # fmt: skip
    assert got[1] == {"name": "PackageError", "package": "liar", "url": liar, "pinnace": True}
    # raised in Python (the lock has no such package), it arrives with the same fields
    assert got[2] == {"name": "PackageError", "package": "nosuch", "pinnace": True}
    # Python (the synchronous fetch reports the JS error, Python installs): the same fields
    (g, lie) = json.loads(got[3]) if isinstance(got[3], str) else got[3]
    assert g == [
        "PackageError",
        "ghost",
        ghost,
        f"package ghost: could not fetch {ghost}: file not found",
    ]
    assert lie[:3] == ["PackageError", "liar", liar]
    assert lie[3].startswith(f"package liar: {liar} has sha256 ")


def test_a_js_fetch_error_reaches_python_as_an_oserror_with_its_url(
    node: Any, tmp_path: Path
) -> None:
    index = make_index(tmp_path / "index")
    got = run(node, index, """
        console.log(JSON.stringify(await py.runPythonAsync(`
from pinnace import _packages
try:
    await _packages.fetch_url("${index}nothing-here.html")
except OSError as e:
    result = [type(e).__name__, e.url, e.reason, str(e)]
result`).then((r) => r.toJs())));
        """.replace("${index}", index))  # fmt: skip
    assert got[0] == ["FetchError", index + "nothing-here.html", "file not found", "file not found"]


def test_versions_come_from_versions_py(node: Any, tmp_path: Path) -> None:
    index = make_index(tmp_path / "index")
    got = run(node, index, """
        console.log(JSON.stringify([pinnace.version, py.version, py.pythonVersion,
                                    py.runPython("import pinnace; pinnace.__version__"),
                                    py.runPython("import pinnace._install as i; i.PLATFORM")]));
        """)  # fmt: skip
    v = versions.PINNACE_VERSION
    assert got[0] == [v, v, versions.PYTHON_VERSION, v, versions.WHEEL_PLATFORM]
