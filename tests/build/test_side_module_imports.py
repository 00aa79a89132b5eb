"""Every function a side module of dist/ calls is defined somewhere it will be loaded with.

A side module's undefined function binds, when it loads, to an export of the main module, to a
function of its JS library (the glue's `wasmImports`: `exit`, `__assert_fail`, ...) or to an
export of a module loaded before it.  One that nobody defines binds to a stub that fails when
called, as "resolved is not a function", which ends the host: Pillow's FreeType text called
libpng that way.  This reads the import and export sections of every module in dist/ and checks
each package's modules against the main module (its exports and JS library) and the modules of
the package and its dependencies (the lock's `depends`, transitively)."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from support.hosts import REPO

DIST = REPO / "dist"
# Imports that are meant to stay unresolved, with the reason.
ALLOWED_PREFIXES = {
    "_ZTH": "C++ thread_local initialisation wrappers, weak references that are null-checked "
    "before each call (HiGHS in SciPy)",
}


def _uleb(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def _name(data: bytes, i: int) -> tuple[str, int]:
    n, i = _uleb(data, i)
    return data[i : i + n].decode(), i + n


def imports_exports(wasm: bytes) -> tuple[set[str], set[str]]:
    """The names of the function imports (from env, GOT.func, GOT.mem) and of all exports."""
    assert wasm[:4] == b"\0asm", "not a wasm module"
    imports: set[str] = set()
    exports: set[str] = set()
    i = 8
    while i < len(wasm):
        section = wasm[i]
        size, i = _uleb(wasm, i + 1)
        end = i + size
        if section == 2:  # imports
            count, j = _uleb(wasm, i)
            for _ in range(count):
                module, j = _name(wasm, j)
                field, j = _name(wasm, j)
                kind = wasm[j]
                j += 1
                if kind == 0:  # function: a type index
                    _, j = _uleb(wasm, j)
                    if module == "env":
                        imports.add(field)
                elif kind == 1:  # table: reftype, limits
                    flags, j = _uleb(wasm, j + 1)
                    _, j = _uleb(wasm, j)
                    if flags & 1:
                        _, j = _uleb(wasm, j)
                elif kind == 2:  # memory: limits
                    flags, j = _uleb(wasm, j)
                    _, j = _uleb(wasm, j)
                    if flags & 1:
                        _, j = _uleb(wasm, j)
                elif kind == 3:  # global: valtype, mutability
                    j += 2
                    if module in ("GOT.func", "GOT.mem"):
                        imports.add(field)
                elif kind == 4:  # tag: attribute, type index
                    _, j = _uleb(wasm, j + 1)
        elif section == 7:  # exports
            count, j = _uleb(wasm, i)
            for _ in range(count):
                field, j = _name(wasm, j)
                _, j = _uleb(wasm, j + 1)
                exports.add(field)
        i = end
    return imports, exports


def js_library_functions(glue: str) -> set[str]:
    """The names of the main module's imports that its JS glue defines (``var wasmImports``)."""
    found = re.search(r"var wasmImports=\{(.*?)\};", glue, re.S)
    assert found, "no `var wasmImports={...}` in the JS glue"
    return {pair.split(":", 1)[0].strip() for pair in found[1].split(",")}


def package_modules(lock: dict, name: str) -> list[tuple[str, bytes]]:
    entry = lock["packages"][name]
    with zipfile.ZipFile(DIST / entry["file_name"]) as zf:
        return [(n, zf.read(n)) for n in zf.namelist() if n.endswith(".so")]


def closure(lock: dict, name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo += lock["packages"][n]["depends"]
    return seen


@pytest.mark.usefixtures("dist")
def test_every_imported_function_has_a_definition() -> None:
    lock = json.loads((DIST / "pinnace-lock.json").read_text())
    _, main_exports = imports_exports((DIST / "pinnace.asm.wasm").read_bytes())
    main_exports |= js_library_functions((DIST / "pinnace.asm.mjs").read_text())
    assert {"exit", "__assert_fail", "PyObject_Vectorcall", "inflate"} <= main_exports
    parsed = {
        name: [(path, *imports_exports(wasm)) for path, wasm in package_modules(lock, name)]
        for name, e in lock["packages"].items()
        if e.get("shared_libraries")
    }
    assert {"numpy", "scipy", "pillow", "matplotlib", "libopenblas"} <= set(parsed)
    missing = []
    for name, modules in parsed.items():
        available = set(main_exports)
        for dep in closure(lock, name):
            for _, _, exports in parsed.get(dep, []):
                available |= exports
        for path, imports, _ in modules:
            gone = sorted(s for s in imports - available
                          if not s.startswith(tuple(ALLOWED_PREFIXES)))  # fmt: skip
            if gone:
                missing.append(f"{name}: {path}: {', '.join(gone[:12])}")
    assert not missing, "functions no loaded module defines:\n" + "\n".join(missing)


def test_the_parser_reads_imports_and_exports() -> None:
    """A hand-assembled module: imports env.f (a function) and GOT.mem.g (a global), exports h."""
    def name(s: str) -> bytes:
        return bytes([len(s)]) + s.encode()

    types = bytes([1, 0x60, 0, 0])  # one type: () -> ()
    imports = bytes([2]) + name("env") + name("f") + bytes([0, 0]) \
        + name("GOT.mem") + name("g") + bytes([3, 0x7F, 1])
    functions = bytes([1, 0])
    exports = bytes([1]) + name("h") + bytes([0, 1])
    code = bytes([1, 2, 0, 0x0B])
    sections = b"".join(bytes([sid, len(body)]) + body for sid, body in
                        [(1, types), (2, imports), (3, functions), (7, exports), (10, code)])
    got_imports, got_exports = imports_exports(b"\0asm\x01\0\0\0" + sections)
    assert (got_imports, got_exports) == ({"f", "g"}, {"h"})
