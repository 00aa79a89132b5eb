"""Trio on the JS host's event loop: ``pinnace.trio.run(main)``.

``run(async_fn, *args)`` starts Trio in guest mode on the host loop (the asyncio loop of
pinnace.loop schedules its ticks; the host's ``setTimeout`` stands in for Trio's I/O thread,
see pinnace._trio_host) and returns an asyncio future: ``await`` it in Python, or hand it to JS,
where it is a promise.  Inside Trio, ``await some_js_promise`` works; :func:`await_js` also
aborts the JS operation when the Trio task is cancelled, and :func:`fetch` /
:func:`read_body` do that for HTTP.

Exceptions that leave the run carry the user's frames only: Trio's and Pinnace's own frames
are cut from their tracebacks (and from those of the exceptions inside an ExceptionGroup).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import _pinnace_ffi
import outcome
import trio

from . import _state, _tracebacks
from .ffi import JsProxy, create_proxy, to_js

__all__ = ["await_js", "fetch", "read_body", "run"]

#: Frames from these files are machinery (with the runtime's own): trio's and outcome's.
_HIDDEN_DIRS = tuple(os.path.dirname(m.__file__ or "?") + os.sep for m in (trio, outcome))


#: The current run's future and a future of its end (set when Trio has finished, which after a
#: cancellation may be a little later than the run's own future).
_current: list[tuple[asyncio.Future[Any], asyncio.Future[None]]] = []


def run(async_fn: Callable[..., Awaitable[Any]], *args: Any, **options: Any) -> asyncio.Future[Any]:
    """Run ``async_fn(*args)`` in Trio on the host event loop; returns an asyncio future of
    its result (a promise in JS).  ``options`` are trio.lowlevel.start_guest_run's:
    ``clock``, ``instruments``, ``restrict_keyboard_interrupt_to_checkpoints``,
    ``strict_exception_groups``.  Cancelling the future cancels the run.  One run at a time;
    a run started while a cancelled one still cleans up starts when that one has ended."""
    from .loop import LOOP

    if not _state.HOST_LOOP:
        raise RuntimeError(
            "pinnace.trio.run() needs the host's event loop (a page, a worker, or Node with "
            "loadPinnace); `pinnace python` runs the script as the main program: use trio.run()"
        )
    future: asyncio.Future[Any] = LOOP.create_future()
    if not trio.lowlevel.in_trio_run():
        _start(future, async_fn, args, options)
    elif _current and _current[-1][0].done():  # cancelled, and Trio is still winding down

        def start_after(_: Any) -> None:
            if not future.done():
                try:
                    _start(future, async_fn, args, options)
                except BaseException as exc:  # the caller awaits this future, not this call
                    future.set_exception(exc)

        _current[-1][1].add_done_callback(start_after)
    else:
        raise RuntimeError(
            "a Trio run is already in progress (one at a time): start more tasks in its "
            "nurseries, or await the first pinnace.trio.run() before starting another"
        )
    return future


def _start(
    future: asyncio.Future[Any],
    async_fn: Callable[..., Awaitable[Any]],
    args: tuple[Any, ...],
    options: dict[str, Any],
) -> None:
    from .loop import LOOP

    scope = trio.CancelScope()
    ended: asyncio.Future[None] = LOOP.create_future()

    async def main() -> Any:
        with scope:
            return await async_fn(*args)
        return None  # the future was cancelled, and with it the run

    def done(result: outcome.Outcome[Any]) -> None:
        _current.remove((future, ended))
        ended.set_result(None)
        if isinstance(result, outcome.Value):
            if not future.done():
                future.set_result(result.value)
            return
        error = _tracebacks.without_machinery_frames(result.error, _HIDDEN_DIRS)
        if not future.done():
            future.set_exception(error)
        elif not isinstance(error, trio.Cancelled):  # never discard a failure
            LOOP.call_exception_handler(
                {"message": "a cancelled pinnace.trio.run() failed", "exception": error}
            )

    trio.lowlevel.start_guest_run(
        main,
        run_sync_soon_threadsafe=LOOP.call_soon_threadsafe,
        run_sync_soon_not_threadsafe=LOOP.call_soon,
        done_callback=done,
        host_uses_signal_set_wakeup_fd=True,
        **options,
    )
    _current.append((future, ended))
    token = trio.lowlevel.current_trio_token()

    def on_future_done(f: asyncio.Future[Any]) -> None:
        if f.cancelled():
            try:
                token.run_sync_soon(scope.cancel)
            except trio.RunFinishedError:
                pass  # the run has ended meanwhile: nothing left to cancel

    future.add_done_callback(on_future_done)


class _PromiseWaiter:
    """What the host's ``thenToFuture`` calls with a JS promise's outcome, ``(ok, value)``:
    it wakes the Trio task waiting for that promise, unless it stopped waiting."""

    def __init__(self, task: trio.lowlevel.Task) -> None:
        self.task: trio.lowlevel.Task | None = task

    def __call__(self, ok: bool, value: Any) -> None:
        task, self.task = self.task, None
        if task is not None:
            trio.lowlevel.reschedule(task, outcome.Value(value) if ok else outcome.Error(value))


async def await_js(thenable: Any, *, on_cancel: Callable[[], object] | None = None) -> Any:
    """Wait in Trio for a JS promise (any thenable) and return its value, or raise its error
    (``JsException``).  If the task is cancelled meanwhile, ``on_cancel()`` is called (pass
    e.g. an AbortController's ``abort``) and Cancelled is raised; the promise's eventual
    outcome is then ignored.  A plain ``await promise`` inside Trio is ``await_js(promise)``."""
    runner = trio._core._run.GLOBAL_RUN_CONTEXT.runner
    if not runner.is_guest:
        raise RuntimeError(
            "a JS promise cannot settle while trio.run() blocks the JS event loop "
            "(`pinnace python`); await JS promises in Trio runs started with "
            "pinnace.trio.run() in a page, a worker or a Node program using loadPinnace"
        )
    waiter = _PromiseWaiter(trio.lowlevel.current_task())
    _pinnace_ffi.bridge().thenToFuture(thenable, create_proxy(waiter))

    def abort(_: Any) -> trio.lowlevel.Abort:
        waiter.task = None
        if on_cancel is not None:
            on_cancel()
        return trio.lowlevel.Abort.SUCCEEDED

    return await trio.lowlevel.wait_task_rescheduled(abort)


async def fetch(url: str, **init: Any) -> JsProxy:
    """The host's ``fetch(url, init)`` (keyword arguments are the init fields: ``method``,
    ``headers``, ``body``, ...), awaited in Trio: returns the JS ``Response``.  Cancelling
    the task aborts the request (an AbortController's signal is passed)."""
    import js

    controller = js.AbortController.new()
    options = to_js(init)
    options.signal = controller.signal
    return await await_js(js.fetch(url, options), on_cancel=controller.abort)


async def read_body(
    response: JsProxy, progress: Callable[[int, int | None], object] | None = None
) -> bytes:
    """The body of a fetch ``Response`` as bytes, read chunk by chunk; ``progress(received,
    total)`` is called after each chunk (``total`` from Content-Length, or None).  Cancelling
    the task cancels the body's stream."""
    length = response.headers.get("content-length")
    total = int(length) if length else None
    reader = response.body.getReader()
    chunks: list[bytes] = []
    received = 0
    while True:
        part = await await_js(reader.read(), on_cancel=reader.cancel)
        if part.done:
            break
        data = part.value.to_bytes()
        chunks.append(data)
        received += len(data)
        if progress is not None:
            progress(received, total)
    return b"".join(chunks)
