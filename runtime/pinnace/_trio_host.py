"""Trio's platform layer on the JS host, imported by Pinnace's patched trio 0.35.0.

``recipes/trio/patches/`` make trio pick these on ``sys.platform == "emscripten"``:

* :class:`JSHostIOManager` in place of epoll/kqueue/IOCP.  There are no file descriptors to
  watch; what wakes Trio is a timer or a wakeup.  In guest mode (``pinnace.trio.run``) the run
  waits with the host's ``setTimeout`` through the asyncio host loop's ``call_later``
  (:meth:`JSHostIOManager.wait_on_host`, where Trio would start its I/O thread); a wakeup (a task rescheduled from a JS callback, ``run_sync_soon``)
  clears that timer and runs the next batch at once.  A blocking ``trio.run`` (only in
  ``pinnace python``, which has no host loop to give back to) sleeps with ``Atomics.wait``.
* :class:`HostWakeup` in place of the entry queue's socketpair.
* :func:`no_threads`, :func:`no_sockets`, :func:`no_subprocesses`: what cannot work here fails
  with a clear error instead of a crash deep in the socket emulation.
"""

from __future__ import annotations

from typing import Any

#: What ``get_events`` returns: whether a wakeup came before the timeout (Trio only tests it
#: for truth, to tell "the wait timed out" from "something happened").
EventResult = bool

BLOCKING_RUN = (
    "trio.run() would block the JS event loop that Trio's tasks need to make progress; "
    "use `await pinnace.trio.run(main)` (in runPythonAsync or an asyncio task; from JS "
    "the result is a promise) instead"
)


def no_threads() -> None:
    raise NotImplementedError(
        "Trio's thread helpers (trio.to_thread.run_sync, trio.Path, trio.open_file, "
        "hostname lookups) need threads, which Pinnace's WebAssembly build does not have; "
        "call the function directly, or run it in a Web Worker from JS"
    )


def no_sockets() -> None:
    raise NotImplementedError(
        "sockets are not available to Trio in Pinnace's WebAssembly build (a browser or Node "
        "host gives WebAssembly no raw sockets); use pinnace.trio.fetch() for HTTP, or the "
        "host's APIs (fetch, WebSocket) through `import js`"
    )


def no_subprocesses() -> None:
    raise NotImplementedError(
        "subprocesses (trio.run_process, trio.lowlevel.open_process) are not available in "
        "Pinnace's WebAssembly build: a WebAssembly module cannot start processes"
    )


def no_fd_io(*args: Any) -> None:
    raise NotImplementedError(
        "waiting for file descriptors (trio.lowlevel.wait_readable/wait_writable) is not "
        "available in Pinnace's WebAssembly build: the JS host has no file descriptors to poll"
    )


def _runner() -> Any:
    """The Runner of the Trio run on this thread, or None."""
    from trio._core._run import GLOBAL_RUN_CONTEXT

    return getattr(GLOBAL_RUN_CONTEXT, "runner", None)


def _block(seconds: float) -> None:
    """Sleep without spinning (time.sleep spins in this build): Atomics.wait, which the
    worker thread that runs `pinnace python` allows (the only place trio.run may block)."""
    import js

    js.Atomics.wait(js.Int32Array.new(js.SharedArrayBuffer.new(4)), 0, 0, seconds * 1000.0)


class JSHostStatistics:
    """``trio.lowlevel.current_statistics().io_statistics`` on the JS host."""

    backend = "jshost"

    def __init__(self, host_timer_pending: bool, tasks_waiting_wakeup: int) -> None:
        self.host_timer_pending = host_timer_pending
        self.tasks_waiting_wakeup = tasks_waiting_wakeup

    def __repr__(self) -> str:
        return (f"JSHostStatistics(host_timer_pending={self.host_timer_pending}, "
                f"tasks_waiting_wakeup={self.tasks_waiting_wakeup})")  # fmt: skip


class JSHostIOManager:
    """Trio's I/O manager for the JS host: a timer and a wakeup, no file descriptors."""

    def __init__(self) -> None:
        self._woken = False
        self._waiting: set[HostWakeup] = set()
        self._timer: Any = None  # the host timer of a guest run's wait, while one is pending
        self._deliver: Any = None

    @staticmethod
    def check_can_block() -> None:
        """trio.run() may block only where no host event loop runs Python (``pinnace python``)."""
        from . import _state

        if _state.HOST_LOOP:
            raise RuntimeError(BLOCKING_RUN)

    # -- what Trio's run loop calls --
    def get_events(self, timeout: float) -> EventResult:
        if timeout > 0 and not self._woken:
            _block(timeout)  # a blocking trio.run; a guest run waits with wait_on_host
        woken, self._woken = self._woken, False
        return woken

    def process_events(self, events: EventResult) -> None:
        for wakeup in [w for w in self._waiting if w.pending]:
            self._waiting.discard(wakeup)
            wakeup.wake()

    def force_wakeup(self) -> None:
        self._woken = True
        if self._timer is not None:  # a guest run waiting on the host: go on now
            self._timer.cancel()
            self._fire()

    def wait_on_host(self, timeout: float, deliver: Any) -> None:
        """A guest run's wait for ``timeout`` seconds or a wakeup, whichever comes first; then
        ``deliver(outcome of get_events)`` (Trio's guest mode does this in a thread).  The
        timer is the host loop's (``setTimeout``, cleared on a wakeup), so that what happens
        while it fires (a KeyboardInterrupt) is handled like any asyncio callback's."""
        from .loop import LOOP

        self._deliver = deliver
        if self._woken:
            self._fire()
        else:
            self._timer = LOOP.call_later(timeout, self._fire)

    def _fire(self) -> None:
        from outcome import capture

        self._timer = None
        deliver, self._deliver = self._deliver, None
        if deliver is not None:
            deliver(capture(self.get_events, 0))

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def statistics(self) -> JSHostStatistics:
        return JSHostStatistics(self._timer is not None, len(self._waiting))

    # -- file descriptors: none on the JS host --
    async def wait_readable(self, fd: Any) -> None:
        no_fd_io()

    async def wait_writable(self, fd: Any) -> None:
        no_fd_io()

    def notify_closing(self, fd: Any) -> None:
        no_fd_io()


class HostWakeup:
    """The entry queue's wakeup (``TrioToken.run_sync_soon``) without a socketpair: a flag and
    the I/O manager's ``force_wakeup``."""

    def __init__(self) -> None:
        self.pending = False
        self._task: Any = None

    def wakeup_thread_and_signal_safe(self) -> None:
        self.pending = True
        runner = _runner()
        if runner is not None:
            runner.io_manager.force_wakeup()

    def wake(self) -> None:
        from trio.lowlevel import reschedule

        task, self._task = self._task, None
        if task is not None:
            reschedule(task)

    async def wait_woken(self) -> None:
        from trio.lowlevel import Abort, wait_task_rescheduled

        if not self.pending:
            runner = _runner()
            self._task = _current_task()
            runner.io_manager._waiting.add(self)

            def abort(_: Any) -> Abort:
                runner.io_manager._waiting.discard(self)
                self._task = None
                return Abort.SUCCEEDED

            await wait_task_rescheduled(abort)
        self.pending = False

    def drain(self) -> None:
        self.pending = False

    def wakeup_on_signals(self) -> None:
        """Signal handlers run on this thread between bytecodes and wake Trio themselves."""

    def close(self) -> None:
        self.pending = False


def _current_task() -> Any:
    from trio.lowlevel import current_task

    return current_task()


class _NoSSL:
    """Stands in for the ``ssl`` module in trio when CPython has no ``_ssl``."""

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(
            f"ssl.{name}: TLS is not available in Pinnace's WebAssembly build (CPython is "
            "built without OpenSSL, and there are no sockets); use pinnace.trio.fetch() for HTTPS"
        )


NO_SSL: Any = _NoSSL()
