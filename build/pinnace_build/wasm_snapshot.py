"""A wasm module started once, saved as a module that begins where it stopped.

``snapshot(module, start)`` instantiates ``module`` (a WASI reactor) under wasmtime, lets
``start`` run it (its constructors, then whatever initialisation it exports), and returns a new
module: the original with its linear memory as data segments, its globals' initial values set to
what they were then, and the initialisation exports removed.  Instantiating the new module is a
copy of the started one; wasmtime maps its data copy-on-write, so that costs little.

Only what the module's memory and globals hold is kept: state outside them (open files, the
WASI host's) is not, so the initialisation must leave none that matters (wasi-libc's table of
preopened folders is reset by the program on each run: runtime/wasi/sandbox.c).
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable, Iterator

import wasmtime

PAGE = 65536
GLOBAL_EXPORT = "__pinnace_global_"
GAP = 4096  # zero runs at least this long end a data segment


def leb(data: bytes, i: int, signed: bool = False) -> tuple[int, int]:
    """The LEB128 number at ``data[i]`` (unsigned, or signed) and the index after it."""
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            if signed and byte & 0x40:
                result -= 1 << shift
            return result, i


def _sleb(data: bytes, i: int) -> tuple[int, int]:
    return leb(data, i, signed=True)


def _uleb_bytes(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _sleb_bytes(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        done = (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def _name(s: str) -> bytes:
    raw = s.encode()
    return _uleb_bytes(len(raw)) + raw


def sections(module: bytes) -> Iterator[tuple[int, bytes]]:
    """(id, payload) of each section, in order."""
    if module[:8] != b"\0asm\x01\0\0\0":
        raise ValueError("not a wasm module (version 1)")
    i = 8
    while i < len(module):
        sid = module[i]
        size, j = leb(module, i + 1)
        yield sid, module[j:j + size]
        i = j + size


def _assemble(parts: list[tuple[int, bytes]]) -> bytes:
    return b"\0asm\x01\0\0\0" + b"".join(bytes([sid]) + _uleb_bytes(len(p)) + p for sid, p in parts)


def _globals(payload: bytes) -> list[tuple[int, int, int]]:
    """(valtype, mutable, const value) of each global the module defines."""
    count, i = leb(payload, 0)
    out = []
    for _ in range(count):
        valtype, mutable, op = payload[i], payload[i + 1], payload[i + 2]
        if op not in (0x41, 0x42):  # i32.const, i64.const
            raise ValueError(f"global initialiser opcode {op:#x} not understood")
        value, i = _sleb(payload, i + 3)
        if payload[i] != 0x0B:
            raise ValueError("global initialiser longer than one constant")
        out.append((valtype, mutable, value))
        i += 1
    return out


def export_entries(payload: bytes) -> list[tuple[str, int, int]]:
    count, i = leb(payload, 0)
    out = []
    for _ in range(count):
        n, i = leb(payload, i)
        name = payload[i:i + n].decode()
        kind = payload[i + n]
        index, i = leb(payload, i + n + 1)
        out.append((name, kind, index))
    return out


def _encode_exports(exports: list[tuple[str, int, int]]) -> bytes:
    return _uleb_bytes(len(exports)) + b"".join(_name(n) + bytes([k]) + _uleb_bytes(x) for n, k, x in exports)


def _with_global_exports(module: bytes, engine: wasmtime.Engine) -> tuple[bytes, int]:
    """``module`` exporting each of its own globals as ``__pinnace_global_<n>``, and their count.
    Imported globals come first in the index space; wasmtime says how many there are."""
    parts = list(sections(module))
    imported = sum(isinstance(i.type, wasmtime.GlobalType) for i in wasmtime.Module(engine, module).imports)
    defined = len(next((_globals(p) for s, p in parts if s == 6), []))
    extra = [(f"{GLOBAL_EXPORT}{n}", 3, imported + n) for n in range(defined)]
    parts = [(s, _encode_exports(export_entries(p) + extra) if s == 7 else p) for s, p in parts]
    return _assemble(parts), defined


def _data_segments(memory: bytes) -> bytes:
    """Active segments holding ``memory``'s bytes, runs of GAP or more zeros left out."""
    segments = []
    at = 0
    for gap in [*re.finditer(rb"\0{%d,}" % GAP, memory), None]:
        stop = gap.start() if gap else len(memory)
        chunk = memory[at:stop]
        offset = at + len(chunk) - len(chunk.lstrip(b"\0"))
        body = chunk.strip(b"\0")
        if body:
            segments.append(b"\0\x41" + _sleb_bytes(offset) + b"\x0b" + _uleb_bytes(len(body)) + body)
        if gap:
            at = gap.end()
    return _uleb_bytes(len(segments)) + b"".join(segments)


def _rewrite(module: bytes, memory: bytes, values: list[int], drop: set[str]) -> bytes:
    out = []
    for sid, payload in sections(module):
        if sid == 5:  # memory: one, its minimum now the snapshot's size
            count, i = leb(payload, 0)
            flags, i = leb(payload, i)
            _, i = leb(payload, i)
            if count != 1:
                raise ValueError("one memory expected")
            rest = payload[i:]
            payload = b"\x01" + _uleb_bytes(flags) + _uleb_bytes(len(memory) // PAGE) + rest
        elif sid == 6:
            globals_ = _globals(payload)
            payload = _uleb_bytes(len(globals_)) + b"".join(
                bytes([t, m, 0x41 if t == 0x7F else 0x42]) + _sleb_bytes(values[n] if m else v) + b"\x0b"
                for n, (t, m, v) in enumerate(globals_))  # fmt: skip
        elif sid == 7:
            payload = _encode_exports([e for e in export_entries(payload) if e[0] not in drop])
        elif sid == 11:
            payload = _data_segments(memory)
        elif sid == 12:
            raise ValueError("a DataCount section (bulk memory) is not supported")
        out.append((sid, payload))
    return _assemble(out)


def snapshot(module: bytes, start: Callable[[wasmtime.Store, wasmtime.Instance], None],
             wasi: wasmtime.WasiConfig, drop: set[str]) -> bytes:  # fmt: skip
    """The module as it is after ``start(store, instance)`` ran (with ``wasi``); ``drop``: the
    exports the copy must not have (its constructors and initialisation)."""
    engine = wasmtime.Engine()
    instrumented, count = _with_global_exports(module, engine)
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module(engine, instrumented))
    start(store, instance)
    exports = instance.exports(store)
    memory = exports["memory"]
    assert isinstance(memory, wasmtime.Memory)
    size = memory.data_len(store)
    data = bytes((ctypes.c_ubyte * size).from_address(ctypes.addressof(memory.data_ptr(store).contents)))
    values = []
    for n in range(count):
        g = exports[f"{GLOBAL_EXPORT}{n}"]
        assert isinstance(g, wasmtime.Global)
        values.append(int(g.value(store)))
    return _rewrite(module, data, values, drop)
