"""``Memory`` over a wasmtime linear memory (zero-copy views through its base pointer)."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi

from .._errors import MemoryLimitExceeded
from .._memory import Memory

Context = Any  # ctypes pointer to wasmtime_context_t


class WasmtimeMemory(Memory):
    """A memory export; ``context`` returns the store context to use (store's or a caller's)."""

    def __init__(
        self, memory: wasmtime.Memory, context: Callable[[], Context], limit: int | None
    ) -> None:
        self._mem = memory._memory
        self._ref = ctypes.byref(self._mem)
        self._context = context
        self._limit = limit
        self._cached: tuple[int, int, memoryview] | None = None

    @property
    def view(self) -> memoryview:
        ctx = self._context()
        base = ctypes.cast(ffi.wasmtime_memory_data(ctx, self._ref), ctypes.c_void_p).value or 0
        size = ffi.wasmtime_memory_data_size(ctx, self._ref)
        cached = self._cached
        if cached is not None and cached[0] == base and cached[1] == size:
            return cached[2]
        array = (ctypes.c_ubyte * size).from_address(base)
        view = memoryview(array).cast("B")
        self._cached = (base, size, view)
        return view

    @property
    def pages(self) -> int:
        return int(ffi.wasmtime_memory_size(self._context(), self._ref))

    @property
    def size(self) -> int:
        return int(ffi.wasmtime_memory_data_size(self._context(), self._ref))

    def read(self, ptr: int, n: int) -> bytes:
        ctx = self._context()
        size = ffi.wasmtime_memory_data_size(ctx, self._ref)
        self._check(ptr, n, size, "read")
        base = ctypes.cast(ffi.wasmtime_memory_data(ctx, self._ref), ctypes.c_void_p).value or 0
        return ctypes.string_at(base + ptr, n)

    def grow(self, pages: int) -> int:
        if pages < 0:
            raise ValueError("cannot grow memory by a negative number of pages")
        prev = ctypes.c_uint64(0)
        error = ffi.wasmtime_memory_grow(self._context(), self._ref, pages, ctypes.byref(prev))
        if error:
            reason = str(wasmtime.WasmtimeError._from_ptr(error))
            limit = f" (Limits.memory is {self._limit} bytes)" if self._limit else ""
            raise MemoryLimitExceeded(
                f"cannot grow memory from {self.pages} by {pages} pages{limit}: {reason}"
            )
        return prev.value
