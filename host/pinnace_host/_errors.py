"""The error hierarchy: everything pinnace_host raises about a wasm module is a ``WasmError``."""

from __future__ import annotations

from dataclasses import dataclass


class WasmError(Exception):
    """Base class of every error about a wasm module (loading, linking, running)."""

    # What the program had printed when it was stopped, where it is known (pinnace_host.python
    # sets them on the limit or trap that ended a run); None elsewhere.
    stdout: bytes | None = None
    stderr: bytes | None = None


class InvalidModule(WasmError):
    """The bytes (or WAT text) are not a valid module; the message carries the engine's reason."""


class LinkError(WasmError):
    """Instantiation failed: an import is missing or has the wrong type.

    ``missing`` lists the ``(module, name)`` pairs that nothing provided.
    """

    def __init__(self, message: str, missing: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing

    def __reduce__(self) -> tuple[type, tuple[str, tuple[tuple[str, str], ...]]]:
        return type(self), (str(self), self.missing)  # its fields survive a process pool


@dataclass(frozen=True)
class Frame:
    """One frame of a wasm backtrace, innermost first."""

    module: str | None
    function: str | None
    function_index: int
    offset: int

    def __str__(self) -> str:
        name = self.function or f"<wasm function {self.function_index}>"
        return f"{self.module or '<module>'}!{name} at 0x{self.offset:x}"


def format_backtrace(frames: tuple[Frame, ...]) -> str:
    return "\n".join(f"  {i}: {frame}" for i, frame in enumerate(frames))


class Trap(WasmError):
    """Wasm code trapped (``unreachable``, out-of-bounds access, division by zero, ...).

    ``code`` is the engine's trap code as a lower-case name (``"unreachable"``,
    ``"memory_out_of_bounds"``, ...) or ``None``; ``frames`` is the wasm backtrace, innermost
    first; ``wasm_backtrace`` is the same as text.
    """

    def __init__(
        self, message: str, code: str | None = None, frames: tuple[Frame, ...] = ()
    ) -> None:
        text = message
        if frames:
            text = f"{message}\nwasm backtrace:\n{format_backtrace(frames)}"
        super().__init__(text)
        self.reason = message
        self.code = code
        self.frames = frames

    def __reduce__(self) -> tuple[type, tuple[str, str | None, tuple[Frame, ...]]]:
        return type(self), (self.reason, self.code, self.frames)

    @property
    def wasm_backtrace(self) -> str:
        return format_backtrace(self.frames)


class LimitExceeded(WasmError):
    """A resource limit from ``Limits`` stopped the module."""


class OutOfFuel(LimitExceeded):
    """The call used up ``Limits.fuel``."""


class Timeout(LimitExceeded, TimeoutError):
    """The call ran longer than ``Limits.timeout`` seconds."""


class MemoryLimitExceeded(LimitExceeded):
    """Linear memory would have grown past ``Limits.memory`` bytes."""


class Unsupported(WasmError):
    """The chosen backend cannot do what was asked; the message says which backend can."""


class Exit(WasmError):
    """A WASI module called ``proc_exit`` during ``Module.call``; ``exit_code`` is its status.

    ``pinnace_host.run`` turns this into ``Completed.exit_code`` instead of raising it.
    """

    def __init__(self, exit_code: int) -> None:
        super().__init__(f"the module exited with status {exit_code}")
        self.exit_code = exit_code

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return type(self), (self.exit_code,)
