"""``http.client``'s connections over the host's HTTP (``pinnace.http``), for ``urllib.request``,
``xmlrpc.client`` and everything else built on ``http.client``.

WebAssembly has no sockets.  Pinnace's ``http/client.py`` (a patch of the stdlib archive,
build/stdlib-patches) binds ``HTTPConnection`` and ``HTTPSConnection`` to the classes below.  A
connection's socket is a :class:`_Wire`: http.client writes the request onto it as it would
onto a socket, in HTTP/1.1; when http.client reads the answer, the wire reads the request back,
sends it with :func:`pinnace.http.fetch_sync` and gives http.client the answer as HTTP/1.1
bytes, which its own ``HTTPResponse`` parses.  So http.client checks and frames everything as
it does natively; what differs is what the host's HTTP decides: TLS (the host's, which verifies
certificates; an ``ssl`` context is accepted and not used), compression (the host decodes it),
and, in a browser, redirects (followed by the browser; ``geturl()`` gives the final URL) and
the headers a page may not set.
"""

from __future__ import annotations

import io
import socket
from http import client as _client  # being imported: it imports this module at its end

from . import http as _http

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from typing import Any

_DROPPED = ("content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive")


class _Wire:
    """A connection's stand-in socket: collects the request, then answers it."""

    def __init__(self, conn: HTTPConnection) -> None:
        self.conn = conn
        self.sent = bytearray()
        self.answer: bytes | None = None
        self.final_url: str | None = None

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def settimeout(self, timeout: float | None) -> None:
        self.conn.timeout = timeout

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BytesIO:
        if self.answer is None:
            self.send_request()  # a request written with putrequest() ... send()
        answer, self.answer = self.answer or b"", None
        return io.BytesIO(answer)

    def close(self) -> None:
        self.sent.clear()

    def send_request(self) -> None:
        """Send what was written, and keep the answer for makefile()."""
        method, target, headers, body = _parse_request(bytes(self.sent))
        self.sent.clear()
        conn = self.conn
        url = target if "://" in target else f"{conn.scheme}://{_authority(conn)}{target}"
        timeout = conn.timeout if isinstance(conn.timeout, (int, float)) else None
        resp = _http.fetch_sync(url, method=method, headers=headers, body=body,
                                timeout=timeout, redirect="manual")  # fmt: skip
        if resp.redirected:
            self.final_url = resp.url
        lines = [f"HTTP/1.1 {resp.status} {resp.status_text or 'Status'}"]
        lines += [f"{k}: {v}" for k, v in resp.headers.items() if k.lower() not in _DROPPED]
        length = resp.headers.get("content-length") if method == "HEAD" else len(resp.content)
        if length is not None:
            lines.append(f"Content-Length: {length}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.answer = head + (b"" if method == "HEAD" else resp.content)


def _authority(conn: _client.HTTPConnection) -> str:
    host = f"[{conn.host}]" if ":" in conn.host else conn.host
    return host if conn.port == conn.default_port else f"{host}:{conn.port}"


def _parse_request(raw: bytes) -> tuple[str, str, dict[str, str], bytes | None]:
    """Method, target, headers and body of an HTTP/1.1 request as http.client writes it."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    first, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = first.split(" ", 2)
    headers: dict[str, str] = {}
    chunked = False
    for line in header_lines:
        name, _, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if name.lower() == "transfer-encoding" and value.lower() == "chunked":
            chunked = True
            continue
        if name.lower() in ("host", "content-length", "connection"):
            continue  # the host's HTTP sets them
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    body = _unchunk(rest) if chunked else rest
    return method, target, headers, (body if body or method in ("POST", "PUT", "PATCH") else None)


def _unchunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2:]
    return bytes(out)


class HTTPResponse(_client.HTTPResponse):
    """http.client's answer; ``url`` (``geturl()``) is the final URL where the host followed
    redirects itself (a browser)."""

    def __init__(self, sock: _Wire, *args: object, **kwargs: object) -> None:
        super().__init__(sock, *args, **kwargs)  # type: ignore[arg-type]
        self._wire = sock

    _given_url: str | None = None

    @property
    def url(self) -> str | None:
        return self._wire.final_url or self._given_url

    @url.setter
    def url(self, value: str | None) -> None:
        self._given_url = value  # urllib gives the URL it asked for


class HTTPConnection(_client.HTTPConnection):
    __doc__ = _client.HTTPConnection.__doc__
    scheme = "http"
    response_class = HTTPResponse

    def connect(self) -> None:
        self.sock = _Wire(self)  # type: ignore[assignment]

    def request(self, method: str, url: str, body: Any = None, headers: Any = None, *,
                encode_chunked: bool = False) -> None:  # fmt: skip
        """http.client's request(), sent when written: a failure to connect is raised here, as
        it is natively (urllib.request turns it into a URLError)."""
        super().request(method, url, body, headers or {}, encode_chunked=encode_chunked)
        self.sock.send_request()  # type: ignore[union-attr]


class HTTPSConnection(HTTPConnection):
    """An https connection: TLS is the host's (certificates verified by it); ``context`` and
    the other ssl arguments are accepted, not used."""

    default_port = _client.HTTPS_PORT
    scheme = "https"

    def __init__(self, host: str, port: int | None = None, *, context: object = None,
                 timeout: object = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
                 source_address: object = None, blocksize: int = 8192, **ssl_args: object) -> None:  # fmt: skip
        super().__init__(host, port, timeout, source_address, blocksize=blocksize)  # type: ignore[arg-type]
        self._context = context


class HostTLS:
    """What ``urllib.request`` asks of an ``ssl`` context when it makes an https handler: TLS
    is the host's, so nothing here configures it."""

    check_hostname = True
    post_handshake_auth = None

    def load_cert_chain(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError("client certificates: TLS is the host's in WebAssembly "
                                  "(the browser's or Node's), and Python cannot give it one")


def create_https_context(http_version: int) -> HostTLS:
    return HostTLS()
