"""``Memory``: a module's linear memory, the same interface on every backend."""

from __future__ import annotations

from abc import ABC, abstractmethod

PAGE_SIZE = 65536


class Memory(ABC):
    """A module's exported linear memory.

    ``read``/``write`` copy bytes in and out with bounds checks; ``view`` is a zero-copy,
    writable ``memoryview`` of the whole memory. A view taken before the memory grows keeps
    the old length: read ``view`` again after a call that may grow memory (the property
    returns a fresh view whenever the size or address has changed).
    """

    @property
    @abstractmethod
    def view(self) -> memoryview:
        """The whole memory as a writable ``memoryview`` (format ``B``), current size."""

    @property
    @abstractmethod
    def pages(self) -> int:
        """Current size in 64 KiB pages."""

    @abstractmethod
    def grow(self, pages: int) -> int:
        """Grow by ``pages`` pages; return the previous size in pages.

        Raises ``MemoryLimitExceeded`` past ``Limits.memory`` or the module's own maximum.
        """

    @property
    def size(self) -> int:
        """Current size in bytes."""
        return self.pages * PAGE_SIZE

    def __len__(self) -> int:
        return self.size

    def _check(self, ptr: int, n: int, size: int, what: str) -> None:
        if ptr < 0 or n < 0 or ptr + n > size:
            raise IndexError(
                f"memory {what} of {n} bytes at {ptr} is out of bounds (memory is {size} bytes)"
            )

    def read(self, ptr: int, n: int) -> bytes:
        """Copy ``n`` bytes starting at ``ptr`` out of guest memory."""
        view = self.view
        self._check(ptr, n, len(view), "read")
        return bytes(view[ptr : ptr + n])

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        """Copy ``data`` into guest memory at ``ptr``."""
        view = self.view
        src = memoryview(data).cast("B")
        self._check(ptr, len(src), len(view), "write")
        view[ptr : ptr + len(src)] = src

    def read_cstring(self, ptr: int, limit: int | None = None) -> bytes:
        """Bytes from ``ptr`` up to (not including) the first NUL byte."""
        view = self.view
        self._check(ptr, 0, len(view), "read")
        end = len(view) if limit is None else min(len(view), ptr + limit)
        data = bytes(view[ptr:end])
        nul = data.find(b"\0")
        if nul < 0:
            raise ValueError(f"no NUL byte after {ptr} within {end - ptr} bytes")
        return data[:nul]
