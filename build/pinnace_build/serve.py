"""``pinnace serve``: a static file server for the distribution and the demos (127.0.0.1).

* ``application/wasm`` for .wasm (browsers compile it while it downloads), ``text/javascript``
  for .mjs/.js;
* precompressed ``X.br`` / ``X.gz`` are sent for ``X`` when the client accepts them;
* ``--isolation`` adds the COOP/COEP headers that make the page cross-origin isolated
  (SharedArrayBuffer, needed for interrupts);
* ``--cors`` adds ``Access-Control-Allow-Origin: *``: pages of other origins may load the files
  (dist/ as a CDN would serve it, docs/npm.md).
"""

from __future__ import annotations

import argparse
import functools
import mimetypes
import os
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".json": "application/json",
    ".map": "application/json",
}
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


class Handler(SimpleHTTPRequestHandler):
    isolation = False
    extra_headers: dict[str, str] = {}

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        ext = os.path.splitext(str(path))[1].lower()
        return TYPES.get(ext) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        accepted = self.headers.get("Accept-Encoding", "")
        if path.is_file():
            for encoding, suffix in ENCODINGS:
                compressed = path.with_name(path.name + suffix)
                if encoding in accepted and compressed.is_file():
                    return self._send_file(compressed, self.guess_type(path), encoding)
        return super().send_head()

    def _send_file(self, file: Path, ctype: str, encoding: str):  # type: ignore[no-untyped-def]
        f = file.open("rb")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(file.stat().st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return f

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("PINNACE_SERVE_QUIET") != "1":
            super().log_message(format, *args)


class StaticServer:
    """A static server in a background thread (used by the CLI and the tests)."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0,
                 isolation: bool = False, headers: dict[str, str] | None = None) -> None:  # fmt: skip
        """``headers``: sent with every answer besides the usual ones (e.g. a CSP, CORS)."""
        handler = type("BoundHandler", (Handler,), {"isolation": isolation, "extra_headers": headers or {}})
        factory = functools.partial(handler, directory=str(directory))
        self.httpd = ThreadingHTTPServer((host, port), factory)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> StaticServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main(args: argparse.Namespace) -> int:
    root = Path(args.directory).resolve()
    server = StaticServer(root, args.host, args.port, args.isolation,
                          {"Access-Control-Allow-Origin": "*"} if args.cors else None)  # fmt: skip
    print(f"serving {root} at {server.url}" + (" (COOP/COEP on)" if args.isolation else "")
          + (" (CORS: any origin)" if args.cors else ""),
          flush=True)  # fmt: skip
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0
