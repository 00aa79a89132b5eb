"""``pyodide.ffi``: Pinnace's FFI (pinnace.ffi) under Pyodide's names.

Pinnace has one proxy class, :class:`JsProxy`, for every JS value; Pyodide's typed subclasses
(``JsArray``, ``JsMap``, ``JsPromise``, ...) are here as classes that ``isinstance`` answers by
what the JS value is (``isinstance(x, JsArray)`` is ``Array.isArray(x)``), for the code that
dispatches on them.  Not covered: ``run_sync`` (``can_run_sync()`` is False), ``JsDoubleProxy``.
"""

from __future__ import annotations

import sys

from pinnace.ffi import (
    JsException,
    JsProxy,
    create_once_callable,
    create_proxy,
    destroy_proxies,
    jsnull,
    to_js,
)

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "IN_BROWSER", "JsArray", "JsAsyncGenerator", "JsAsyncIterable", "JsAsyncIterator",
    "JsBuffer", "JsCallable", "JsDomElement", "JsException", "JsFetchResponse", "JsGenerator",
    "JsIterable", "JsIterator", "JsMap", "JsMutableMap", "JsNull", "JsPromise", "JsProxy",
    "JsTypedArray", "can_run_sync", "create_once_callable", "create_proxy", "destroy_proxies",
    "jsnull", "register_js_module", "run_sync", "to_js", "unregister_js_module",
]  # fmt: skip


def _js() -> Any:
    import js

    return js


IN_BROWSER: bool = not hasattr(_js(), "process") or not hasattr(_js().process, "versions")


class _JsKind(type):
    """A Pyodide proxy type: an instance is a JsProxy whose JS value passes the class's test."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, JsProxy) and bool(cls._test(obj))  # type: ignore[attr-defined]

    def __subclasscheck__(cls, sub: type) -> bool:
        return isinstance(sub, _JsKind) and cls in sub.__mro__


def _kind(name: str, test: Any, doc: str, *bases: type) -> type:
    return _JsKind(name, bases, {"_test": staticmethod(test), "__doc__": doc, "__module__": __name__})


def _instance_of(cls_name: str) -> Any:
    def test(obj: JsProxy) -> bool:
        cls = getattr(_js(), cls_name, None)
        return cls is not None and obj.typeof == "object" and obj.instanceof(cls)
    return test


def _has_method(name: str) -> Any:
    return lambda obj: obj.typeof in ("object", "function") and getattr(obj, name, None) is not None \
        and getattr(obj, name).typeof == "function"


def _has_symbol(symbol: str) -> Any:
    def test(obj: JsProxy) -> bool:
        if obj.typeof not in ("object", "function"):
            return False
        return _js().Reflect.has(obj, getattr(_js().Symbol, symbol)) is True
    return test


JsIterable = _kind("JsIterable", _has_symbol("iterator"), "A JS iterable (Symbol.iterator).")
JsAsyncIterable = _kind("JsAsyncIterable", _has_symbol("asyncIterator"), "A JS async iterable.")
JsIterator = _kind("JsIterator", _has_method("next"), "A JS iterator (a next method).")
JsAsyncIterator = _kind("JsAsyncIterator", lambda o: JsIterator._test(o) and JsAsyncIterable._test(o),
                        "A JS async iterator.")  # type: ignore[attr-defined]
JsGenerator = _kind("JsGenerator", lambda o: JsIterator._test(o) and _has_method("throw")(o)
                    and JsIterable._test(o), "A JS generator.", JsIterator)  # type: ignore[attr-defined]
JsAsyncGenerator = _kind("JsAsyncGenerator", lambda o: JsAsyncIterator._test(o) and _has_method("throw")(o),
                         "A JS async generator.", JsAsyncIterator)  # type: ignore[attr-defined]
JsArray = _kind("JsArray", lambda o: _js().Array.isArray(o) is True, "A JS Array.", JsIterable)
JsBuffer = _kind("JsBuffer", lambda o: o.typeof == "object" and (_js().ArrayBuffer.isView(o) is True or
                 _instance_of("ArrayBuffer")(o)), "A JS ArrayBuffer or a view of one.")
JsTypedArray = _kind("JsTypedArray", lambda o: _js().ArrayBuffer.isView(o) is True
                     and not _instance_of("DataView")(o), "A JS typed array.", JsBuffer)
JsMap = _kind("JsMap", lambda o: _has_method("get")(o) and _has_method("has")(o), "A JS Map-like object.")
JsMutableMap = _kind("JsMutableMap", lambda o: JsMap._test(o) and _has_method("set")(o)
                     and _has_method("delete")(o), "A mutable JS Map.", JsMap)  # type: ignore[attr-defined]
JsPromise = _kind("JsPromise", _has_method("then"), "A JS promise (a thenable).")
JsCallable = _kind("JsCallable", lambda o: o.typeof == "function", "A JS function.")
JsDomElement = _kind("JsDomElement", lambda o: o.typeof == "object" and getattr(o, "nodeType", None) == 1,
                     "A DOM element.")
JsFetchResponse = _kind("JsFetchResponse", _instance_of("Response"), "A fetch() Response.")
JsNull = type(jsnull)


def register_js_module(name: str, obj: JsProxy) -> None:
    """Make a JS object importable as the module ``name``."""
    sys.modules[name] = obj  # type: ignore[assignment]


def unregister_js_module(name: str) -> None:
    """Undo :func:`register_js_module`."""
    if not isinstance(sys.modules.get(name), JsProxy):
        raise ValueError(f"cannot unregister {name!r}: it is not a JS module")
    del sys.modules[name]


def can_run_sync() -> bool:
    """Whether :func:`run_sync` can wait here: never in Pinnace (use ``await``; for HTTP,
    pinnace.http.fetch_sync waits wherever the host can)."""
    return False


def run_sync(awaitable: Any) -> Any:
    raise RuntimeError("run_sync is not available in Pinnace: await it instead (for HTTP, "
                       "pinnace.http.fetch_sync waits wherever the host can)")
