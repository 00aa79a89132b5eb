"""The string/bytes convention between the host and a guest module.

The guest exports an allocator and a deallocator:

    alloc(size: i32) -> i32          (or C's ``malloc``)
    dealloc(ptr: i32, size: i32)     (or C's ``free(ptr)``)

A ``str`` (encoded as UTF-8) or bytes-like argument becomes two wasm parameters ``(ptr, len)``:
the host allocates ``len`` bytes, copies the data in, calls the export and frees the buffer
afterwards (the guest only borrows it for the call; an empty value is passed as ``(0, 0)``).
A result lifted with ``returns=str`` or ``returns=bytes`` is either an ``i64`` packing
``(ptr << 32) | len`` or two ``i32`` results ``(ptr, len)``: the host copies the bytes out and
frees the buffer with ``dealloc(ptr, len)``, so the guest allocates it with ``alloc``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._memory import Memory

BytesLike = bytes | bytearray | memoryview
ALLOCATORS = (("alloc", "dealloc"), ("malloc", "free"))


class StringABI:
    """Lowers str/bytes arguments into guest memory and lifts str/bytes results out of it."""

    def __init__(
        self,
        export_name: str,
        call_export: Callable[[str, tuple[int, ...]], Any],
        has_export: Callable[[str], bool],
        memory: Memory | None,
    ) -> None:
        self._export_name = export_name
        self._call = call_export
        self._memory = memory
        pair = next((p for p in ALLOCATORS if has_export(p[0]) and has_export(p[1])), None)
        self._alloc, self._free = pair if pair else ("", "")

    def _require(self) -> Memory:
        if self._memory is None or not self._alloc:
            raise TypeError(
                f"{self._export_name}(): passing str/bytes needs the module to export 'memory', "
                "'alloc(size) -> ptr' and 'dealloc(ptr, size)' (or malloc/free); "
                "see docs/host.md, 'Strings and bytes'"
            )
        return self._memory

    def lower(self, value: str | BytesLike) -> tuple[int, int]:
        """Copy ``value`` into a fresh guest buffer; return ``(ptr, len)``."""
        memory = self._require()
        data = value.encode("utf-8") if isinstance(value, str) else memoryview(value).cast("B")
        if len(data) == 0:
            return 0, 0
        ptr = int(self._call(self._alloc, (len(data),))) & 0xFFFFFFFF
        if ptr == 0:
            raise MemoryError(f"{self._export_name}(): the guest's {self._alloc} returned NULL")
        memory.write(ptr, data)
        return ptr, len(data)

    def free(self, ptr: int, size: int) -> None:
        if size == 0:
            return
        if self._free == "dealloc":
            self._call(self._free, (ptr, size))
        else:
            self._call(self._free, (ptr,))

    def lift(self, result: Any, returns: type) -> str | bytes:
        """Read a ``(ptr, len)`` result (packed i64 or two i32) and free its buffer."""
        memory = self._require()
        if isinstance(result, tuple):
            ptr, size = result[0] & 0xFFFFFFFF, result[1] & 0xFFFFFFFF
        else:
            packed = int(result) & 0xFFFFFFFFFFFFFFFF
            ptr, size = packed >> 32, packed & 0xFFFFFFFF
        data = memory.read(ptr, size)
        self.free(ptr, size)
        return data.decode("utf-8") if returns is str else data
