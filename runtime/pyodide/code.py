"""``pyodide.code``: running code, under Pyodide's names: ``eval_code`` and ``eval_code_async``
(what runPython and runPythonAsync run: statements, then the value of a last expression),
``find_imports``, ``run_js``."""

from __future__ import annotations

from pinnace import _run
from pinnace.importer import imported_names

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from typing import Any

__all__ = ["eval_code", "eval_code_async", "find_imports", "run_js"]


def _quiet(source: str, quiet_trailing_semicolon: bool) -> bool:
    return quiet_trailing_semicolon and source.rstrip().endswith(";")


def eval_code(source: str, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None,
              *, quiet_trailing_semicolon: bool = True, filename: str = "<exec>") -> Any:  # fmt: skip
    """Run ``source`` in ``globals`` (default: ``__main__``'s) and return the value of its last
    expression (None when it ends in a statement, or in ``;``)."""
    ns = _run.namespace(globals)
    body, expr = _run.compile_code(source, filename)
    exec(body, ns, locals)
    if expr is None or _quiet(source, quiet_trailing_semicolon):
        return None
    return eval(expr, ns, locals)


async def eval_code_async(source: str, globals: dict[str, Any] | None = None,
                          locals: dict[str, Any] | None = None, *,
                          quiet_trailing_semicolon: bool = True, filename: str = "<exec>") -> Any:  # fmt: skip
    """:func:`eval_code` with top-level ``await``."""
    ns = _run.namespace(globals)
    body, expr = _run.compile_code(source, filename, top_level_await=True)
    done = eval(body, ns, locals)
    if body.co_flags & _run.CO_COROUTINE:
        await done
    if expr is None or _quiet(source, quiet_trailing_semicolon):
        return None
    value = eval(expr, ns, locals)
    return await value if expr.co_flags & _run.CO_COROUTINE else value


def find_imports(source: str) -> list[str]:
    """The top-level names of the modules ``source`` imports (absolute imports); [] if it does
    not parse."""
    try:
        return imported_names(source)
    except SyntaxError:
        return []


def run_js(code: str) -> Any:
    """Evaluate JS ``code`` in the global scope (the host's ``eval``; a page whose
    Content-Security-Policy forbids 'unsafe-eval' refuses it)."""
    import js

    return js.eval(code)
