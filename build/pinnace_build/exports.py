"""What Pinnace's main module exports: CPython's C API and what the shipped side modules import.

A ``MAIN_MODULE=1`` link exports every symbol of CPython, the runtime, libc, libc++ and the
other system libraries (9,740 exports) and so keeps all of their code, used or not.  Pinnace
links with ``MAIN_MODULE=2`` and exports (``wasm-ld --export-if-defined``):

* every external symbol CPython's objects and the runtime's define (the C API, the private
  ``_Py`` functions Cython and pybind11 code calls included), and
* every symbol any side module in ``dist/`` imports (wheels, shared-library zips, the stdlib
  pieces): what they take from libc, libc++, zlib, ...

so the linker drops the rest of the system libraries (mostly libc++'s).  The list depends on
what is shipped: ``pinnace build dist`` computes it from the side modules in ``dist/`` and
``pinnace build packages`` links again when the packages it added import more.

:func:`check` then proves, at build time, that every import of every shipped side module is
provided: by the main module's exports, by the Emscripten glue (its ``wasmImports``), by the
dynamic linker itself, or by a side module of the same archive or of a package it depends on.
A symbol provided nowhere fails the build with its name and the side module that needs it,
instead of failing a user at run time with Emscripten's "resolved is not a function".
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import BuildError
from .lockfile import LOCK_NAME
from .wasm_snapshot import export_entries, leb, sections

# Import modules through which a side module asks the dynamic linker for symbols.
SYMBOL_MODULES = ("env", "GOT.mem", "GOT.func")
# What the dynamic linker gives every side module itself (its memory, table, bases, stack).
LINKER_PROVIDED = frozenset(
    {"memory", "__indirect_function_table", "__memory_base", "__table_base", "__stack_pointer"}
)
_CUSTOM_SECTION, _IMPORT_SECTION, _EXPORT_SECTION = 0, 2, 7
_DYLINK_IMPORT_INFO, _BINDING_WEAK = 4, 1


def _name(data: bytes, i: int) -> tuple[str, int]:
    n, i = leb(data, i)
    return data[i : i + n].decode(), i + n


def _limits(data: bytes, i: int) -> int:
    flags, i = leb(data, i)
    _, i = leb(data, i)
    return leb(data, i)[1] if flags & 1 else i


def imported_symbols(module: bytes) -> set[str]:
    """The symbols a side module asks the dynamic linker for."""
    out: set[str] = set()
    for sid, payload in sections(module):
        if sid != _IMPORT_SECTION:
            continue
        count, i = leb(payload, 0)
        for _ in range(count):
            mod, i = _name(payload, i)
            field, i = _name(payload, i)
            kind = payload[i]
            i += 1
            if kind == 0:  # function: type index
                _, i = leb(payload, i)
            elif kind == 1:  # table: element type, limits
                i = _limits(payload, i + 1)
            elif kind == 2:  # memory: limits
                i = _limits(payload, i)
            elif kind == 3:  # global: value type, mutability
                i += 2
            elif kind == 4:  # tag: attribute, type index
                _, i = leb(payload, i + 1)
            else:
                raise ValueError(f"import kind {kind} not understood")
            if mod in SYMBOL_MODULES:
                out.add(field)
    return out


def weak_imports(module: bytes) -> set[str]:
    """Imports the side module marks weak (its ``dylink.0`` import info): they may stay
    undefined (C++ thread_local wrappers, for one)."""
    out: set[str] = set()
    for sid, payload in sections(module):
        if sid != _CUSTOM_SECTION:
            continue
        name, i = _name(payload, 0)
        if name != "dylink.0":
            continue
        while i < len(payload):
            kind, size = payload[i], leb(payload, i + 1)
            end = size[1] + size[0]
            if kind == _DYLINK_IMPORT_INFO:
                count, j = leb(payload, size[1])
                for _ in range(count):
                    _mod, j = _name(payload, j)
                    field, j = _name(payload, j)
                    flags, j = leb(payload, j)
                    if flags & _BINDING_WEAK:
                        out.add(field)
            i = end
    return out


def exported_symbols(module: bytes) -> set[str]:
    return {name for sid, payload in sections(module) if sid == _EXPORT_SECTION
            for name, _kind, _index in export_entries(payload)}  # fmt: skip


@dataclass(frozen=True)
class SideModule:
    archive: str  # the file in dist/ that ships it
    member: str  # its path inside that archive
    data: bytes


def _is_side_module(member: str) -> bool:
    base = member.rsplit("/", 1)[-1]
    return base.endswith(".so") or ".so." in base


def side_modules(folder: Path) -> Iterator[SideModule]:
    """Every side module the wheels and shared-library zips in ``folder`` ship."""
    for archive in sorted([*folder.glob("*.whl"), *folder.glob("*.zip")]):
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                if _is_side_module(member):
                    yield SideModule(archive.name, member, zf.read(member))


def needed_by(folder: Path) -> list[str]:
    """The symbols the side modules in ``folder`` import, sorted (what the link must export
    where the main module defines them)."""
    names: set[str] = set()
    for sm in side_modules(folder):
        names |= imported_symbols(sm.data)
    return sorted(names - LINKER_PROVIDED)


def defined_symbols(objdump: Path, objects: Iterable[Path | str], cwd: Path) -> set[str]:
    """Symbols the given wasm objects define with default visibility (``llvm-objdump -t``):
    what a shared library build would export.  Hidden ones (CPython's internals without
    ``PyAPI_FUNC``) are left to the linker."""
    res = subprocess.run([str(objdump), "-t", *map(str, objects)], cwd=cwd, capture_output=True,
                         text=True)  # fmt: skip
    if res.returncode != 0:
        raise BuildError(f"llvm-objdump failed: {res.stderr.strip()[-2000:]}")
    out = set()
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] in ("g", "w") and "*UND*" not in parts and ".hidden" not in parts:
            out.add(parts[-1])
    return out


def linker_response(names: Iterable[str]) -> str:
    """A wasm-ld response file exporting ``names`` where they are defined."""
    return "".join(f"--export-if-defined={n}\n" for n in sorted(set(names)))


_WASM_IMPORTS = re.compile(r"\bvar wasmImports\s*=\s*\{([^}]*)\}")


def glue_provided(glue: str) -> set[str]:
    """The symbols Emscripten's glue gives the dynamic linker (the keys of ``wasmImports``)."""
    m = _WASM_IMPORTS.search(glue)
    if not m:
        raise BuildError("the main module's glue has no `var wasmImports = {...}` to read")
    return {entry.split(":", 1)[0].strip() for entry in m[1].split(",") if entry.strip()}


def _depends_closure(lock: dict[str, Any], archive: str) -> set[str]:
    """The archives of the lock entry shipping ``archive`` and of everything it depends on."""
    start = next((n for n, e in lock["packages"].items() if e["file_name"] == archive), None)
    seen, todo = set(), [start] if start else []
    while todo:
        name = todo.pop()
        if name in seen or name not in lock["packages"]:
            continue
        seen.add(name)
        todo.extend(lock["packages"][name].get("depends", []))
    return {lock["packages"][n]["file_name"] for n in seen} | {archive}


def missing(folder: Path, main_wasm: Path, glue: Path) -> dict[str, list[str]]:
    """``"archive!member"`` -> the symbols it imports that nothing would provide."""
    provided = exported_symbols(main_wasm.read_bytes()) | glue_provided(glue.read_text())
    provided |= LINKER_PROVIDED
    lock = json.loads((folder / LOCK_NAME).read_text()) if (folder / LOCK_NAME).exists() else {
        "packages": {}}  # fmt: skip
    modules = list(side_modules(folder))
    by_archive: dict[str, set[str]] = {}
    for sm in modules:
        by_archive.setdefault(sm.archive, set()).update(exported_symbols(sm.data))
    # what a side module of each archive can bind to: the main module, and the side modules of
    # its own package and of the packages it depends on (computed once an archive)
    available = {archive: provided.union(*(by_archive.get(a, set())
                                           for a in _depends_closure(lock, archive)))
                 for archive in by_archive}  # fmt: skip
    out: dict[str, list[str]] = {}
    for sm in modules:
        lacking = imported_symbols(sm.data) - available[sm.archive] - weak_imports(sm.data)
        if lacking:
            out[f"{sm.archive}!{sm.member}"] = sorted(lacking)
    return out


def check(folder: Path, main_wasm: Path, glue: Path) -> None:
    """Fail the build if a shipped side module imports a symbol nothing provides."""
    lacking = missing(folder, main_wasm, glue)
    if lacking:
        lines = [f"  {where}: {', '.join(names[:12])}{' ...' if len(names) > 12 else ''}"
                 for where, names in sorted(lacking.items())]  # fmt: skip
        raise BuildError("side modules import symbols that neither the main module nor their "
                         "dependencies provide (they would fail when called):\n" + "\n".join(lines))
