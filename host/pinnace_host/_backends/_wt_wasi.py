"""A wasmtime ``WasiConfig`` from a ``Wasi``: only what is granted, nothing inherited but
(optionally) the output streams; and the captured output, with its release tracked."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Collection

import wasmtime
from wasmtime import _bindings as ffi

from .._wasi import Wasi

WASI_MODULES = ("wasi_snapshot_preview1", "wasi_unstable")
RELEASE_WAIT_SECONDS = 5.0  # a bound, never reached in practice: release takes microseconds

# wasmtime's WASI writes a captured stream through a tokio task (an AsyncWriteStream) that holds
# our Python callback. Deleting the store only aborts that task: the callback's last reference is
# dropped a moment later on a tokio worker thread, which takes the GIL to run wasmtime-py's
# finalizer. If the interpreter is finalizing by then, CPython ends that thread with
# pthread_exit, whose forced unwind reaches Rust's thread entry and prints "thread
# 'tokio-rt-worker' panicked ... panic in a function that cannot unwind". So every close waits
# for the release, and so does the exit hook for stores that were dropped without a close.
_released = threading.Condition()  # guards Capture._held and _holding
_holding: set[Capture] = set()  # captures wasmtime still holds a callback of


class Capture:
    """A module's captured stdout and stderr, and whether wasmtime still holds their callbacks.
    ``limit``: bytes kept per stream; what comes after is dropped and a line says so."""

    def __init__(self, limit: int | None = None) -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.limit = limit
        self._held = 0

    def sink(self, buffer: bytearray) -> _Sink:
        with _released:
            self._held += 1
            _holding.add(self)
        return _Sink(buffer, self)

    def _let_go(self) -> None:
        with _released:
            self._held -= 1
            if self._held == 0:
                _holding.discard(self)
                _released.notify_all()

    def wait_released(self, timeout: float = RELEASE_WAIT_SECONDS) -> bool:
        """Wait (GIL released) until wasmtime has dropped both callbacks; False on timeout."""
        with _released:
            return _released.wait_for(lambda: self._held == 0, timeout)


class _Sink:
    """The callback wasmtime calls with what the guest writes to one stream."""

    __slots__ = ("buffer", "capture", "dropped")

    def __init__(self, buffer: bytearray, capture: Capture) -> None:
        self.buffer = buffer
        self.capture = capture
        self.dropped = False  # past the capture's limit: the rest is not kept

    def __call__(self, data: bytes) -> None:
        limit = self.capture.limit
        if limit is None:
            self.buffer.extend(data)
            return
        room = 0 if self.dropped else limit - len(self.buffer)
        self.buffer.extend(data[:room])
        if len(data) > room and not self.dropped:
            self.dropped = True
            self.buffer.extend(f"\n[output truncated: more than {limit} bytes]\n".encode())

    def __del__(self) -> None:  # wasmtime dropped it (on whichever thread dropped the stream)
        self.capture._let_go()


def wait_all_released(
    ignore: Collection[Capture] = (), timeout: float = RELEASE_WAIT_SECONDS
) -> bool:
    """Wait until wasmtime holds no callback of any capture but those in ``ignore``."""
    with _released:
        return _released.wait_for(lambda: all(c in ignore for c in _holding), timeout)


def wasi_config(wasi: Wasi, program: str) -> tuple[wasmtime.WasiConfig, Capture | None]:
    """Return the config and, when output is captured, the ``Capture`` it fills."""
    grants = wasi.grants()  # may raise: before any callback is handed out
    config = wasmtime.WasiConfig()
    config.argv = [program, *wasi.args]
    config.env = [(key, value) for key, value in wasi.env.items()]
    stdin = ffi.wasm_byte_vec_t()
    data = bytes(wasi.stdin)
    buffer = (ffi.wasm_byte_t * len(data)).from_buffer_copy(data)
    ffi.wasm_byte_vec_new(ctypes.byref(stdin), len(data), buffer)
    ffi.wasi_config_set_stdin_bytes(config.ptr(), ctypes.byref(stdin))  # takes ownership
    capture: Capture | None = None
    if wasi.capture_output:
        capture = Capture(wasi.max_output)
        config.stdout_custom = capture.sink(capture.stdout)
        config.stderr_custom = capture.sink(capture.stderr)
    else:
        config.inherit_stdout()
        config.inherit_stderr()
    for guest, host, writable in grants:
        config.preopen_dir(str(host), guest, writable)
    return config, capture
