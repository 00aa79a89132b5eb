"""What Python's interactive prompt does, for one submitted block at a time (the REPL demo).

Runs inside the demo worker (python-worker.mjs loads it as the module ``demo_console``).
``await run(source, show)`` runs every statement of ``source`` in ``__main__``; when the last
one is an expression, its value goes through ``sys.displayhook`` like at the prompt: ``show``
receives its ``repr`` and ``_`` keeps it. Top-level ``await`` works. An exception, including
KeyboardInterrupt from the Stop button, is printed to ``sys.stderr`` as the prompt prints it,
with this module's frame left out, and ``run`` returns False; the interpreter stays usable.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import sys
import traceback
from collections.abc import Callable
from types import CodeType, TracebackType

import __main__

CO_COROUTINE = 0x80  # inspect.CO_COROUTINE
FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


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
                await done
    except BaseException as exc:  # shown to the user, as the prompt does
        exc.__traceback__ = _without_own_frames(exc.__traceback__)
        traceback.print_exception(exc)
        return False
    finally:
        sys.displayhook = saved_hook
    return True


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


def _without_own_frames(tb: TracebackType | None) -> TracebackType | None:
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb
