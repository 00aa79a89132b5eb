"""The JS <-> Python bridge, Python side.

``import js`` is the JS global object.  JS values appear in Python as :class:`JsProxy`
(attribute access, calls, ``new``, iteration, ``len``, ``in``, indexing, ``await``, ``to_py``);
Python objects appear in JS as ``PyProxy``.  int, float, str, bool and None convert
implicitly both ways (None <-> undefined, :data:`jsnull` <-> null, int <-> BigInt beyond 2**53).

A Python object passed as an argument to a JS function is lent to it for the duration of the
call only: the PyProxy JS received is destroyed when the call returns.  For callbacks JS keeps
(event listeners, timers) pass ``create_proxy(fn)`` (release it with ``destroy_proxies``) or
``create_once_callable(fn)`` (released after its one call).
"""

from __future__ import annotations

import sys

import _pinnace_ffi
from _pinnace_ffi import JsProxy, create_once_callable, create_proxy, to_js

from . import _tracebacks

TYPE_CHECKING = False  # typing costs tens of milliseconds to import at startup in wasm
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = [
    "JsException", "JsProxy", "create_once_callable", "create_proxy", "destroy_proxies",
    "jsnull", "to_js",
]  # fmt: skip


class JsNull:
    """The type of :data:`jsnull`, JS ``null`` (``undefined`` is ``None``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "jsnull"

    def __bool__(self) -> bool:
        return False


jsnull = JsNull()


def _js_attr(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name)
    except AttributeError:
        return None


class JsException(Exception):
    """A JS exception raised into Python: ``name``, ``message`` and ``stack`` of the JS error.

    ``js_error`` is the JS value that was thrown; when this exception goes back to JS, JS gets
    that very value again.
    """

    def __init__(self, js_error: Any) -> None:
        self.js_error = js_error
        is_object = isinstance(js_error, JsProxy) and js_error.typeof in ("object", "function")
        self.name: str = (_js_attr(js_error, "name") if is_object else None) or "Error"
        message = _js_attr(js_error, "message") if is_object else None
        self.message: str = str(message if message is not None else js_error)
        self.stack: str | None = _js_attr(js_error, "stack") if is_object else None
        super().__init__(f"{self.name}: {self.message}")


def destroy_proxies(proxies: Iterable[JsProxy]) -> None:
    """Release the Python objects behind proxies made by create_proxy()."""
    for proxy in proxies:
        proxy.destroy()


def _then(awaitable: Any, on_result: Any, on_error: Any) -> None:
    """Schedule a Python awaitable and report its outcome to JS (PyProxy.then)."""
    import asyncio

    future = asyncio.ensure_future(awaitable)

    def done(f: asyncio.Future[Any]) -> None:
        try:
            value = f.result()
        except BaseException as exc:  # every outcome goes to the JS promise
            on_error(exc)
        else:
            on_result(value)

    future.add_done_callback(done)


def install(await_js: Any) -> None:
    """Hand the C bridge what it needs from Python and make ``import js`` work (called once,
    by ``pinnace._run.start``): ``await_js(thenable)`` is what ``await`` on a JsProxy returns
    (an iterator, as ``__await__`` does), which depends on who runs the code (asyncio or Trio)."""
    _pinnace_ffi._install(jsnull, JsException, await_js, _tracebacks.describe)
    sys.modules.setdefault("js", _pinnace_ffi.global_this())
