"""A wasmtime store with pinnace's limits: fuel per call, timeouts and cancellation through the
epoch deadline callback, the memory limiter; and the mapping of failures to our errors."""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import itertools
import threading
import time
import weakref
from types import TracebackType
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi
from wasmtime._trap import FrameList

from .._errors import (
    Exit,
    Frame,
    MemoryLimitExceeded,
    OutOfFuel,
    Timeout,
    Trap,
    format_backtrace,
)
from .._limits import Limits
from .._memory import PAGE_SIZE
from .._module import CancelToken, HostError
from ._wt_engine import Engine
from ._wt_wasi import Capture, wait_all_released

NO_DEADLINE = 1 << 62
_states: weakref.WeakValueDictionary[int, StoreState] = weakref.WeakValueDictionary()
_ids = itertools.count(1)
_host_failure = threading.local()  # .value: (exception, traceback) from a host function


def set_host_failure(exc: BaseException, tb: TracebackType | None) -> None:
    _host_failure.value = (exc, tb)


def take_host_failure() -> tuple[BaseException, TracebackType | None] | None:
    value: tuple[BaseException, TracebackType | None] | None = getattr(_host_failure, "value", None)
    _host_failure.value = None
    return value


def _on_epoch(_ctx: Any, data: int | None, delta: Any, kind: Any) -> int:
    state = _states.get(data or 0)
    reason = state.interrupt_reason() if state is not None else None
    if reason is not None:
        assert state is not None
        state.stopped = reason
        message = f"pinnace_host: {reason}".encode()
        return ctypes.cast(ffi.wasmtime_error_new(message), ctypes.c_void_p).value or 0
    delta[0] = 1
    kind[0] = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE
    return 0


def _forget_state(data: int | None) -> None:
    _states.pop(data or 0, None)


_EpochCallback = ctypes.CFUNCTYPE(
    ctypes.c_size_t,
    ctypes.POINTER(ffi.wasmtime_context_t),
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_uint64),
    ctypes.POINTER(ffi.wasmtime_update_deadline_kind_t),
)
_on_epoch_c = _EpochCallback(_on_epoch)
_forget_state_c = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(_forget_state)


@atexit.register
def _close_all() -> None:
    # Before the interpreter finalizes: close every store still open, then wait until wasmtime
    # has released the output callbacks of those and of stores dropped without a close (see
    # _wt_wasi: a release after this point makes a tokio worker thread panic).
    busy = []
    for state in list(_states.values()):
        if state.lock.acquire(blocking=False):
            try:
                state.close()
            finally:
                state.lock.release()
        elif state.capture is not None:  # busy on another thread: left alone, not waited for
            busy.append(state.capture)
    wait_all_released(ignore=busy)


class StoreState:
    """One store plus the per-call limit bookkeeping for it."""

    def __init__(self, engine: Engine, limits: Limits) -> None:
        self.engine = engine
        self.limits = limits
        self.store = wasmtime.Store(engine.engine)
        self.context = self.store._context()
        self.lock = threading.RLock()
        self.plain = limits.fuel is None and limits.timeout is None
        self.depth = 0
        self.token: CancelToken | None = None
        self.deadline: float | None = None
        self.stopped: str | None = None
        self.closed = False
        self.capture: Capture | None = None  # the WASI output callbacks this store holds
        if limits.memory is not None:
            self.store.set_limits(memory_size=limits.memory)
        self.key = next(_ids)
        _states[self.key] = self
        ffi.wasmtime_store_epoch_deadline_callback(
            self.store.ptr(), _on_epoch_c, self.key, _forget_state_c
        )
        ffi.wasmtime_context_set_epoch_deadline(self.context, NO_DEADLINE)
        self.trap = ctypes.POINTER(ffi.wasm_trap_t)()
        self.trap_ref = ctypes.byref(self.trap)

    def ctx(self) -> Any:
        """The store context; ``ValueError`` once the module is closed."""
        if self.closed:
            raise ValueError("the module is closed")
        return self.context

    def close(self) -> None:
        with self.lock:
            if not self.closed:
                self.closed = True
                self.plain = False  # route calls through the checked path, which refuses
                self.store.close()
                if self.capture is not None:
                    self.capture.wait_released()  # wasmtime lets go on a tokio worker thread

    def interrupt_reason(self) -> str | None:
        if self.token is not None and self.token.cancelled:
            return "cancelled"
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return "timeout"
        return None

    def begin(self, token: CancelToken | None) -> bool:
        """Before a call (lock held): refill fuel, arm the deadline. True if we must ``end``."""
        if self.limits.fuel is not None:
            ffi.wasmtime_context_set_fuel(self.context, self.limits.fuel)
        if self.limits.timeout is None and token is None:
            return False
        self.depth += 1
        if self.depth == 1:
            self.stopped = None
            self.token = token
            timeout = self.limits.timeout
            self.deadline = None if timeout is None else time.monotonic() + timeout
            ffi.wasmtime_context_set_epoch_deadline(self.context, 1)
            self.engine.ticker.acquire()
        return True

    def end(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.engine.ticker.release()
            ffi.wasmtime_context_set_epoch_deadline(self.context, NO_DEADLINE)
            self.token = None
            self.deadline = None

    def take_trap(self) -> wasmtime.Trap | None:
        if not self.trap:
            return None
        trap = wasmtime.Trap._from_ptr(self.trap)
        self.trap = ctypes.POINTER(ffi.wasm_trap_t)()
        self.trap_ref = ctypes.byref(self.trap)
        return trap

    def failure(self, what: str, error: Any, memory_size: int | None) -> BaseException:
        """The exception for a call that returned ``error`` (a pointer) or left a trap."""
        trap = self.take_trap()
        err = wasmtime.WasmtimeError._from_ptr(error) if error else None
        frames = _frames(trap) if trap is not None else _error_frames(err)
        host = take_host_failure()
        if host is not None:
            exc, tb = host
            if frames:
                exc.add_note(
                    f"raised in a host function called by {what}; wasm backtrace:\n"
                    + format_backtrace(frames)
                )
            return HostError(exc, tb)
        stopped, self.stopped = self.stopped, None
        if stopped == "cancelled":
            return asyncio.CancelledError(f"{what} was cancelled")
        if stopped == "timeout":
            return Timeout(f"{what} exceeded Limits.timeout={self.limits.timeout}s")
        if isinstance(err, wasmtime.ExitTrap):
            return Exit(err.code)
        if err is not None:
            return Trap(f"{what} failed: {_reason(str(err))}", None, frames)
        assert trap is not None
        code = trap.trap_code
        name = code.name.lower() if code is not None else None
        if code is wasmtime.TrapCode.OUT_OF_FUEL:
            return OutOfFuel(f"{what} ran out of fuel (Limits.fuel={self.limits.fuel})")
        result = Trap(f"{what} trapped: {_reason(trap.message)}", name, frames)
        limit = self.limits.memory
        if limit is not None and memory_size is not None and _near_limit(memory_size, limit):
            exceeded = MemoryLimitExceeded(
                f"{what} trapped ({name}) with its memory at {memory_size} of the "
                f"{limit} bytes Limits.memory allows: a memory.grow was refused"
            )
            exceeded.__cause__ = result
            return exceeded
        return result


def _near_limit(size: int, limit: int) -> bool:
    # wasm's memory.grow cannot raise (it returns -1); a module that then traps (abort,
    # unreachable) with its memory this close to the limit ran out of it.
    return limit - size < max(PAGE_SIZE, limit // 4)


def _reason(message: str) -> str:
    """The engine's cause line ("wasm `unreachable` instruction executed"), no backtrace."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else message
    return last.removeprefix("wasm trap: ")


def _frame(f: wasmtime.Frame) -> Frame:
    return Frame(f.module_name, f.func_name, f.func_index, f.module_offset)


def _frames(trap: wasmtime.Trap) -> tuple[Frame, ...]:
    return tuple(_frame(f) for f in trap.frames)


def _error_frames(err: wasmtime.WasmtimeError | None) -> tuple[Frame, ...]:
    """The wasm backtrace attached to an error (e.g. a trap raised by a host function)."""
    if err is None:
        return ()
    frames = FrameList(err)
    ffi.wasmtime_error_wasm_trace(err.ptr(), ctypes.byref(frames.vec))
    return tuple(
        _frame(wasmtime.Frame._from_ptr(frames.vec.data[i], frames)) for i in range(frames.vec.size)
    )
