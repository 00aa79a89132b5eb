"""An asyncio event loop that runs on the JS host's event loop.

Zero-delay work runs from ``setImmediate`` (Node) or a ``MessageChannel`` (browsers), delays
from ``setTimeout``: nothing busy-waits and nothing blocks the page.  The loop is installed as
the running loop when the runtime starts, so ``asyncio.get_running_loop()``, ``create_task``,
``gather``, ``TaskGroup``, ``timeout`` and ``sleep`` work in ``runPythonAsync`` code and in
callbacks from JS.

What cannot work without threads fails with a clear error: ``run_in_executor`` (no threads) and
blocking calls that would have to wait for the loop (``run_until_complete``, ``run_forever``,
``asyncio.run``): use ``await`` (``runPythonAsync``) or ``asyncio.ensure_future`` instead.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import heapq
import signal
import threading
import weakref
from asyncio import events
from collections.abc import Callable
from contextvars import Context
from types import TracebackType
from typing import Any

import _pinnace_ffi

from . import _state
from .ffi import JsProxy, create_proxy

# The cancel message that marks a top-level task cancelled by a KeyboardInterrupt; run_async turns
# the CancelledError back into the KeyboardInterrupt at the point where the code awaited.
INTERRUPTED = "pinnace: KeyboardInterrupt while awaiting"

BLOCKING = (
    "{} would block the JS event loop, which runs this asyncio loop; "
    "use `await` (in runPythonAsync) or asyncio.ensure_future() instead"
)


def _held_elsewhere(task: asyncio.Task[Any]) -> bool:
    """Whether something besides the loop's own plumbing references task (then whoever keeps
    it may still await it, and asyncio reports an unretrieved exception when it is freed)."""
    for ref in gc.get_referrers(task):
        if type(ref).__name__ in ("TaskStepMethWrapper", "TaskWakeupMethWrapper"):
            continue  # a finished step's callback
        if type(ref) is tuple and _only_callables_besides(ref, task):
            continue  # a handle's arguments
        return True
    return False


def _only_callables_besides(items: tuple[Any, ...], task: Any) -> bool:
    # a plain loop: a generator expression's closure cell would itself reference the task
    for x in items:
        if x is not task and not callable(x):
            return False
    return True


# as compiled into code objects (the stdlib archive holds bytecode: __file__ names the .pyc)
_LOOP_FILES = ((lambda: None).__code__.co_filename, events.Handle._run.__code__.co_filename)


def _below_the_loop(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` without its leading frames of this loop and of asyncio's Handle."""
    while tb is not None and tb.tb_frame.f_code.co_filename in _LOOP_FILES:
        tb = tb.tb_next
    return tb


class HostEventLoop(asyncio.BaseEventLoop):
    """asyncio on the JS event loop (always running; never blocks)."""

    def __init__(self) -> None:
        super().__init__()
        self._thread_id = threading.get_ident()  # is_running(): the host loop always runs
        api = _pinnace_ffi.bridge()
        self._soon = api.soon
        self.then_to_future = api.thenToFuture
        self._set_timeout = api.setTimeout
        self._clear_timeout = api.clearTimeout
        self._run_ready_proxy = create_proxy(self._run_ready)
        self._fire_proxy = create_proxy(self._fire_timer)
        self._soon_pending = False
        self._timers: dict[int, tuple[events.TimerHandle, Any]] = {}
        self._timer_keys: dict[int, int] = {}
        self._next_key = 0
        # (when, key) of every scheduled timer: a firing timer runs all that are due, in order
        self._deadlines: list[tuple[float, int]] = []
        # the top-level tasks of runPythonAsync, numbered: a KeyboardInterrupt that arrives in
        # the loop's own machinery (code that awaits runs no bytecode of its own) goes to the
        # newest one still running
        self._interruptible: weakref.WeakKeyDictionary[asyncio.Task[Any], int] = (
            weakref.WeakKeyDictionary()
        )
        self._dispatching = 0  # > 0 while JS has the loop run its callbacks
        self._interrupt_pending = False

    # -- failed tasks nobody awaits are reported at once, not when garbage collection runs --
    def create_task(self, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = super().create_task(coro, **kwargs)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task._log_traceback:  # type: ignore[attr-defined]
            self.call_soon(self._report_if_unheld, task)  # after waiters have woken up

    def _report_if_unheld(self, task: asyncio.Task[Any]) -> None:
        if task._log_traceback and not _held_elsewhere(task):  # type: ignore[attr-defined]
            task._log_traceback = False  # type: ignore[attr-defined]
            self.call_exception_handler(
                {
                    "message": "Task exception was never retrieved",
                    "exception": task.exception(),
                    "future": task,
                }
            )

    # -- KeyboardInterrupt (the interrupt buffer) while code awaits --
    # Code that awaits runs no bytecode, so an interrupt is noticed when the loop next runs its
    # own machinery (a timer, a settled promise). There it would break the loop, so the SIGINT
    # handler only notes it, and it is delivered when the loop's callbacks are done: to the
    # newest runPythonAsync still running, as a KeyboardInterrupt where that code awaits.
    def interruptible(self, task: asyncio.Task[Any]) -> asyncio.Task[Any]:
        """Make task (runPythonAsync's) receive a KeyboardInterrupt that arrives while it awaits."""
        self._interruptible[task] = self._next_key = self._next_key + 1
        return task

    def _on_sigint(self, signum: int, frame: Any) -> None:
        # a Trio task (pinnace.trio) runs inside a loop callback, but it is running code too
        if self._dispatching and asyncio.current_task(self) is None and not _state.in_trio_task():
            self._interrupt_pending = True  # in the loop's machinery: delivered afterwards
            return
        signal.default_int_handler(signum, frame)  # in running code: it raises there

    def _begin_dispatch(self) -> None:
        self._dispatching += 1
        if self._dispatching == 1:
            _pinnace_ffi.check_interrupt()  # one that came while Python waited: noted now

    def _end_dispatch(self) -> None:
        self._dispatching -= 1
        if self._dispatching or not self._interrupt_pending:
            return
        self._interrupt_pending = False
        waiting = [(n, t) for t, n in self._interruptible.items() if not t.done()]
        if not waiting:
            raise KeyboardInterrupt  # no code awaits it: the host sees it
        max(waiting, key=lambda item: item[0])[1].cancel(INTERRUPTED)

    def _run_handle(self, handle: events.Handle) -> None:
        try:
            handle._run()
        except (KeyboardInterrupt, SystemExit) as exc:
            # asyncio's Task re-raises these two after ending the task with them
            step_of = getattr(handle._callback, "__self__", None)
            if not (isinstance(step_of, asyncio.Task) and step_of.done()):
                raise
            # raised in the task's own code: the task ended with it, and whoever awaits the
            # task gets it (nobody: "Task exception was never retrieved" reports it, once).
            # The frames it passed on its way up here are the loop's, not the task's.
            exc.__traceback__ = _below_the_loop(exc.__traceback__)
            # The task's frame links back to this frame and asyncio's (their locals are kept):
            # drop what they hold of the task, so that an unheld task is reported at once.
            handle._callback = handle._args = None  # type: ignore[assignment]
            del step_of

    def settle(self, future: asyncio.Future[Any], ok: bool, value: Any) -> None:
        """Settle future from a JS promise's outcome (called from JS)."""
        try:
            self._begin_dispatch()
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        finally:
            self._end_dispatch()

    # -- scheduling --
    def call_soon(
        self, callback: Callable[..., object], *args: Any, context: Context | None = None
    ) -> events.Handle:
        self._check_closed()
        handle = events.Handle(callback, args, self, context)
        self._ready.append(handle)
        if not self._soon_pending:
            self._soon_pending = True
            self._soon(self._run_ready_proxy)
        return handle

    call_soon_threadsafe = call_soon  # type: ignore[assignment]

    def _run_ready(self) -> None:
        self._soon_pending = False
        ready = self._ready
        try:
            self._begin_dispatch()
            for _ in range(len(ready)):  # what is ready now; later additions run next turn
                handle = ready.popleft()
                if not handle._cancelled:
                    self._run_handle(handle)
        finally:  # also when an exception escapes to the host: the rest still runs
            if ready and not self._soon_pending:
                self._soon_pending = True
                self._soon(self._run_ready_proxy)
            self._end_dispatch()

    def call_at(
        self,
        when: float,
        callback: Callable[..., object],
        *args: Any,
        context: Context | None = None,
    ) -> events.TimerHandle:
        self._check_closed()
        timer = events.TimerHandle(when, callback, args, self, context)
        key = self._next_key = self._next_key + 1
        delay_ms = max(0.0, (when - self.time()) * 1000.0)
        js_id = self._set_timeout(self._fire_proxy, delay_ms, key)
        self._timers[key] = (timer, js_id)
        self._timer_keys[id(timer)] = key
        heapq.heappush(self._deadlines, (when, key))
        if len(self._deadlines) > 2 * len(self._timers) + 64:  # drop cancelled timers' entries
            self._deadlines = [(t.when(), k) for k, (t, _) in self._timers.items()]
            heapq.heapify(self._deadlines)
        timer._scheduled = True
        return timer

    def _fire_timer(self, key: int) -> None:
        try:
            self._begin_dispatch()
            self._run_timers(key)
        finally:
            self._end_dispatch()

    def _run_timers(self, key: int) -> None:
        entry = self._timers.get(key)
        if entry is None:
            return
        # The host may deliver due timeouts in any order (a busy or throttled page): run every
        # timer that is due by now, earliest deadline first, not just the one that fired.
        now = max(self.time(), entry[0].when())
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, due_key = heapq.heappop(deadlines)
            due = self._timers.pop(due_key, None)
            if due is None:
                continue  # cancelled, or already run
            timer, js_id = due
            if due_key != key:
                self._clear_timeout(js_id)
            self._timer_keys.pop(id(timer), None)
            timer._scheduled = False
            if not timer._cancelled:
                self._run_handle(timer)
        if self._ready:  # what the timers made ready runs in this same host task, as in asyncio
            self._run_ready()

    def _timer_handle_cancelled(self, handle: events.TimerHandle) -> None:
        key = self._timer_keys.pop(id(handle), None)
        if key is not None:
            _, js_id = self._timers.pop(key)
            self._clear_timeout(js_id)

    # -- what needs threads or blocking --
    def run_forever(self) -> None:
        raise RuntimeError(BLOCKING.format("loop.run_forever()"))

    def run_until_complete(self, future: Any) -> Any:
        raise RuntimeError(BLOCKING.format("loop.run_until_complete()"))

    # TCP connections over the host (Node's net), handed in by _run.start() (install())
    _connect: Callable[..., Any] | None = None

    async def create_connection(self, protocol_factory: Any, host: str | None = None,
                                port: int | None = None, *, ssl: Any = None, sock: Any = None,
                                local_addr: Any = None, **tuning: Any) -> Any:  # fmt: skip
        """A TCP connection over the host's (Node's net; docs/http.md#tcp-from-asyncio).  The
        other arguments of asyncio's (family, happy_eyeballs_delay, ...) are the host's
        business; a given socket or local address cannot be had."""
        if sock is not None or local_addr is not None:
            raise NotImplementedError("create_connection(sock=, local_addr=): WebAssembly has no "
                                      "sockets; connect by host and port")
        if self._connect is None or host is None or port is None:
            raise OSError(errno.ENETUNREACH, "create_connection needs a host and a port, and a host "
                          "with TCP connections (Node, Electron's main process)")
        return await self._connect(self, protocol_factory, host, port, ssl)

    def run_in_executor(self, executor: Any, func: Any, *args: Any) -> Any:
        raise NotImplementedError(
            "run_in_executor() needs threads, which Pinnace's WebAssembly build does not "
            "have; call the function directly, or run it in a Web Worker from JS"
        )

    def close(self) -> None:
        raise RuntimeError("the host event loop cannot be closed")


class HostEventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    def get_event_loop(self) -> asyncio.AbstractEventLoop:
        return LOOP

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        return LOOP


LOOP = HostEventLoop()


def await_js(thenable: JsProxy) -> Any:
    """What ``await`` on a JsProxy returns in asyncio code: the iterator of a future of LOOP
    that the thenable settles."""
    import functools

    future = LOOP.create_future()
    LOOP.then_to_future(thenable, create_proxy(functools.partial(LOOP.settle, future)))
    return future.__await__()


class ProgramEventLoop(asyncio.SelectorEventLoop):
    """asyncio in a ``pinnace python`` program (no host loop runs Python there): CPython's
    selector loop without its self-pipe, which needs ``socket.socketpair()`` (WebAssembly has
    no sockets) to wake the loop from other threads and signal handlers (there are no threads,
    and the interpreter itself notices a signal).  ``asyncio.run`` works; a loop that waits for
    a timer waits as ``time.sleep`` does here."""

    def _make_self_pipe(self) -> None:
        self._ssock = self._csock = None
        self._internal_fds = 0

    def _close_self_pipe(self) -> None:
        pass

    def _write_to_self(self) -> None:
        pass


class ProgramEventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    _loop_factory = ProgramEventLoop  # type: ignore[assignment]


def install_for_program() -> None:
    """asyncio's loops, in a ``pinnace python`` program, are ProgramEventLoops."""
    asyncio.set_event_loop_policy(ProgramEventLoopPolicy())


def install(connect: Callable[..., Any] | None = None) -> None:
    """Make LOOP the event loop and the running loop (done once, when the runtime starts);
    ``connect(loop, protocol_factory, host, port, ssl)`` makes its TCP connections."""
    HostEventLoop._connect = staticmethod(connect) if connect else None  # type: ignore[assignment]
    asyncio.set_event_loop_policy(HostEventLoopPolicy())
    events._set_running_loop(LOOP)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, LOOP._on_sigint)
