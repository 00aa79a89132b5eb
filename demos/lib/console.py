"""What Python's interactive prompt does, for one submitted block at a time (the REPL demo).

Runs inside the demo worker (python-worker.mjs loads it as the module ``demo_console``).
``await run(source, show)`` runs every statement of ``source`` in ``__main__``; when the last
one is an expression, its value goes through ``sys.displayhook`` like at the prompt: ``show``
receives its ``repr`` and ``_`` keeps it. Top-level ``await`` works. An exception is printed to
``sys.stderr`` as the prompt prints it, from the first frame of the user's code on, and ``run``
returns False; the interpreter stays usable.

The Stop button interrupts running code with KeyboardInterrupt through the interrupt buffer.
Code that is awaiting runs no bytecode to notice that, so ``interrupt()`` cancels it where it
waits, and it is reported as a KeyboardInterrupt there.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import sys
import traceback
from collections.abc import Callable, Coroutine
from types import CodeType, TracebackType
from typing import Any

import __main__

CO_COROUTINE = 0x80  # inspect.CO_COROUTINE
FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
STOPPED = "stopped by the user"
_awaiting: Any = None  # the asyncio Task of the user's code while it awaits


async def run(source: str, show: Callable[[str], object], filename: str = "<repl>") -> bool:
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)

    def display(value: object) -> None:
        if value is not None:
            builtins._ = value  # type: ignore[attr-defined]  # as the prompt does
            show(repr(value))

    saved_hook = sys.displayhook
    sys.displayhook = display
    try:
        for code in _compile(source, filename):
            done = eval(code, __main__.__dict__)
            if code.co_flags & CO_COROUTINE:
                await _await(done)
    except BaseException as exc:  # shown to the user, as the prompt does
        _show_exception(exc, filename)
        return False
    finally:
        sys.displayhook = saved_hook
    return True


def interrupt() -> bool:
    """Cancel the user's code where it awaits; False if it is not awaiting."""
    if _awaiting is None or _awaiting.done():
        return False
    _awaiting.cancel(STOPPED)
    return True


async def _await(coroutine: Coroutine[Any, Any, Any]) -> None:
    global _awaiting
    import asyncio  # only code that awaits pays for importing asyncio

    _awaiting = asyncio.ensure_future(coroutine)
    try:
        await _awaiting
    finally:
        _awaiting = None


def _compile(source: str, filename: str) -> list[CodeType]:
    """The statements before the last, then the last: 'single' mode (displayed) when it is an
    expression."""
    tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST | FLAGS, dont_inherit=True)
    body = tree.body
    last = body.pop() if body and isinstance(body[-1], ast.Expr) else None
    codes = [compile(ast.Module(body, []), filename, "exec", FLAGS, dont_inherit=True)]
    if last is not None:
        codes.append(compile(ast.Interactive([last]), filename, "single", FLAGS, dont_inherit=True))
    return codes


def _show_exception(exc: BaseException, filename: str) -> None:
    if type(exc).__name__ == "CancelledError" and exc.args == (STOPPED,):
        stopped = KeyboardInterrupt()
        stopped.__traceback__ = exc.__traceback__
        exc = stopped
    exc.__traceback__ = _from_user_code(exc.__traceback__, filename)
    traceback.print_exception(exc)


def _from_user_code(tb: TracebackType | None, filename: str) -> TracebackType | None:
    """The traceback from the first frame of the user's code on (None if it has none, as
    for a SyntaxError)."""
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return tb
