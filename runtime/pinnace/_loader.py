"""The loader's operations as Python reaches them, and the errors they end in.

The loader's side is one table of operations (loader-js/src/packages/ops.ts), which ``OPS``
below mirrors: ``_pinnace_packages.ops()`` (runtime/src/packages.c) gives it to Python as a
JsProxy, whose ``sync`` operations Python calls and whose ``promise`` operations it awaits
through the FFI; ``_pinnace_packages.suspend(op, json)`` runs a ``suspend`` operation while
Python is suspended (JSPI, loader-js/src/jspi.ts), or returns None where Python cannot suspend
(it was entered synchronously from JS).  A JS error arrives as a JsException carrying the JS
error; ``_from_js`` turns the loader's PackageError and FetchError into the Python ones below,
field by field.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

#: The operations of the loader's table (loader-js/src/packages/ops.ts: PACKAGE_OPS) and the ways
#: Python reaches each: "sync" (called through the FFI), "promise" (a JS promise, awaited on the
#: asyncio loop), "suspend" (``_pinnace_packages.suspend``, JSPI).  loader-js/test/ops.test.ts
#: checks that both sides name the same.
OPS: dict[str, tuple[str, ...]] = {
    "lock": ("sync",),  # the lock file's text ("" when the distribution has none)
    "mode": ("sync",),  # "sync", "jspi", or the reason an import cannot fetch here
    "fetch": ("sync", "suspend"),  # package names -> [{name, path, url}] of temporary files
    "fetch_url": ("sync", "promise"),  # any URL -> the path of a temporary file
    "load": ("promise",),  # package names: installed the loader's way (loadPackage)
    "preload": ("sync", "suspend"),  # paths of installed side modules: loaded ahead of dlopen
    "resumed": ("sync",),  # Python runs again after a suspension (runtime/src/packages.c)
    "request": ("sync", "promise", "suspend"),  # pinnace.http: JSON of a request -> of its answer
    "tcp_connect": ("sync",),  # (host, port, events) -> a handle of a Node socket (pinnace._tcp)
}

#: Where the loader writes temporary files for Python (loader-js/src/module.ts: DOWNLOADS_DIR).
DOWNLOADS_DIR = "/lib/pinnace-downloads"

_table: Any = None


class FetchError(OSError):
    """The loader could not fetch ``url``; ``str()`` is the reason alone (``reason``), e.g.
    "HTTP 404 Not Found" or "network error (...)".  ``kind`` and ``status`` are the JS side's
    FetchFailure (loader-js/src/errors.ts): "http" (with the status), "network", "missing"
    (a local file that is not there), "unreadable" or "timeout" (nothing received for the
    loader's ``downloadTimeout``)."""

    __module__ = "pinnace"  # its public name: pinnace.FetchError

    def __init__(self, reason: str, url: str | None = None, kind: str | None = None,
                 status: int | None = None) -> None:  # fmt: skip
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.kind = kind
        self.status = status

    @property
    def not_found(self) -> bool:
        """Whether there is no such file (HTTP 404, or a missing local file)."""
        return self.kind == "missing" or (self.kind == "http" and self.status == 404)


class PackageError(ImportError):
    """A package could not be resolved, fetched, verified or installed.  ``package`` and
    ``url`` name what failed, where known, and ``failure`` is the FetchError when a fetch
    failed (the JS loader's PackageError has the same fields)."""

    __module__ = "pinnace"  # its public name: pinnace.PackageError

    def __init__(self, message: str, *, package: str | None = None, url: str | None = None,
                 failure: FetchError | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.package = package
        self.url = url
        self.failure = failure


def _field(js_error: Any, name: str) -> Any:
    try:
        return getattr(js_error, name)
    except AttributeError:
        return None


def _failure(js_error: Any, reason: str) -> FetchError | None:
    """The FetchError for the ``failure`` (a JS FetchFailure) of a JS error, if it has one."""
    f = _field(js_error, "failure")
    if f is None:
        return None
    return FetchError(reason, _field(js_error, "url"), _field(f, "kind"), _field(f, "status"))


def _from_js(exc: Any) -> BaseException:
    """The Python error for a JS error of the loader (a JsException), by its type and fields."""
    err = exc.js_error
    if exc.name == "PackageError":
        return PackageError(exc.message, package=_field(err, "package"), url=_field(err, "url"),
                            failure=_failure(err, exc.message))  # fmt: skip
    if exc.name == "FetchError":
        return _failure(err, _field(err, "reason") or exc.message) or FetchError(exc.message)
    unchanged: BaseException = exc  # not the loader's: the JS error as it is
    return unchanged


def _ops(way: str) -> Any:
    """One way of the loader's table (a JsProxy)."""
    global _table
    if _table is None:
        import _pinnace_packages

        from . import ffi  # JS errors become JsException once it is imported

        del ffi
        _table = _pinnace_packages.ops()
        if _table is None:
            raise PackageError("the Pinnace loader has not installed its package manager")
    return getattr(_table, way)


def _call(op: str, *args: Any) -> Any:
    """A "sync" operation of the loader; its errors as Python errors (``_from_js``)."""
    from .ffi import JsException

    assert "sync" in OPS[op], op
    try:
        return getattr(_ops("sync"), op)(*args)
    except JsException as e:
        raise _from_js(e) from None


def _suspend(op: str, value: Any) -> str | None:
    """A "suspend" operation: the JSON of its result, or None where Python cannot suspend."""
    import _pinnace_packages

    from .ffi import JsException

    assert "suspend" in OPS[op], op
    try:
        return _pinnace_packages.suspend(op, json.dumps(value))  # type: ignore[no-any-return]
    except JsException as e:
        raise _from_js(e) from None


class _Awaited:
    """A "promise" operation awaited on the asyncio loop; where the host fetches synchronously
    (``mode() == "sync"``) its "sync" twin, done at once."""

    def __init__(self, op: str, *args: Any) -> None:
        assert "promise" in OPS[op], op
        self.op, self.args = op, args

    def __await__(self) -> Generator[Any, Any, Any]:
        if "sync" in OPS[self.op] and mode() == "sync":
            return _call(self.op, *self.args)
        from .ffi import JsException

        try:
            promise = getattr(_ops("promise"), self.op)(*self.args)
            return (yield from promise.__await__())
        except JsException as e:
            raise _from_js(e) from None


def mode() -> str:
    """How an import fetches here: "sync", "jspi", or the reason it cannot (OPS["mode"])."""
    return str(_call("mode"))


def take_file(path: str) -> bytes:
    """The bytes of a temporary file the loader wrote for Python (a download, an HTTP
    answer's body), which is removed."""
    import os

    try:
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def fetch_url(url: str) -> _Awaited:
    """Await the path of a temporary file holding the bytes at ``url`` (remove it when read);
    FetchError (an OSError) if they cannot be had."""
    return _Awaited("fetch_url", url)


def request_now(spec: dict[str, Any]) -> dict[str, Any] | None:
    """An HTTP request (pinnace.http's JSON) made while Python waits: blocking where the host
    can (``mode() == "sync"``), suspended where Python can suspend (JSPI); the answer's JSON,
    or None where it can do neither."""
    how = mode()
    if how == "sync":
        return json.loads(_call("request", json.dumps(spec)))  # type: ignore[no-any-return]
    if how == "jspi":
        out = _suspend("request", spec)
        return None if out is None else json.loads(out)
    return None


async def request(spec: dict[str, Any]) -> dict[str, Any]:
    """An HTTP request awaited (the host's event loop goes on meanwhile); the answer's JSON."""
    from .ffi import JsException

    try:
        text = await _ops("promise").request(json.dumps(spec))
    except JsException as e:
        raise _from_js(e) from None
    return json.loads(text)  # type: ignore[no-any-return]


def tcp_connect(host: str, port: int, events: Any) -> Any:
    """A TCP connection of Node's net (a JsProxy of the loader's TcpHandle); ``events`` (a
    PyProxy) is called with the socket's events.  JsException where the host has no net."""
    return _ops("sync").tcp_connect(host, port, events)
