"""WASI's ``poll_oneoff`` and ``clock_time_get`` for the Python sandbox (pinnace_host.python), as
imports that shadow wasmtime's: a guest's wait (CPython's ``time.sleep``, ``select``) happens
here, in slices, so a ``Limits.timeout`` ends it as it ends running code.  wasmtime's own would
block inside the host call, where its timeout (an epoch check in wasm code) cannot reach.  The
clocks come from here too, so that an absolute deadline the guest computes is one this module
can wait for.

What can be waited for in the sandbox: clocks (relative or absolute), and file descriptors,
which are always ready there (stdin is in memory, the outputs are captured, files are files).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

from ._errors import Timeout
from ._types import Caller, i32, i64

SLICE = 0.02  # seconds between checks of the deadline while waiting
SUBSCRIPTION = 48  # bytes of a subscription; an event is 32
CLOCK, FD_READ, FD_WRITE = 0, 1, 2
ABSTIME = 1
ERRNO_INVAL = 28


CLOCKS = {0: time.time_ns, 1: time.monotonic_ns, 2: time.process_time_ns, 3: time.thread_time_ns}


def _now_ns(clock_id: int) -> int:
    return CLOCKS.get(clock_id, time.monotonic_ns)()


def clock_time_get(caller: Caller, clock_id: i32, _precision: i64, result: i32) -> i32:
    """The guest's clocks: realtime, monotonic, process and thread CPU time."""
    if clock_id not in CLOCKS:
        return ERRNO_INVAL
    caller.memory.write(result, struct.pack("<Q", CLOCKS[clock_id]()))
    return 0


def _event(userdata: bytes, kind: int, nbytes: int = 0) -> bytes:
    # userdata u64, error u16, type u8, (pad), fd_readwrite.nbytes u64, fd_readwrite.flags u16, (pad)
    return userdata + struct.pack("<HB5xQH6x", 0, kind, nbytes, 0)


def poll_oneoff_until(deadline: float | None, limit: float | None) -> Callable[..., int]:
    """The import for one run: waits end at ``deadline`` (time.monotonic()) with ``Timeout``."""

    def poll_oneoff(caller: Caller, subscriptions: i32, events: i32, count: i32, stored: i32) -> i32:
        if count <= 0:
            return ERRNO_INVAL
        data = caller.memory.read(subscriptions, count * SUBSCRIPTION)
        ready: list[bytes] = []
        clocks: list[tuple[int, bytes]] = []  # (ns to wait, userdata)
        for i in range(count):
            sub = data[i * SUBSCRIPTION:(i + 1) * SUBSCRIPTION]
            userdata, kind = sub[:8], sub[8]
            if kind == CLOCK:
                clock_id, = struct.unpack_from("<I", sub, 16)
                timeout, _precision, flags = struct.unpack_from("<QQH", sub, 24)
                wait = timeout - _now_ns(clock_id) if flags & ABSTIME else timeout
                clocks.append((max(wait, 0), userdata))
            elif kind in (FD_READ, FD_WRITE):
                ready.append(_event(userdata, kind, 1))
            else:
                return ERRNO_INVAL
        if not ready and clocks:
            wait_ns = min(ns for ns, _ in clocks)
            end = time.monotonic() + wait_ns / 1e9
            while (left := end - time.monotonic()) > 0:
                if deadline is not None and time.monotonic() >= deadline:
                    raise Timeout(f"_start() exceeded Limits.timeout={limit}s (while waiting)")
                time.sleep(min(left, SLICE))
            ready = [_event(userdata, CLOCK) for ns, userdata in clocks if ns <= wait_ns]
        caller.memory.write(events, b"".join(ready))
        caller.memory.write(stored, struct.pack("<I", len(ready)))
        return 0

    return poll_oneoff
