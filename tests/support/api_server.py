"""An HTTP API for the tests of HTTP from Python (tests/runtime/test_http.py), run as a process
of its own (``python tests/support/api_server.py``; it prints its URL, then serves until
killed).  Every answer allows any origin (CORS), but /nocors's.

* ``GET /json``: ``{"hello": "world", "n": 1}``
* ``GET /bytes/<n>``: n bytes, byte i being ``i % 251`` (``/bytes/10485760``: 10 MB)
* ``GET /gzip``: the JSON of /json, gzip-compressed (Content-Encoding: gzip)
* ``GET /redirect``: 302 to /json; ``/redirect-twice``: 301 to /redirect
* ``GET /status/<code>``: that status, the text ``status <code>``
* ``GET /slow/<seconds>``: the headers after that long, then ``slow``
* ``GET /stall/<seconds>``: the headers and half the body, that long of nothing, the rest
* ``/echo`` (any method): JSON of the method, the headers, the body (text) and its length
* ``GET /nocors``: JSON, without Access-Control-Allow-Origin
* ``GET /headers``: a ``X-Answer: 42`` header and two ``X-Many`` headers
* ``GET /archive.zip``, ``/archive.tar.gz``: ARCHIVE_FILES as an archive
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON = {"hello": "world", "n": 1}
ARCHIVE_FILES = {"a.txt": b"alpha", "dir/b.txt": b"beta"}


def archive(kind: str, files: dict[str, bytes] = ARCHIVE_FILES) -> bytes:
    """``files`` as a "zip" or "tar.gz" archive (names as given, even unsafe ones)."""
    out = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(out, "w") as z:
            for name, data in files.items():
                z.writestr(name, data)
    else:
        with tarfile.open(fileobj=out, mode="w:gz") as t:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def pattern(n: int) -> bytes:
    return bytes(range(251)) * (n // 251) + bytes(range(n % 251))


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json",
              headers: list[tuple[str, str]] | None = None, cors: bool = True) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "*")
        for k, v in headers or []:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_OPTIONS(self) -> None:  # CORS preflight
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, HEAD")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        part = path.split("/")
        if path == "/echo":
            return self._echo()
        if path == "/json":
            return self._send(200, json.dumps(JSON).encode())
        if path == "/gzip":
            return self._send(200, gzip.compress(json.dumps(JSON).encode()),
                              headers=[("Content-Encoding", "gzip")])  # fmt: skip
        if path == "/nocors":
            return self._send(200, json.dumps(JSON).encode(), cors=False)
        if path == "/headers":
            return self._send(200, b"{}", headers=[("X-Answer", "42"), ("X-Many", "a"), ("X-Many", "b")])
        if path in ("/archive.zip", "/archive.tar.gz"):
            return self._send(200, archive(path.split(".", 1)[1]), "application/octet-stream")
        if path == "/redirect":
            return self._send(302, b"", "text/plain", [("Location", "/json")])
        if path == "/redirect-twice":
            return self._send(301, b"", "text/plain", [("Location", "/redirect")])
        if part[1] == "bytes":
            return self._send(200, pattern(int(part[2])), "application/octet-stream")
        if part[1] == "status":
            return self._send(int(part[2]), f"status {part[2]}".encode(), "text/plain")
        if part[1] == "slow":
            time.sleep(float(part[2]))
            return self._send(200, b"slow", "text/plain")
        if part[1] == "stall":
            body = pattern(100_000)
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:50_000])
            self.wfile.flush()
            time.sleep(float(part[2]))
            self.wfile.write(body[50_000:])
            return None
        return self._send(404, b"no such endpoint", "text/plain")

    do_HEAD = do_GET

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        out = {"method": self.command, "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body.decode("utf-8", "replace"), "length": len(body)}  # fmt: skip
        self._send(200, json.dumps(out).encode())

    do_POST = do_PUT = do_PATCH = do_DELETE = _echo


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ApiHandler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
