"""HTTP from Python over the host's own HTTP (``fetch`` in browsers and Node).

WebAssembly has no sockets in any host, so every HTTP client in Pinnace goes through here:
``urllib.request`` and ``http.client`` (their connections are this module's, see
``pinnace._http_client``), ``requests`` and ``urllib3`` (their Emscripten backend, patched to
call this module), and your code::

    from pinnace.http import fetch, fetch_sync

    resp = await fetch("https://example.org/data.json")      # every host
    data = await resp.json()
    resp = fetch_sync("https://example.org/data.csv")         # where the host can wait
    text = resp.text()

``fetch_sync`` works where the host can wait for an answer: Node and Electron's main process, Web
Workers, and a browser page's main thread through JSPI in code the event loop runs
(``runPythonAsync``, tasks); elsewhere it raises a RuntimeError that says to ``await fetch``.
A request that gets no answer raises :class:`RequestError` (a :class:`pinnace.FetchError`, an
``OSError``) naming the URL and why (``kind``: "refused", "timeout", "cors", "network"); an answer of any status is a
response (:meth:`Response.raise_for_status` turns 4xx and 5xx into :class:`HTTPStatusError`).
See docs/http.md.
"""

from __future__ import annotations

import json as _json
import os
from collections.abc import Iterator, Mapping

from . import _loader
from ._loader import FetchError

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FetchError", "HTTPStatusError", "Headers", "RequestError", "Response", "SyncResponse",
           "Timeout", "fetch", "fetch_sync", "open_url"]  # fmt: skip


class RequestError(FetchError):
    """A request that got no answer; ``str()`` names the URL and why.  ``kind``: "refused"
    (nothing listens there), "timeout", "cors" (a browser refused this page the answer),
    "network" (anything else: DNS, TLS, a dropped connection)."""

    def __str__(self) -> str:
        return f"could not fetch {self.url}: {self.reason}"


class Timeout(RequestError, TimeoutError):
    """Nothing arrived for the request's ``timeout`` (the answer's headers, or the next part of
    its body)."""


class HTTPStatusError(RequestError):
    """:meth:`Response.raise_for_status` of an answer with status 400 or more; ``response`` is
    that answer."""

    def __init__(self, response: _Answer) -> None:
        reason = f"HTTP {response.status} {response.status_text}".rstrip()
        super().__init__(reason, response.url, "http", response.status)
        self.response = response

    def __str__(self) -> str:
        return f"{self.reason} for {self.url}"


class Headers(Mapping[str, str]):
    """An answer's headers: names in any case, values as the host gives them (repeated headers
    joined with ", ")."""

    def __init__(self, pairs: list[list[str]] | list[tuple[str, str]]) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            key = name.lower()
            if key in self._items:
                value = f"{self._items[key][1]}, {value}"
            self._items[key] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


class _Answer:
    """What both kinds of response share: everything but how the body is read."""

    def __init__(self, answer: dict[str, Any], content: bytes) -> None:
        self.status: int = answer["status"]
        self.status_text: str = answer["status_text"]
        self.url: str = answer["url"]
        self.redirected: bool = answer["redirected"]
        self.headers = Headers(answer["headers"])
        self.content = content

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300

    def raise_for_status(self) -> None:
        """Raise :class:`HTTPStatusError` if the status is 400 or more."""
        if self.status >= 400:
            raise HTTPStatusError(self)

    def _unpack(self, extract_dir: Any, format: str | None) -> None:
        from . import _files

        format = format or _files.format_of(self.url.split("?")[0])  # the URL's file name
        if format is None:
            raise ValueError(f"cannot tell the archive format of {self.url}: pass format=")
        _files.unpack_archive(self.content, extract_dir, format)

    def _text(self, encoding: str | None) -> str:
        return self.content.decode(encoding or self._charset(), errors="replace")

    def _charset(self) -> str:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"')
        return "utf-8"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status}] {self.url}>"


class Response(_Answer):
    """The answer of :func:`fetch`: ``status``, ``status_text``, ``ok``, ``url`` (after
    redirects), ``redirected``, ``headers``, ``content`` (the body, bytes), and the body read as
    ``await bytes()``, ``await text()``, ``await json()``."""

    async def bytes(self) -> bytes:
        return self.content

    async def text(self, encoding: str | None = None) -> str:
        """The body decoded by ``encoding``, else the Content-Type's charset, else UTF-8."""
        return self._text(encoding)

    async def json(self, **kwargs: Any) -> Any:
        return _json.loads(self.content, **kwargs)

    async def unpack_archive(self, extract_dir: Any = ".", format: str | None = None) -> None:
        """Unpack the body, an archive, into ``extract_dir`` (``format``: as
        :func:`pinnace.unpack_archive`; by default the URL's file name says)."""
        self._unpack(extract_dir, format)


class SyncResponse(_Answer):
    """The answer of :func:`fetch_sync`: :class:`Response`'s fields, the body read by plain
    calls: ``bytes()``, ``text()``, ``json()``."""

    def bytes(self) -> bytes:
        return self.content

    def text(self, encoding: str | None = None) -> str:
        """The body decoded by ``encoding``, else the Content-Type's charset, else UTF-8."""
        return self._text(encoding)

    def json(self, **kwargs: Any) -> Any:
        return _json.loads(self.content, **kwargs)

    def unpack_archive(self, extract_dir: Any = ".", format: str | None = None) -> None:
        """Unpack the body, an archive, into ``extract_dir`` (as :meth:`Response.unpack_archive`)."""
        self._unpack(extract_dir, format)


def _spec(url: str, method: str, headers: Mapping[str, str] | None, body: Any,
          timeout: float | None, redirect: str, options: Mapping[str, Any] | None) -> dict[str, Any]:  # fmt: skip
    """The request as the loader takes it (JSON), the body written to a file it reads."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, not {type(url).__name__}")
    if redirect not in ("follow", "manual"):
        raise ValueError(f"redirect must be 'follow' or 'manual', not {redirect!r}")
    pairs = [[str(k), str(v)] for k, v in (headers or {}).items()]
    body_path = None
    if body is not None:
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError(f"body must be str, bytes or None, not {type(body).__name__}")
        body_path = _tmp_path()
        with open(body_path, "wb") as f:
            f.write(body)
    ms = 0 if timeout is None else max(1, round(timeout * 1000))
    return {"url": url, "method": method.upper(), "headers": pairs, "body_path": body_path,
            "timeout_ms": ms, "redirect": redirect, "options": dict(options or {})}  # fmt: skip


_seq = 0


def _tmp_path() -> str:
    global _seq
    _seq += 1
    return f"{_loader.DOWNLOADS_DIR}/request-{os.getpid()}-{_seq}"


def _specific(e: FetchError) -> RequestError:
    """The loader's FetchError as raised here (a timeout is also a TimeoutError)."""
    return (Timeout if e.kind == "timeout" else RequestError)(e.reason, e.url, e.kind, e.status)


def _cleanup(spec: dict[str, Any]) -> None:
    if spec["body_path"] is not None:
        os.unlink(spec["body_path"])


async def fetch(url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None,
                body: str | bytes | None = None, timeout: float | None = None,
                redirect: str = "follow", options: Mapping[str, Any] | None = None) -> Response:  # fmt: skip
    """Send a request with the host's fetch and await its whole answer, in every host; the event
    loop (asyncio's or Trio's) goes on meanwhile.  ``timeout``: seconds the request may wait for
    the answer's headers, then for each part of its body (None: no limit).  ``redirect``:
    "follow", or "manual" to get a redirect as the answer (Node; a browser follows it anyway).
    ``options``: other fields of fetch's init, given to the host as they are (``credentials``,
    ``mode``, ``cache``, ``referrerPolicy``, ...; a Web Worker's synchronous request takes
    ``credentials`` only).
    Raises :class:`RequestError` when no answer came (:class:`Timeout` after ``timeout``)."""
    spec = _spec(url, method, headers, body, timeout, redirect, options)
    try:
        answer = await _loader.request(spec)
    except FetchError as e:
        raise _specific(e) from None
    finally:
        _cleanup(spec)
    return Response(answer, _loader.take_file(answer["body_path"]))


def fetch_sync(url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None,
               body: str | bytes | None = None, timeout: float | None = None,
               redirect: str = "follow", options: Mapping[str, Any] | None = None) -> SyncResponse:  # fmt: skip
    """:func:`fetch`, waiting for the answer: where the host can wait (Node, Electron's main
    process, Web Workers, a browser page with JSPI in code the event loop runs).  Elsewhere a
    RuntimeError says to ``await fetch(...)`` instead."""
    spec = _spec(url, method, headers, body, timeout, redirect, options)
    try:
        answer = _loader.request_now(spec)
    except FetchError as e:
        raise _specific(e) from None
    finally:
        _cleanup(spec)
    if answer is None:
        raise RuntimeError(
            f"cannot wait for {url} here: {_why_not()}; use `await pinnace.http.fetch(...)`")
    return SyncResponse(answer, _loader.take_file(answer["body_path"]))


def _why_not() -> str:
    how = _loader.mode()
    if how == "jspi":
        return ("on a browser page Python can wait only in code the event loop runs "
                "(runPythonAsync, tasks), not in runPython or a JS callback")
    return how


def open_url(url: str) -> Any:
    """The body at ``url`` as a text stream (``io.StringIO``), fetched now; an answer with status
    400 or more raises :class:`HTTPStatusError` (as ``pyodide.http.open_url`` serves)."""
    import io

    resp = fetch_sync(url)
    resp.raise_for_status()
    return io.StringIO(resp.text())
