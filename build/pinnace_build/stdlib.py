"""Packing the standard library for fast loading.

The stdlib ships as one zip, ``python313.zip``, which CPython finds on ``sys.path`` by itself
(``<prefix>/lib/python313.zip``).  It holds *bytecode only* (``.pyc``, compiled by the native
build python of the same version, unchecked-hash so no source stat is needed), plus the
platform's ``_sysconfigdata`` (as built, but for SYSCONFIG_CHANGES) and the runtime package
``pinnace``.  A few stdlib modules ship patched (build/stdlib-patches: ``socket`` says why it
cannot reach the network, ``http.client`` connects through the host's HTTP).  Why bytecode and not
sources: see docs/build.md (measured: smaller download after compression and no compile at
import time).  Left out: the test suites, idlelib, tkinter, turtledemo, ensurepip and other
modules that cannot work in the browser sandbox.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .cache import BuildError
from .paths import RUNTIME, STDLIB_PATCHES

# Top-level stdlib entries left out of the core archive.  curses: its C part (_curses, ncurses)
# is not built for wasm.
EXCLUDED_TOP = {
    "test", "idlelib", "tkinter", "turtledemo", "ensurepip", "turtle.py",
    "venv", "lib2to3", "pydoc_data", "__phello__", "site-packages", "curses",
}  # fmt: skip
# Modules only Windows, macOS or AIX import (behind a platform check): they cannot work here.
EXCLUDED_FILES = {
    "asyncio/windows_events.py", "asyncio/windows_utils.py", "asyncio/proactor_events.py",
    "ctypes/wintypes.py", "ctypes/_aix.py", "encodings/mbcs.py", "encodings/oem.py",
    "nturl2path.py",
}  # fmt: skip
EXCLUDED_FOLDERS = {"ctypes/macholib"}  # macOS's dynamic-library paths
# Directory names that hold tests inside stdlib packages.
EXCLUDED_DIRS = {"tests", "idle_test", "__pycache__"}
ZIP_NAME = "python313.zip"
# The packages of runtime/ packed with the stdlib: Pinnace's runtime, and Pyodide's API as
# aliases of it.
RUNTIME_PACKAGES = ("pinnace", "pyodide")

# Writes the zip; run by the *native* build python (same version, so the same bytecode).
# kind "pyc": compiled modules only; "py": the files as they are.  compression "stored" |
# "deflated".  prefix: the directory the files will be imported from (code objects name it).
# The .pyc format is wheel_bytecode.bytecode's (hash-based, unchecked: never compares to a
# source), shared with the bytecode added to package wheels.
_PACKER = r"""
import sys, zipfile
from pathlib import Path
builder, out, kind, compression, prefix, *args = sys.argv[1:]
sys.path.insert(0, builder)
from wheel_bytecode import bytecode
method = zipfile.ZIP_STORED if compression == "stored" else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(out, "w", method, compresslevel=9) as zf:
    for root, listing in zip(args[::2], args[1::2]):
        for rel in Path(listing).read_text().split("\n"):
            if not rel:
                continue
            source = Path(root, rel).read_bytes()
            info = zipfile.ZipInfo(rel, (2000, 1, 1, 0, 0, 0))  # fixed dates: reproducible
            info.compress_type = method
            if kind == "py":
                zf.writestr(info, source)
                continue
            info.filename = rel + "c"
            zf.writestr(info, bytecode(source, f"{prefix}/{rel}"))
"""


def stdlib_files(lib: Path, unbundled: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The ``.py`` files of CPython's ``Lib`` (relative to it) that ship: all but EXCLUDED_TOP,
    ``unbundled`` and the test folders of EXCLUDED_DIRS (also used by the WASI build)."""
    files = []
    for p in sorted(lib.rglob("*.py")):
        rel = p.relative_to(lib)
        if rel.parts[0] in EXCLUDED_TOP | unbundled or EXCLUDED_DIRS.intersection(rel.parts[:-1]):
            continue
        if str(rel) in EXCLUDED_FILES or str(rel.parent) in EXCLUDED_FOLDERS:
            continue
        files.append(str(rel))
    return files


KIND = "pyc"
COMPRESSION = "stored"


def write_zip(build_python: Path, target: Path, parts: list[tuple[Path, list[str]]],
              kind: str, compression: str, prefix: str) -> Path:  # fmt: skip
    """Write ``target`` from ``parts`` (a root and file paths relative to it) with the packer."""
    args: list[str] = []
    for i, (root, files) in enumerate(parts):
        listing = target.parent / f".{target.name}.{i}.files"
        listing.write_text("\n".join(files))
        args += [str(root), str(listing)]
    try:
        subprocess.run([str(build_python), "-I", "-c", _PACKER, str(Path(__file__).parent),
                        str(target), kind, compression, prefix, *args], check=True)  # fmt: skip
    finally:
        for listing in target.parent.glob(f".{target.name}.*.files"):
            listing.unlink()
    return target


# The cross build is configured --disable-test-modules, but the distribution has them: the test
# piece ships them (apart_modules.py).  test.support skips every suite that needs them when the
# build says TEST_MODULES=no.
SYSCONFIG_CHANGES = {"'TEST_MODULES': 'no',": "'TEST_MODULES': 'yes',"}


def shipped_sysconfigdata(built: Path, dest: Path) -> Path:
    """The build's ``_sysconfigdata`` with SYSCONFIG_CHANGES made, written into ``dest``."""
    text = built.read_text()
    for old, new in SYSCONFIG_CHANGES.items():
        if text.count(old) != 1:
            raise BuildError(f"{built}: expected {old!r} once, found it {text.count(old)} times")
        text = text.replace(old, new)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / built.name).write_text(text)
    return dest / built.name


def patched_stdlib(lib: Path, dest: Path) -> list[str]:
    """Copy the stdlib files that the patches of STDLIB_PATCHES change into ``dest`` and apply
    the patches there; their paths relative to ``lib``."""
    changed: list[str] = []
    for patch in sorted(STDLIB_PATCHES.glob("*.patch")):
        for line in patch.read_text().splitlines():
            if line.startswith("+++ b/"):
                rel = line[len("+++ b/"):].split("\t")[0]
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(lib / rel, dest / rel)
                changed.append(rel)
        res = subprocess.run(["patch", "-p1", "--forward", "--batch", "-d", str(dest), "-i", str(patch)],
                             capture_output=True, text=True)  # fmt: skip
        if res.returncode != 0:
            raise BuildError(f"{patch.name} does not apply to this CPython's Lib:\n{res.stdout}{res.stderr}")
    return changed


def pack(
    build_python: Path,
    srcdir: Path,
    sysconfigdata: Path,
    out: Path,
    kind: str = KIND,
    compression: str = COMPRESSION,
    unbundled: frozenset[str] = frozenset(),
) -> Path:
    """Write ``out/python313.zip`` and return its path.  ``unbundled``: top-level stdlib
    entries (``sqlite3``, ``lzma.py``) left out because they ship as separate pieces."""
    lib = srcdir / "Lib"
    shipped = shipped_sysconfigdata(sysconfigdata, out / ".sysconfigdata")
    patched_root = out / ".patched"
    patched = patched_stdlib(lib, patched_root)
    parts = [
        (lib, [f for f in stdlib_files(lib, unbundled) if f not in patched]),
        (patched_root, patched),
        (shipped.parent, [shipped.name]),
        (RUNTIME, [str(p.relative_to(RUNTIME)) for pkg in RUNTIME_PACKAGES
                   for p in sorted((RUNTIME / pkg).rglob("*.py"))]),  # fmt: skip
    ]
    try:
        return write_zip(build_python, out / ZIP_NAME, parts, kind, compression,
                         f"/lib/{ZIP_NAME}")  # fmt: skip
    finally:
        shutil.rmtree(shipped.parent)
        shutil.rmtree(patched_root)
