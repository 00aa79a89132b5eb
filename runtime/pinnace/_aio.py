"""Top-level ``await`` for ``runPythonAsync``, until the FFI brings a real asyncio loop.

``start(source, filename)`` compiles ``source`` allowing top-level ``await``.  Code without
``await`` returns ``"N"`` (the loader then runs it with ``runPython``).  Otherwise the code
becomes a coroutine that this module drives step by step for the loader:

* ``"Y" + json`` — the coroutine awaits a loader operation (pinnace._install._Request,
  ``{"op":…, "arg":…}``); the loader performs it asynchronously and calls ``send(result)``
  or ``throw(message)``;
* ``"D" + wire`` — finished: the value of the last expression (or the exception) in the wire
  format of pinnace._run.

Only the loader's own awaitables can be awaited this way; awaiting anything else (an asyncio
future, ``asyncio.sleep``) raises RuntimeError saying so.
"""

from __future__ import annotations

import ast
import inspect
import json
import sys
from collections.abc import Coroutine
from typing import Any

import __main__

from . import _run

_current: Coroutine[Any, Any, Any] | None = None


async def _main(body: Any, expr: Any) -> Any:
    ns = __main__.__dict__
    r = eval(body, ns)
    if inspect.iscoroutine(r):
        await r
    if expr is None:
        return None
    v = eval(expr, ns)
    if inspect.iscoroutine(v) and expr.co_flags & inspect.CO_COROUTINE:
        v = await v
    return v


def start(source: str, filename: str) -> str:
    global _current
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        _run._remember_source(source, filename)
        tree = ast.parse(source, filename, "exec")
        last = tree.body.pop().value if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = compile(tree, filename, "exec", flags=flags, dont_inherit=True)
        expr = None if last is None else compile(ast.Expression(last), filename, "eval",
                                                 flags=flags, dont_inherit=True)  # fmt: skip
    except SyntaxError:
        return "N"  # runPython reports it
    if not any(c is not None and c.co_flags & inspect.CO_COROUTINE for c in (body, expr)):
        return "N"
    _current = _main(body, expr)
    return _step(lambda c: c.send(None))


def send(result: str) -> str:
    return _step(lambda c: c.send(result))


def throw(message: str) -> str:
    return _step(lambda c: c.throw(OSError(message)))


def _step(advance: Any) -> str:
    global _current
    coro = _current
    assert coro is not None, "no runPythonAsync coroutine is running"
    try:
        request = advance(coro)
        while not hasattr(request, "op"):
            request = coro.throw(RuntimeError(
                f"runPythonAsync cannot await {request!r} yet: only pinnace's own operations "
                "(pinnace.install) until the asyncio event loop comes with the FFI"))  # fmt: skip
        return "Y" + json.dumps({"op": request.op, "arg": request.arg})
    except StopIteration as stop:
        _current = None
        return "D" + _run.encode(stop.value)
    except BaseException as exc:  # noqa: BLE001 - every error goes to JS, like runPython
        _current = None
        sys.last_exc = exc
        tb = exc.__traceback__
        here = _step.__code__.co_filename
        while tb is not None and tb.tb_frame.f_code.co_filename == here:
            tb = tb.tb_next
        exc.__traceback__ = tb
        return f"DE{type(exc).__name__}\n{_run.format_exception(exc)}"
