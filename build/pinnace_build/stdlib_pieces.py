"""Stdlib pieces: big or rarely used parts of the standard library, fetched when first imported.

The core download (main module + ``python313.zip``) leaves these out; each ships as a wheel in
``dist/`` with an entry in ``pinnace-lock.json`` (``package_type: "cpython_module"``), so
``import sqlite3`` fetches, verifies and installs it exactly like ``import numpy``:

===============  ==========================  ==========================================
piece            imports                     contents
===============  ==========================  ==========================================
sqlite3          sqlite3, _sqlite3           Lib/sqlite3 (bytecode) + _sqlite3.so (SQLite)
lzma             lzma, _lzma                 lzma.py (bytecode) + _lzma.so (with liblzma)
decimal          _decimal                    _decimal.so (libmpdec); decimal.py stays
test             test, _testcapi, ...        Lib/test as it is (sources and data files) +
                                             CPython's test extension modules
cjkcodecs        _multibytecodec, _codecs_*  the C modules of the CJK codecs (the
                                             encodings.* modules that use them stay)
multiprocessing  multiprocessing             pure Python a page does not import, as
devtools         pdb, bdb, doctest, ...      bytecode (docs/packages.md says why each)
protocols        ftplib, smtplib, xmlrpc, ...
xml              xml
dbm              dbm, shelve
pyfallbacks      _pyio, _pydatetime
platforms        _osx_support, webbrowser, ...
===============  ==========================  ==========================================

The ``.so`` files are the side modules CPython's Makefile builds for ``cpython.SHARED_MODULES``,
optimized with binaryen's ``wasm-opt -O2`` (the Makefile links them without optimization
flags: about 15% smaller, as an ``emcc -O2`` link would be).
Bytecode is compiled like the core archive's (stdlib.py), naming site-packages as its origin.
``imported_by`` (a Pinnace key of the lock entry): modules of the core that import the piece
as they are imported, so that ``runPythonAsync``'s import pre-scan fetches the piece for them.
``depends``: the pieces a piece's modules import as they are imported (test -> unittest).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import apart_modules, cpython, lockfile, stdlib
from . import versions as V
from .cache import Step, file_digest, tree_digest
from .pyodide_root import WHEEL_PLATFORM
from .toolchain import Toolchain
from .wheel_bytecode import record_line

WASM_OPT_FLAGS = ["-O2"]
SITE_PACKAGES = f"/lib/python{V.PYTHON_VERSION.rsplit('.', 1)[0]}/site-packages"
PACKAGE_TYPE = "cpython_module"
_DATE = (2000, 1, 1, 0, 0, 0)  # fixed dates: reproducible wheels


@dataclass(frozen=True)
class Piece:
    name: str
    imports: tuple[str, ...]
    modules: tuple[str, ...]  # top-level entries of Lib/ moved out of the core
    extensions: tuple[str, ...]  # names in cpython.SHARED_MODULES or an apart_modules group
    kind: str  # "pyc": modules as bytecode; "py": every file as it is (data files too)
    imported_by: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()  # other pieces its modules import as they are imported

    @property
    def tag(self) -> str:
        return f"cp313-cp313-{WHEEL_PLATFORM}" if self.extensions else "py3-none-any"

    @property
    def wheel_name(self) -> str:
        return f"{self.name}-{V.PYTHON_VERSION}-{self.tag}.whl"


DEVTOOLS = ("pdb", "bdb", "doctest", "pickletools", "tabnanny", "pyclbr", "zipapp", "modulefinder",
            "trace", "compileall", "optparse", "tracemalloc")  # fmt: skip
PROTOCOLS = ("ftplib", "imaplib", "poplib", "smtplib", "mailbox", "xmlrpc", "wsgiref")
PLATFORMS = ("_osx_support", "_aix_support", "_android_support", "_apple_support",
             "_ios_support", "webbrowser")  # fmt: skip
PIECES = (
    Piece("sqlite3", ("sqlite3", "_sqlite3"), ("sqlite3",), ("_sqlite3",), "pyc"),
    Piece("lzma", ("lzma", "_lzma"), ("lzma.py",), ("_lzma",), "pyc"),
    # decimal.py imports _decimal and falls back to _pydecimal when that fails; fractions and
    # statistics import decimal.
    Piece("decimal", ("_decimal",), (), ("_decimal",), "pyc",
          imported_by=("decimal", "fractions", "statistics")),
    Piece("test", ("test", *apart_modules.TEST.modules), ("test",), apart_modules.TEST.modules,
          "py", depends=("devtools",)),  # libregrtest imports trace
    # The CJK codecs' C modules: encodings.shift_jis (in the core) imports _codecs_jp, and the
    # first use of the codec fetches this piece.
    Piece("cjkcodecs", apart_modules.CJK.modules, (), apart_modules.CJK.modules, "pyc"),
    # Pure Python that a page does not import (docs/packages.md says why each): processes,
    # debugging and other development tools, clients and servers of socket protocols, XML, the
    # DBM databases, the pure-Python twins of C modules the core has (_io, _datetime), other
    # operating systems' support.  Not unittest (numpy.testing imports it, and SciPy that), nor
    # the terminal REPL _pyrepl (pydoc imports it: help(), joblib), nor socketserver
    # (logging.config imports it).
    Piece("multiprocessing", ("multiprocessing",), ("multiprocessing",), (), "pyc"),
    Piece("devtools", DEVTOOLS, tuple(f"{m}.py" for m in DEVTOOLS), (), "pyc"),
    Piece("protocols", PROTOCOLS, tuple(m if m in ("xmlrpc", "wsgiref") else f"{m}.py"
                                        for m in PROTOCOLS), (), "pyc", depends=("xml",)),
    Piece("xml", ("xml",), ("xml",), (), "pyc"),
    Piece("dbm", ("dbm", "shelve"), ("dbm", "shelve.py"), (), "pyc"),
    Piece("pyfallbacks", ("_pyio", "_pydatetime"), ("_pyio.py", "_pydatetime.py"), (), "pyc"),
    Piece("platforms", PLATFORMS, tuple(f"{m}.py" for m in PLATFORMS), (), "pyc"),
)  # fmt: skip


def unbundled() -> frozenset[str]:
    """Top-level Lib/ entries that the core archive leaves out because a piece ships them."""
    return frozenset(m for p in PIECES for m in p.modules)


def step(tc: Toolchain, cp: cpython.WasmBuild) -> Step:
    return Step(
        "stdlib-pieces",
        {
            "cpython": cp.builddir.name,
            "toolchain": tc.config.parent.name,
            "wasm_opt": WASM_OPT_FLAGS,
            "builder": tree_digest(Path(__file__).parent, "stdlib*.py"),
            "pyc_format": file_digest(Path(__file__).with_name("wheel_bytecode.py")),
            "test_modules": apart_modules.step(tc, cp, apart_modules.TEST).key,
            "cjk_modules": apart_modules.step(tc, cp, apart_modules.CJK).key,
            "v": 1,
        },
    )


def _files(lib: Path, piece: Piece) -> list[str]:
    out: list[str] = []
    for top in piece.modules:
        root = lib / top
        found = [root] if root.is_file() else sorted(root.rglob("*"))
        for p in found:
            rel = p.relative_to(lib)
            if not p.is_file() or "__pycache__" in rel.parts:
                continue
            if piece.kind == "pyc" and (p.suffix != ".py" or stdlib.EXCLUDED_DIRS & set(rel.parts)):
                continue
            out.append(str(rel))
    return out


def _finish_wheel(wheel: Path, piece: Piece, extensions: dict[str, Path]) -> None:
    """Add the side modules and the .dist-info (METADATA, WHEEL, RECORD) to ``wheel``."""
    info = f"{piece.name}-{V.PYTHON_VERSION}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: {piece.name}\nVersion: {V.PYTHON_VERSION}\n"
        f"Summary: CPython {V.PYTHON_VERSION}'s {piece.name}, a Pinnace stdlib piece\n"
    )
    wheel_meta = (f"Wheel-Version: 1.0\nGenerator: pinnace\nRoot-Is-Purelib: "
                  f"{'false' if piece.extensions else 'true'}\nTag: {piece.tag}\n")  # fmt: skip
    with zipfile.ZipFile(wheel, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for arcname, so in extensions.items():
            zf.writestr(zipfile.ZipInfo(arcname, _DATE), so.read_bytes(), zipfile.ZIP_DEFLATED)
        for name, text in (("METADATA", metadata), ("WHEEL", wheel_meta)):
            zf.writestr(zipfile.ZipInfo(f"{info}/{name}", _DATE), text, zipfile.ZIP_DEFLATED)
        record = [record_line(i.filename, zf.read(i)) for i in zf.infolist()]
        record.append(f"{info}/RECORD,,")
        zf.writestr(zipfile.ZipInfo(f"{info}/RECORD", _DATE), "\n".join(record) + "\n",
                    zipfile.ZIP_DEFLATED)  # fmt: skip


def _build(tc: Toolchain, cp: cpython.WasmBuild, out: Path) -> None:
    py = cpython.build_python()
    lib = cp.srcdir / "Lib"
    suffix = cp.make_var("EXT_SUFFIX")
    built = {name: cp.shared_module(name) for name in cpython.SHARED_MODULES}
    built.update(apart_modules.build(tc, cp, apart_modules.TEST))
    built.update(apart_modules.build(tc, cp, apart_modules.CJK))
    optimized: dict[str, Path] = {}
    for name, so in built.items():
        optimized[name] = out / f"{name}{suffix}"
        tc.run([str(tc.binaryen / "bin" / "wasm-opt"), *WASM_OPT_FLAGS, str(so), "-o",
                str(optimized[name])])  # fmt: skip
    for piece in PIECES:
        wheel = out / piece.wheel_name
        stdlib.write_zip(py, wheel, [(lib, _files(lib, piece))], piece.kind, "deflated",
                         SITE_PACKAGES)  # fmt: skip
        _finish_wheel(wheel, piece, {f"{n}{suffix}": optimized[n] for n in piece.extensions})
    for so in optimized.values():
        so.unlink()


def build(tc: Toolchain, cp: cpython.WasmBuild) -> Path:
    """Build (if needed) the pieces' wheels; the directory holding them."""
    return step(tc, cp).ensure(lambda out: _build(tc, cp, out))


def lock_entries(wheels: Path) -> list[dict[str, Any]]:
    """Lock entries (pyodide-lock schema plus Pinnace's keys) for the built pieces."""
    entries = []
    for piece in PIECES:
        e = lockfile.wheel_entry(piece.name, V.PYTHON_VERSION, wheels / piece.wheel_name,
                                 list(piece.imports), list(piece.depends), PACKAGE_TYPE)  # fmt: skip
        entries.append({**e, "imported_by": list(piece.imported_by)})
    return entries
