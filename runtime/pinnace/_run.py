"""The top layer: starting the runtime, and running source code for the JS loader.

``start()`` is the one place where the runtime's parts are wired together (see the layers in
``pinnace/__init__.py``): the FFI gets the ``await`` of JS promises (asyncio's, or Trio's in a
Trio task), and asyncio gets the host's event loop when it is first imported.

``run(code, filename, namespace)`` (``runPython``) and ``run_async(code, filename, namespace)``
(``runPythonAsync``) return the value itself, which the FFI converts or proxies.  Tracebacks
show the user's frames only (pinnace._tracebacks).
"""

from __future__ import annotations

import sys

import __main__

from . import _state, ffi

TYPE_CHECKING = False  # typing costs tens of milliseconds to import at startup in wasm
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import CodeType
    from typing import Any

CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect at startup
# ast, linecache and importlib.util are imported where used: `pinnace python` starts the
# runtime without ever running code through here.


def compile_code(source: str, filename: str, top_level_await: bool = False
             ) -> tuple[CodeType, CodeType | None]:  # fmt: skip
    """Compile ``source`` as statements plus, if it ends in an expression, that expression."""
    import ast

    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0
    tree = compile(source, filename, "exec", flags=ast.PyCF_ONLY_AST | flags, dont_inherit=True)
    last: ast.expr | None = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body.pop().value  # type: ignore[attr-defined]
    body = compile(tree, filename, "exec", flags=flags, dont_inherit=True)
    if last is None:
        return body, None
    expr = compile(ast.Expression(last), filename, "eval", flags=flags, dont_inherit=True)
    return body, expr


def _remember_source(source: str, filename: str) -> None:
    """Let tracebacks quote the code's lines although it is not a file."""
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)


def namespace(given: dict[str, Any] | None) -> dict[str, Any]:
    """Where code runs: ``given``, else ``__main__``'s namespace."""
    return __main__.__dict__ if given is None else given


def run(source: str, filename: str = "<exec>", namespace: dict[str, Any] | None = None) -> Any:
    ns = __main__.__dict__ if namespace is None else namespace
    _remember_source(source, filename)
    body, expr = compile_code(source, filename)
    exec(body, ns)
    return None if expr is None else eval(expr, ns)


def run_async(
    source: str, filename: str = "<exec>", namespace: dict[str, Any] | None = None
) -> Any:
    """Like run, with top-level ``await``: an asyncio Task of the value (runPythonAsync)."""
    import asyncio

    ns = __main__.__dict__ if namespace is None else namespace
    _remember_source(source, filename)
    body, expr = compile_code(source, filename, top_level_await=True)

    from .loop import INTERRUPTED, LOOP

    async def code() -> Any:
        done = eval(body, ns)
        if body.co_flags & CO_COROUTINE:
            await done
        if expr is None:
            return None
        value = eval(expr, ns)
        return await value if expr.co_flags & CO_COROUTINE else value

    async def main() -> Any:
        try:
            return await code()
        except asyncio.CancelledError as exc:
            if exc.args != (INTERRUPTED,):
                raise
            # where the code awaited, as if the interrupt had landed there
            raise KeyboardInterrupt().with_traceback(exc.__traceback__) from None

    return LOOP.interruptible(asyncio.ensure_future(main()))


def start(host_loop: bool = True) -> None:
    """Start the runtime (pinnace_init for the loader; ``host_loop=False`` for ``pinnace
    python``, whose program is the main one): the FFI (``import js``) and, where a host event
    loop runs Python, the asyncio loop on the host, installed when asyncio is first imported
    (importing asyncio at startup would cost about 0.2 s)."""
    ffi.install(_await_js)
    if not host_loop:
        sys.excepthook = _excepthook  # CPython's main prints what the program did not catch
        _when_asyncio_imported(_install_program_loop)
        return
    _state.HOST_LOOP = True
    _when_asyncio_imported(_install_loop)


def _when_asyncio_imported(install: Any) -> None:
    if "asyncio" in sys.modules:
        install()
    else:
        sys.meta_path.insert(0, _LoopOnAsyncioImport(install))


def _install_program_loop() -> None:
    from . import loop

    loop.install_for_program()


def _excepthook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
    """CPython's own report of an uncaught exception, without the runtime's frames at the ends
    of its traceback (an HTTP request that failed inside pinnace.http)."""
    from . import _tracebacks

    sys.__excepthook__(kind, exc, _tracebacks.without_runtime_frames_at_the_ends(tb))


def _await_js(thenable: ffi.JsProxy) -> Any:
    """``await`` on a JsProxy: in a Trio task, ``pinnace.trio.await_js``; elsewhere an asyncio
    future of the host loop that the thenable settles."""
    if _state.in_trio_task():
        from .trio import await_js

        return await_js(thenable).__await__()
    if not _state.HOST_LOOP:  # it would never settle: say so rather than wait forever
        # the operation is abandoned: its outcome is nobody's (an unhandled rejection would end
        # the process), and may come after Python has ended, so a JS no-op takes it
        import js

        thenable.catch(js.Function.prototype)
        raise RuntimeError(
            "await of a JS promise: the host's event loop does not run while a `pinnace python` "
            "program does; use the waiting forms (pinnace.http.fetch_sync, urllib, requests) or "
            "run the code with loadPinnace's runPythonAsync")
    from . import loop

    return loop.await_js(thenable)


def _install_loop() -> None:
    from . import loop

    loop.install(connect=_tcp_connect)


async def _tcp_connect(*args: Any) -> Any:
    """asyncio's TCP connections over the host (imported when one is made)."""
    from . import _tcp

    return await _tcp.create_connection(*args)


class _LoopOnAsyncioImport:  # a sys.meta_path finder (importlib.abc would import typing)
    """Imports asyncio with the other finders, then calls ``install`` (pinnace.loop's); used
    once."""

    def __init__(self, install: Any) -> None:
        self.install = install

    def find_spec(self, name: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if name != "asyncio":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenInstallLoop(spec.loader, self.install)
        return spec


class _ThenInstallLoop:  # a loader wrapping the real one
    def __init__(self, inner: Any, install: Any) -> None:
        self.inner = inner
        self.install = install

    def __getattr__(self, name: str) -> Any:  # get_source, get_code, ... of the real loader
        return getattr(self.inner, name)

    def create_module(self, spec: ModuleSpec) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.inner.exec_module(module)
        self.install()
