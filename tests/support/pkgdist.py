"""A test distribution: dist/ (symlinked) plus small wheels made here and a lock naming them.

Lets tests break things (a missing file, a wrong hash, a truncated or corrupt wheel) without
touching dist/ itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from pinnace_build.serve import StaticServer


def make_wheel(dest: Path, name: str, version: str, files: dict[str, str],
               requires: list[str] | None = None, tag: str = "py3-none-any") -> Path:  # fmt: skip
    """A minimal wheel with ``files`` (path -> source), valid metadata and ``Requires-Dist``."""
    wheel = dest / f"{name}-{version}-{tag}.whl"
    info = f"{name}-{version}.dist-info"
    contents = dict(files)
    contents[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires or [])
    )
    contents[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: pinnace-tests\nRoot-Is-Purelib: true\nTag: {tag}\n"
    )
    record = []
    for path, text in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    contents[f"{info}/RECORD"] = "\n".join(record + [f"{info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, text in contents.items():
            zf.writestr(path, text)
    return wheel


def lock_entry(wheel: Path, name: str, version: str, imports: list[str],
               depends: list[str] | None = None) -> dict[str, object]:  # fmt: skip
    data = wheel.read_bytes()
    return {
        "name": name, "version": version, "file_name": wheel.name, "install_dir": "site",
        "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "imports": imports,
        "depends": depends or [], "package_type": "package", "unvendored_tests": False,
        "shared_libraries": [],
    }  # fmt: skip


def dist_with(dist: Path, names: Iterable[str]) -> Path:
    """``dist``, once its lock is found to hold every package of ``names`` (else the test
    fails, saying to run `make dist`)."""
    lock = json.loads((dist / "pinnace-lock.json").read_text())
    missing = sorted(set(names) - set(lock["packages"]))
    if missing:
        pytest.fail(f"{', '.join(missing)} not in dist/pinnace-lock.json: run `make dist`")
    return dist


class PkgDist:
    """dist/ mirrored into ``root`` by symlinks, with extra packages in its lock."""

    def __init__(self, dist: Path, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for f in dist.iterdir():
            if f.name != "pinnace-lock.json":
                (root / f.name).symlink_to(f)
        self.lock = json.loads((dist / "pinnace-lock.json").read_text())

    def add(self, name: str, files: dict[str, str], imports: list[str] | None = None,
            depends: list[str] | None = None, version: str = "1.0") -> Path:  # fmt: skip
        wheel = make_wheel(self.root, name, version, files)
        self.lock["packages"][name] = lock_entry(wheel, name, version, imports or [name], depends)
        self.write()
        return wheel

    def write(self) -> None:
        (self.root / "pinnace-lock.json").write_text(json.dumps(self.lock, indent=1))


# Two small packages: a function that imports a module of the same package, which imports
# another package (both imports happen long after `import outer`).
OUTER = {
    "outer/__init__.py": "def late():\n    from outer import sub\n    return sub.answer()\n",
    "outer/sub.py": "import inner\n\ndef answer():\n    return inner.VALUE * 2\n",
}
INNER = {"inner/__init__.py": "VALUE = 21\n"}


# A module worker that starts Pinnace on ./dist/, runs the code it is sent with runPython and
# posts {ok: String(result)} or {err: message}.
WORKER = (
    'import { loadPinnace } from "./dist/pinnace.mjs";\n'
    "onmessage = async (ev) => {\n"
    "  try {\n"
    '    const py = await loadPinnace({ indexURL: "./dist/" });\n'
    "    postMessage({ ok: String(py.runPython(ev.data)) });\n"
    "  } catch (e) { postMessage({ err: String(e && e.message || e) }); }\n"
    "};\n"
)


@pytest.fixture
def package_site(dist: Path, tmp_path: Path) -> Iterator[tuple[StaticServer, PkgDist]]:
    d = PkgDist(dist, tmp_path / "dist")
    d.add("outer", OUTER)
    d.add("inner", INNER)
    (tmp_path / "index.html").write_text("<!doctype html><title>pkg</title>")
    (tmp_path / "worker.mjs").write_text(WORKER)
    srv = StaticServer(tmp_path, port=0).start()
    yield srv, d
    srv.stop()
