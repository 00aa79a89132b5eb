"""Exports and memory through the old ``wasmer`` package (wasmer-python 1.x, Python <= 3.10).

Only imported when ``import wasmer`` works. WASI, limits and str/bytes host-function
parameters raise ``Unsupported``; numbers, memory and the str/bytes export convention work.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from .._errors import InvalidModule, LinkError, MemoryLimitExceeded, Trap, Unsupported
from .._limits import Limits
from .._memory import Memory
from .._module import CancelToken, Export, HostError
from .._source import ModuleBytes
from .._types import NUMERIC, Signature, signature_from_annotations
from .._wasi import Wasi

wasmer: Any = importlib.import_module("wasmer")
USE_WASMTIME = "use backend='wasmtime', which supports it"
_TYPES = {
    "i32": wasmer.Type.I32,
    "i64": wasmer.Type.I64,
    "f32": wasmer.Type.F32,
    "f64": wasmer.Type.F64,
}
_NAMES = {v: k for k, v in _TYPES.items()}


class LegacyMemory(Memory):
    def __init__(self, memory: Any) -> None:
        self._memory = memory

    @property
    def view(self) -> memoryview:
        return memoryview(self._memory.buffer).cast("B")

    @property
    def pages(self) -> int:
        return int(self._memory.size)

    def grow(self, pages: int) -> int:
        try:
            return int(self._memory.grow(pages))
        except RuntimeError as exc:
            raise MemoryLimitExceeded(f"cannot grow memory by {pages} pages: {exc}") from None


class LegacyExport(Export):
    def __init__(self, instance: LegacyInstance, name: str, func: Any, sig: Signature) -> None:
        super().__init__(instance, name, sig)
        self._func = func

    def _raw_call(self, values: list[int | float], token: CancelToken | None) -> Any:
        failures = self.instance.failures  # type: ignore[attr-defined]
        try:
            result = self._func(*values)
        except RuntimeError as exc:
            if failures:
                raise HostError(*failures.pop()) from None
            raise Trap(f"{self.name}() trapped (wasmer): {exc}") from None
        return tuple(result) if isinstance(result, list) else result


class LegacyInstance:
    backend = "wasmer"
    cache_status = "off"
    stdout: bytes | None = None
    stderr: bytes | None = None

    def __init__(
        self,
        source: ModuleBytes,
        *,
        wasi: Wasi | None,
        limits: Limits,
        imports: Mapping[str, Mapping[str, Any]],
    ) -> None:
        if wasi is not None or limits != Limits():
            raise Unsupported(
                "backend 'wasmer' (old wasmer package) does not do WASI or "
                f"limits here; {USE_WASMTIME}"
            )
        self.failures: list[tuple[BaseException, Any]] = []
        store = wasmer.Store()
        try:
            module = wasmer.Module(store, source.wasm)
        except Exception as exc:
            raise InvalidModule(f"invalid wasm module (wasmer): {exc}") from None
        import_object = wasmer.ImportObject()
        for namespace, items in imports.items():
            import_object.register(
                namespace,
                {
                    name: self._host(store, f"{namespace}.{name}", value)
                    for name, value in items.items()
                },
            )
        try:
            self._instance = wasmer.Instance(module, import_object)
        except RuntimeError as exc:
            raise LinkError(f"instantiating {source.name} (wasmer): {exc}") from None
        self.memory: Memory | None = None
        self._funcs: dict[str, Any] = {}
        for name, item in self._instance.exports:
            if isinstance(item, wasmer.Function):
                self._funcs[name] = item
            elif isinstance(item, wasmer.Memory) and (self.memory is None or name == "memory"):
                self.memory = LegacyMemory(item)
        self._exports: dict[str, Export] = {}

    def _host(self, store: Any, name: str, value: Any) -> Any:
        if isinstance(value, tuple):
            func, spec = value
            sig = spec if isinstance(spec, Signature) else Signature.parse(spec)
        else:
            func = value
            sig, wants_caller = signature_from_annotations(func, name)
            if wants_caller:
                raise Unsupported(f"import {name}: Caller parameters need backend='wasmtime'")
        if any(kind not in NUMERIC for kind in sig.params):
            raise Unsupported(f"import {name}: str/bytes parameters need backend='wasmtime'")

        def call(*args: Any) -> Any:
            try:
                return func(*args)
            except BaseException as exc:  # re-raised at the export call (LegacyExport)
                self.failures.append((exc, exc.__traceback__))
                raise

        ty = wasmer.FunctionType([_TYPES[k] for k in sig.params], [_TYPES[k] for k in sig.results])
        return wasmer.Function(store, call, ty)

    def export(self, name: str) -> Export:
        if name not in self._exports:
            if name not in self._funcs:
                raise AttributeError(f"the module has no function export {name!r}")
            ty = self._funcs[name].type
            params = tuple(_NAMES.get(t, str(t)) for t in ty.params)
            results = tuple(_NAMES.get(t, str(t)) for t in ty.results)
            if not all(k in NUMERIC for k in params + results):
                raise Unsupported(f"{name}: pinnace_host converts only i32, i64, f32 and f64")
            self._exports[name] = LegacyExport(
                self, name, self._funcs[name], Signature(params, results)
            )
        return self._exports[name]

    def export_names(self) -> list[str]:
        return list(self._funcs)

    def close(self) -> None:
        self._exports.clear()
        self._funcs.clear()
        self.memory = None
