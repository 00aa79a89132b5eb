"""``pyodide.http``: Pinnace's HTTP (pinnace.http) under Pyodide's names: ``pyfetch`` (awaited),
``open_url`` (a text stream, fetched now where the host can wait), ``HttpStatusError``."""

from __future__ import annotations

import json as _json

from pinnace.http import HTTPStatusError as HttpStatusError
from pinnace.http import Response, fetch, open_url

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FetchResponse", "HttpStatusError", "open_url", "pyfetch"]

_FIELDS = ("method", "headers", "body")


class FetchResponse:
    """The answer of :func:`pyfetch`, with Pyodide's names for its fields and body reads."""

    def __init__(self, url: str, response: Response) -> None:
        self._url = url
        self._response = response
        self.js_response = None  # Pinnace reads the body whole; there is no JS Response to hand

    @property
    def ok(self) -> bool:
        return self._response.ok

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def status_text(self) -> str:
        return self._response.status_text

    @property
    def url(self) -> str:
        return self._response.url

    @property
    def redirected(self) -> bool:
        return self._response.redirected

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._response.headers)

    @property
    def body_used(self) -> bool:
        return False

    def raise_for_status(self) -> None:
        self._response.raise_for_status()

    def clone(self) -> FetchResponse:
        return FetchResponse(self._url, self._response)

    async def bytes(self) -> bytes:
        return self._response.content

    async def memoryview(self) -> memoryview:
        return memoryview(self._response.content)

    async def string(self) -> str:
        return await self._response.text()

    async def text(self) -> str:
        return await self._response.text()

    async def json(self, **kwargs: Any) -> Any:
        return _json.loads(self._response.content, **kwargs)

    async def unpack_archive(self, *, extract_dir: str | None = None, format: str | None = None) -> None:
        """Unpack the body (zip, tar, tar.gz, ...) into ``extract_dir`` (default: the current
        directory); the format from the URL's file name unless given."""
        await self._response.unpack_archive(extract_dir or ".", format)


async def pyfetch(url: str, **kwargs: Any) -> FetchResponse:
    """``fetch(url, kwargs)``: ``method``, ``headers`` and ``body`` are sent, other fetch options
    go to the host's fetch as they are (``credentials``, ``mode``, ``cache``, ...)."""
    known = {k: kwargs.pop(k) for k in _FIELDS if k in kwargs}
    return FetchResponse(url, await fetch(url, options=kwargs or None, **known))
