"""Assembling dist/: the main module, the packed stdlib and the JS loader.

``dist/`` after ``pinnace build dist``::

    pinnace.asm.wasm     CPython (PGO + LTO: pgo.py) + runtime, an Emscripten dynamic-linking
                         main module
    pinnace.asm.mjs      its JS glue, an ES module (browser main thread, workers, Node)
    python313.zip        the standard library as bytecode, plus the runtime package `pinnace`
    sqlite3-*.whl, lzma-*.whl, decimal-*.whl, test-*.whl
                         stdlib pieces fetched on first import (stdlib_pieces.py), with their
                         entries in pinnace-lock.json (`pinnace build packages` adds the rest)
    pinnace.mjs          the loader as an ES module: export loadPinnace
    pinnace.js           the loader as a classic script: global loadPinnace
    pinnace-python.mjs   `pinnace python`: the interpreter as a command-line program under node
    *.gz, *.br           precompressed copies served by `pinnace serve` (.precompressed.json:
                         the digests they were made from)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import brotli  # type: ignore[import-untyped]

from . import cpython, exports, link, lockfile, npm, pgo, stdlib, stdlib_pieces, toolchain, versions
from .cache import Step, file_digest, log, tree_digest
from .paths import DIST, LOADER, RUNTIME, STDLIB_PATCHES

STAMP = ".precompressed.json"  # file name -> sha256 of the bytes its .gz/.br were made from
COMPRESSIBLE = ("pinnace.asm.wasm", "pinnace.asm.mjs", "python313.zip", "pinnace.mjs",
                "pinnace.js")  # fmt: skip


def stdlib_step(cp: cpython.WasmBuild) -> Step:
    return Step(
        "stdlib",
        {
            "cpython": cp.builddir.name,
            "runtime_py": [tree_digest(RUNTIME / pkg) for pkg in stdlib.RUNTIME_PACKAGES],
            "packer": tree_digest(Path(__file__).parent, "stdlib*.py"),
            "stdlib_patches": tree_digest(STDLIB_PATCHES),
            "pyc_format": file_digest(Path(__file__).with_name("wheel_bytecode.py")),
            "build_info": versions.build_info(),
            "v": 3,
        },
    )


def add_build_module(build_python: Path, archive: Path) -> None:
    """Add ``pinnace/_build.py`` (as bytecode, like the rest) to the stdlib archive: the
    runtime's copy of the build info (the versions and the platform tag) from versions.py."""
    root = archive.parent / "generated"
    (root / "pinnace").mkdir(parents=True, exist_ok=True)
    (root / "pinnace" / "_build.py").write_text(versions.build_module_source())
    one = stdlib.write_zip(build_python, archive.parent / "generated.zip", [(root, ["pinnace/_build.py"])],
                           stdlib.KIND, stdlib.COMPRESSION, f"/lib/{stdlib.ZIP_NAME}")  # fmt: skip
    with zipfile.ZipFile(one) as src, zipfile.ZipFile(archive, "a") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
    one.unlink()
    shutil.rmtree(root)


def pack_stdlib(cp: cpython.WasmBuild, out: Path) -> Path:
    archive = stdlib.pack(cpython.build_python(), cp.srcdir, cp.sysconfigdata, out,
                          unbundled=stdlib_pieces.unbundled())  # fmt: skip
    add_build_module(cpython.build_python(), archive)
    return archive


def build_loader(dest: Path) -> None:
    """Bundle the TypeScript loader into ``dest`` (npm ci on first use)."""
    npm.ensure_installed(LOADER)  # again when package-lock.json changed (a new dependency)
    # the versions, for esbuild's `define` (loader-js/buildinfo.mjs, src/version.ts)
    env = {**os.environ, "PINNACE_DIST": str(dest),
           "PINNACE_BUILD_INFO": json.dumps(versions.build_info())}  # fmt: skip
    subprocess.run(["node", "build.mjs"], cwd=LOADER, check=True, env=env)


def precompress(dest: Path) -> None:
    """Write .gz and .br beside each large file, unless they were made from these very bytes
    (a digest per file in STAMP: copies keep their cache file's old mtime, so times would lie)."""
    stamp_file = dest / STAMP
    stamps = json.loads(stamp_file.read_text()) if stamp_file.exists() else {}
    for name in COMPRESSIBLE:
        data = (dest / name).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        gz, br = dest / f"{name}.gz", dest / f"{name}.br"
        if stamps.get(name) == digest and gz.exists() and br.exists():
            continue
        stamps.pop(name, None)  # a crash halfway leaves no stamp for stale copies
        stamp_file.write_text(json.dumps(stamps, indent=1))
        gz.write_bytes(gzip.compress(data, 9, mtime=0))
        br.write_bytes(brotli.compress(data, quality=11))
        stamps[name] = digest
        stamp_file.write_text(json.dumps(stamps, indent=1))


def copy_pieces(pieces: Path, dest: Path) -> None:
    """Put the stdlib pieces' wheels into ``dest`` and their entries into its lock (keeping the
    packages' entries that are there)."""
    entries = stdlib_pieces.lock_entries(pieces)
    for e in entries:
        shutil.copy2(pieces / e["file_name"], dest / e["file_name"])
    packages = [e for e in lockfile.kept_entries(dest, {e["name"] for e in entries})
                if e.get("package_type") != stdlib_pieces.PACKAGE_TYPE]  # pieces no longer made
    lockfile.write(dest, [], keep=[*packages, *entries])


def main_module(tc: toolchain.Toolchain, cp: cpython.WasmBuild, dest: Path) -> None:
    """Link the main module for the side modules now in ``dest`` (it exports what they import:
    exports.py), put it there and check that every import of theirs is provided.  It is linked
    from CPython built with a profile and LTO (pgo.py; its training runs ``dest``'s loader and
    stdlib), the C API read from ``cp``, the plain build packages are built against."""
    linked = link.build(tc, pgo.optimised(tc, dest), exports.needed_by(dest), api_from=cp)
    link.copy_to(linked, dest)
    exports.check(dest, dest / "pinnace.asm.wasm", dest / "pinnace.asm.mjs")


def relink(dest: Path = DIST) -> None:
    """After packages were added to ``dest``: the main module again, if they import more."""
    tc = toolchain.require()
    main_module(tc, cpython.build(tc), dest)
    precompress(dest)


def build(dest: Path = DIST) -> Path:
    tc = toolchain.require()
    cp = cpython.build(tc)
    packed = stdlib_step(cp).ensure(lambda out: pack_stdlib(cp, out))
    pieces = stdlib_pieces.build(tc, cp)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(packed / stdlib.ZIP_NAME, dest / stdlib.ZIP_NAME)
    copy_pieces(pieces, dest)
    build_loader(dest)  # before the main module: the PGO training runs the loader
    main_module(tc, cp, dest)
    precompress(dest)
    log(f"dist ready: {dest}")
    return dest
