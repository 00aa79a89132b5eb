"""The wasmtime backend: everything pinnace_host offers."""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi

from .._errors import Exit, InvalidModule, LinkError, MemoryLimitExceeded, Unsupported
from .._limits import Limits
from .._memory import Memory
from .._module import CancelToken, Export, HostError
from .._source import ModuleBytes
from .._types import NUMERIC, Signature
from .._wasi import Completed, Wasi
from ._wt_engine import MAX_WASM_STACK, EngineConfig, compile_module, engine_for
from ._wt_imports import ImportValue, define_imports
from ._wt_memory import WasmtimeMemory
from ._wt_store import StoreState, take_host_failure
from ._wt_wasi import WASI_MODULES, Capture, wasi_config

_CALL = ffi._wasmtime_func_call_unchecked
_KINDS = {"i32": 0, "i64": 1, "f32": 2, "f64": 3}


class WasmtimeExport(Export):
    """An export called through ``wasmtime_func_call_unchecked`` with its signature cached."""

    def __init__(self, instance: WasmtimeInstance, name: str, func: wasmtime.Func, sig: Signature):
        super().__init__(instance, name, sig)
        self._state = instance.state
        self._memory = instance.memory
        self._func = func._func
        self._func_ref = ctypes.byref(self._func)
        self._size = max(len(sig.params), len(sig.results), 1)
        self._raw = (ffi.wasmtime_val_raw_t * self._size)()
        self._slots = tuple(self._raw[i] for i in range(self._size))
        self._kinds = tuple(_KINDS[k] for k in sig.params)
        self._nparams = len(sig.params)
        self._single = sig.results[0] if len(sig.results) == 1 else None
        self._what = f"{name}()"

    def __call__(self, *args: Any, returns: type | None = None) -> Any:
        state = self._state
        if returns is None and state.plain and len(args) == self._nparams:
            slots, kinds = self._slots, self._kinds
            failure = None
            with state.lock:
                for i, a in enumerate(args):
                    t, k = type(a), kinds[i]
                    if t is int:
                        if k == 0:
                            if not -2147483648 <= a <= 4294967295:
                                break
                            slots[i].i32 = a
                        elif k == 1:
                            if not -9223372036854775808 <= a <= 18446744073709551615:
                                break
                            slots[i].i64 = a
                        elif k == 2:
                            slots[i].f32 = a
                        else:
                            slots[i].f64 = a
                    elif t is float and k >= 2:
                        if k == 2:
                            slots[i].f32 = a
                        else:
                            slots[i].f64 = a
                    else:
                        break
                else:
                    err = _CALL(
                        state.context, self._func_ref, self._raw, self._size, state.trap_ref
                    )
                    if not err and not state.trap:
                        single = self._single
                        if single is not None:
                            return getattr(slots[0], single)
                        return self._results()
                    failure = state.failure(self._what, err, self._memory_size())
            if failure is not None:
                if isinstance(failure, HostError):
                    raise failure.exc.with_traceback(failure.tb)
                raise failure.with_traceback(None)
        return self.invoke(args, returns, None)

    def _memory_size(self) -> int | None:
        return self._memory.size if self._memory is not None else None

    def _results(self) -> Any:
        kinds = self.signature.results
        if not kinds:
            return None
        values = tuple(getattr(slot, kind) for slot, kind in zip(self._slots, kinds))
        return values[0] if len(values) == 1 else values

    def _raw_call(self, values: list[int | float], token: CancelToken | None) -> Any:
        state = self._state
        with state.lock:
            for slot, kind, value in zip(self._slots, self.signature.params, values):
                setattr(slot, kind, value)
            watched = state.begin(token)
            try:
                err = _CALL(state.ctx(), self._func_ref, self._raw, self._size, state.trap_ref)
            finally:
                if watched:
                    state.end()
            if err or state.trap:
                raise state.failure(self._what, err, self._memory_size())
            return self._results()


class UnsupportedExport(Export):
    """An export whose types pinnace_host does not convert (v128, references)."""

    def __init__(self, instance: WasmtimeInstance, name: str, types: str) -> None:
        super().__init__(instance, name, Signature((), ()))
        self._types = types

    def __repr__(self) -> str:
        return f"<wasm export {self.name}{self._types}>"

    def _raw_call(self, values: list[int | float], token: CancelToken | None) -> Any:
        raise Unsupported(
            f"{self.name}{self._types}: pinnace_host converts only i32, i64, f32 and f64"
        )

    def convert(self, args: tuple[Any, ...]) -> tuple[list[int | float], list[tuple[int, int]]]:
        return [], []


_KNOWN_TYPES = [
    (name, make())
    for name, make in (
        ("i32", wasmtime.ValType.i32),
        ("i64", wasmtime.ValType.i64),
        ("f32", wasmtime.ValType.f32),
        ("f64", wasmtime.ValType.f64),
    )
]


def type_name(ty: wasmtime.ValType) -> str:
    # Not str(ty): the C API's wasm_valtype_kind aborts the process on v128.
    for name, known in _KNOWN_TYPES:
        if ffi.wasmtime_wasm_valtype_equal(ty.ptr(), known.ptr()):
            return name
    return "v128 or reference"


def _signature(ty: wasmtime.FuncType) -> Signature | str:
    params = tuple(type_name(p) for p in ty.params)
    results = tuple(type_name(r) for r in ty.results)
    if all(k in NUMERIC for k in params + results):
        return Signature(params, results)
    return f"({', '.join(params)}) -> ({', '.join(results)})"


class WasmtimeInstance:
    backend = "wasmtime"

    def __init__(
        self,
        source: ModuleBytes,
        *,
        wasi: Wasi | None,
        limits: Limits,
        imports: Mapping[str, Mapping[str, ImportValue]],
        cache: Any,
        stack: int = MAX_WASM_STACK,
    ) -> None:
        engine = engine_for(EngineConfig(fuel=limits.fuel is not None, stack=stack))
        self.module, self.cache_status = compile_module(engine, source.wasm, cache)
        self.state = StoreState(engine, limits)
        self._out: Capture | None = None
        self.memory: Memory | None = None
        self._funcs: dict[str, tuple[wasmtime.Func, Signature | str]] = {}
        self._exports: dict[str, Export] = {}
        try:
            self._setup(source, wasi, limits, imports)
        except BaseException:
            self.close()  # release the store (and its WASI context) now, not at some GC
            raise

    def _setup(
        self,
        source: ModuleBytes,
        wasi: Wasi | None,
        limits: Limits,
        imports: Mapping[str, Mapping[str, ImportValue]],
    ) -> None:
        engine = self.state.engine
        linker = wasmtime.Linker(engine.engine)
        linker.allow_shadowing = True
        needed = [(imp.module, imp.name or "") for imp in self.module.imports]
        if wasi is not None or any(mod in WASI_MODULES for mod, _ in needed):
            config, self._out = wasi_config(wasi or Wasi(), source.name)
            linker.define_wasi()
            self.state.capture = self._out
            self.state.store.set_wasi(config)
        defined = set(define_imports(linker, imports))
        missing = tuple(
            (mod, name)
            for mod, name in needed
            if mod not in WASI_MODULES and (mod, name) not in defined
        )
        if missing:
            names = ", ".join(f"{mod}.{name}" for mod, name in missing)
            raise LinkError(
                f"{source.name} imports {names}, which imports= does not provide", missing
            )
        self._instantiate(linker, source.name, limits)
        exports = self.instance.exports(self.state.store)
        for exp in self.module.exports:
            item = exports[exp.name]
            if isinstance(item, wasmtime.Func):
                self._funcs[exp.name] = (item, _signature(item.type(self.state.store)))
            elif isinstance(item, wasmtime.Memory) and (
                self.memory is None or exp.name == "memory"
            ):
                self.memory = WasmtimeMemory(item, self.state.ctx, limits.memory)
        if "_initialize" in self._funcs and "_start" not in self._funcs:
            self.export("_initialize").invoke((), None, None)  # a WASI reactor's constructors

    def _instantiate(self, linker: wasmtime.Linker, name: str, limits: Limits) -> None:
        state = self.state
        instance = ffi.wasmtime_instance_t()
        with state.lock:
            watched = state.begin(None)
            try:
                error = ffi.wasmtime_linker_instantiate(
                    linker.ptr(),
                    state.context,
                    self.module.ptr(),
                    ctypes.byref(instance),
                    state.trap_ref,
                )
            finally:
                if watched:
                    state.end()
            if state.trap:
                raise state.failure(f"instantiating {name}", error, None)
            if error:
                message = str(wasmtime.WasmtimeError._from_ptr(error))
                take_host_failure()
                if limits.memory is not None and "memory" in message and "limit" in message:
                    raise MemoryLimitExceeded(
                        f"instantiating {name}: its initial memory is larger than "
                        f"Limits.memory={limits.memory} bytes ({message})"
                    )
                raise LinkError(f"instantiating {name}: {message}")
        self.instance = wasmtime.Instance._from_raw(instance)

    def export(self, name: str) -> Export:
        export = self._exports.get(name)
        if export is None:
            if name not in self._funcs:
                raise AttributeError(
                    f"the module has no function export {name!r}; it exports: "
                    + (", ".join(self._funcs) or "no functions")
                )
            func, sig = self._funcs[name]
            if isinstance(sig, Signature):
                export = WasmtimeExport(self, name, func, sig)
            else:
                export = UnsupportedExport(self, name, sig)
            self._exports[name] = export
        return export

    def export_names(self) -> list[str]:
        return list(self._funcs)

    @property
    def stdout(self) -> bytes | None:
        return bytes(self._out.stdout) if self._out is not None else None

    @property
    def stderr(self) -> bytes | None:
        return bytes(self._out.stderr) if self._out is not None else None

    def close(self) -> None:
        self._exports.clear()
        self._funcs.clear()
        self.memory = None
        self.state.close()


def load(
    source: ModuleBytes,
    *,
    wasi: Wasi | None,
    limits: Limits,
    imports: Mapping[str, Mapping[str, ImportValue]],
    cache: Any,
) -> WasmtimeInstance:
    return WasmtimeInstance(source, wasi=wasi, limits=limits, imports=imports, cache=cache)


def run(
    source: ModuleBytes,
    *,
    wasi: Wasi,
    limits: Limits,
    imports: Mapping[str, Mapping[str, ImportValue]],
    cache: Any,
    token: CancelToken | None = None,
    stack: int = MAX_WASM_STACK,
) -> Completed:
    """Run a WASI command.  ``stack``: the wasm call stack's bytes; above MAX_WASM_STACK, call
    this on a thread whose native stack is larger than it (pinnace_host.python does)."""
    instance = WasmtimeInstance(source, wasi=wasi, limits=limits, imports=imports, cache=cache,
                                stack=stack)  # fmt: skip
    try:
        if "_start" not in instance.export_names():
            raise InvalidModule(
                f"{source.name} has no _start export: it is not a WASI command; "
                "use pinnace_host.load() and call its exports"
            )
        instance.export("_start").invoke((), None, token)
        code = 0
    except Exit as exit:
        code = exit.exit_code
    finally:
        instance.close()
    return Completed(code, instance.stdout, instance.stderr)
