"""Python callables as wasm imports on a wasmtime linker (through the unchecked call ABI)."""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi
from wasmtime._ffi import WASMTIME_EXTERN_MEMORY as _MEMORY_KIND

from .._types import Caller, Signature, signature_from_annotations
from ._wt_memory import WasmtimeMemory
from ._wt_store import set_host_failure

WASMTIME_EXTERN_MEMORY = _MEMORY_KIND.value
ImportValue = Callable[..., Any] | tuple[Callable[..., Any], "str | Signature"]
VALTYPES = {
    "i32": wasmtime.ValType.i32,
    "i64": wasmtime.ValType.i64,
    "f32": wasmtime.ValType.f32,
    "f64": wasmtime.ValType.f64,
}


@dataclass
class HostFunction:
    name: str
    func: Callable[..., Any]
    signature: Signature
    wants_caller: bool


_functions: dict[int, HostFunction] = {}
_ids = itertools.count(1)


def resolve(name: str, value: ImportValue) -> HostFunction:
    """Turn an ``imports`` entry (callable, or ``(callable, signature)``) into a HostFunction."""
    if isinstance(value, tuple):
        func, spec = value
        sig = spec if isinstance(spec, Signature) else Signature.parse(spec)
        try:
            _, wants_caller = signature_from_annotations(func, name)
        except TypeError:
            wants_caller = False
    else:
        func = value
        sig, wants_caller = signature_from_annotations(func, name)
    if not callable(func):
        raise TypeError(f"import {name}: {func!r} is not callable")
    return HostFunction(name, func, sig, wants_caller)


def _read(slot: Any, kind: str) -> int | float:
    value: int | float = getattr(slot, kind)
    return value


class CallerContext:
    """The calling instance's store context, valid only while the host function runs."""

    def __init__(self, caller: Any) -> None:
        self.caller: Any = caller
        self._memory: WasmtimeMemory | None = None

    def context(self) -> Any:
        if self.caller is None:
            raise RuntimeError("Caller.memory used after the host function returned")
        return ffi.wasmtime_caller_context(self.caller)

    def memory(self) -> WasmtimeMemory | None:
        if self._memory is None:
            item = ffi.wasmtime_extern_t()
            if not ffi.wasmtime_caller_export_get(self.caller, b"memory", 6, ctypes.byref(item)):
                return None
            kind: Any = item.kind  # an int at run time (typed as c_ubyte)
            if kind != WASMTIME_EXTERN_MEMORY:
                return None
            self._memory = WasmtimeMemory(
                wasmtime.Memory._from_raw(item.of.memory), self.context, None
            )
        return self._memory


def _arguments(host: HostFunction, caller: CallerContext, raw: Any) -> list[Any]:
    args: list[Any] = []
    index = 0
    if host.wants_caller:
        args.append(Caller(caller.memory()))
    for kind in host.signature.params:
        if kind in ("str", "bytes"):
            ptr, size = raw[index].i32 & 0xFFFFFFFF, raw[index + 1].i32 & 0xFFFFFFFF
            index += 2
            memory = caller.memory()
            if memory is None:
                raise TypeError(f"import {host.name}: takes {kind} but the module has no memory")
            data = memory.read(ptr, size)
            args.append(data.decode("utf-8") if kind == "str" else data)
        else:
            args.append(_read(raw[index], kind))
            index += 1
    return args


def _store_results(host: HostFunction, raw: Any, result: Any) -> None:
    kinds = host.signature.results
    values = result if len(kinds) > 1 else (result,)
    if len(kinds) == 0:
        if result is not None:
            raise TypeError(f"import {host.name} returned {result!r}; its signature has no result")
        return
    if not isinstance(values, tuple) or len(values) != len(kinds):
        raise TypeError(f"import {host.name} must return {len(kinds)} values, got {result!r}")
    for i, (kind, value) in enumerate(zip(kinds, values)):
        if kind in ("i32", "i64"):
            if isinstance(value, float) or not hasattr(value, "__index__"):
                raise TypeError(f"import {host.name} returned {value!r}, expected {kind}")
            setattr(raw[i], kind, value.__index__())
        else:
            if not isinstance(value, (int, float)):
                raise TypeError(f"import {host.name} returned {value!r}, expected {kind}")
            setattr(raw[i], kind, float(value))


def _trampoline(env: int | None, caller: Any, raw: Any, _count: int) -> int:
    host = _functions[env or 0]
    context = CallerContext(caller)
    try:
        _store_results(host, raw, host.func(*_arguments(host, context, raw)))
        return 0
    except BaseException as exc:
        tb = exc.__traceback__
        set_host_failure(exc, tb.tb_next if tb is not None and tb.tb_next is not None else tb)
        message = f"host function {host.name} raised {type(exc).__name__}".encode()
        trap = ffi.wasmtime_trap_new(message, len(message))
        return ctypes.cast(trap, ctypes.c_void_p).value or 0
    finally:
        context.caller = None


def _finalize(env: int | None) -> None:
    _functions.pop(env or 0, None)


_trampoline_c = ffi.wasmtime_func_unchecked_callback_t(_trampoline)
_finalize_c = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(_finalize)


def define_imports(
    linker: wasmtime.Linker, imports: Mapping[str, Mapping[str, ImportValue]]
) -> list[tuple[str, str]]:
    """Define every import on ``linker``; return the ``(module, name)`` pairs defined."""
    defined = []
    for module_name, items in imports.items():
        for name, value in items.items():
            host = resolve(f"{module_name}.{name}", value)
            ty = wasmtime.FuncType(
                [VALTYPES[k]() for k in host.signature.wasm_params()],
                [VALTYPES[k]() for k in host.signature.results],
            )
            key = next(_ids)
            _functions[key] = host
            mod_b, name_b = module_name.encode(), name.encode()
            error = ffi.wasmtime_linker_define_func_unchecked(
                linker.ptr(),
                mod_b,
                len(mod_b),
                name_b,
                len(name_b),
                ty.ptr(),
                _trampoline_c,
                key,
                _finalize_c,
            )
            if error:
                raise wasmtime.WasmtimeError._from_ptr(error)
            defined.append((module_name, name))
    return defined
