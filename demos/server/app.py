"""The server demo: a tiny web app whose work is done by C compiled to WebAssembly.

Every request calls the exports of checks.wasm (built from checks.c) through pinnace_host:
CRC-32 and ROT13 of the text a visitor types, and the number of primes below a limit.  The
second form runs the Python a visitor types in a sandbox (pinnace_host.python: CPython for
WASI, nothing granted, two seconds and 128 MB at most) and shows its output.

    python demos/server/app.py serve [--host 127.0.0.1] [--port 8001]
    python demos/server/app.py show "some text" [--limit 100000]

The module is compiled from checks.c with clang for wasm32-wasi on first use (see
build_module); `--wasm FILE` uses a module built elsewhere, and then no compiler is needed.
"""

from __future__ import annotations

import argparse
import html
import os
import subprocess
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pinnace_host

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "checks.c"
CLANG = os.environ.get("PINNACE_WASI_CC", "clang-19")
FLAGS = ["--target=wasm32-wasi", "-O2", "-mexec-model=reactor"]
MAX_LIMIT = 5_000_000
MAX_CODE = 100_000  # bytes of Python a visitor may send


def build_module(out: Path = HERE / "build" / "checks.wasm") -> Path:
    """Compile checks.c to a wasm32-wasi reactor unless `out` is newer than the source."""
    if out.exists() and out.stat().st_mtime >= SOURCE.stat().st_mtime:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    cmd = [CLANG, *FLAGS, str(SOURCE), "-o", str(tmp)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit(
            f"{CLANG} not found: install clang-19, wasi-libc and libclang-rt-19-dev-wasm32 "
            "(build/setup-host.sh does), or pass --wasm with a module built elsewhere"
        )
    except subprocess.CalledProcessError as error:
        sys.exit(f"{' '.join(cmd)} failed:\n{error.stderr}")
    tmp.replace(out)
    return out


class Checks:
    """checks.wasm behind a lock: one wasm instance is not to be entered by two threads."""

    def __init__(self, wasm: Path) -> None:
        limits = pinnace_host.Limits(timeout=5.0, memory=64 * 2**20)
        self.module = pinnace_host.load(wasm, limits=limits)
        self.lock = threading.Lock()

    def compute(self, text: str, limit: int) -> list[tuple[str, str]]:
        """(what was asked, what the module answered) rows."""
        if not 0 <= limit <= MAX_LIMIT:
            raise ValueError(f"the limit must be between 0 and {MAX_LIMIT:,}, not {limit:,}")
        exports = self.module.exports
        with self.lock:
            crc = exports.crc32(text.encode()) & 0xFFFFFFFF  # i32 results are signed
            rotated = exports.rot13(text, returns=str)
            primes = exports.count_primes(limit)
        return [
            (f"crc32({text!r})", f"0x{crc:08x}"),
            (f"rot13({text!r})", repr(rotated)),
            (f"count_primes({limit})", str(primes)),
        ]


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pinnace server demo</title>
<link rel="icon" href="data:,">
<style>body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 50rem; }}
table {{ border-collapse: collapse; margin-top: 1rem; }} td, th {{ border-bottom: 1px solid #d0d7de; padding: .3rem .8rem; text-align: left; }}
code, input {{ font: 14px ui-monospace, monospace; }} .err {{ color: #cf222e; }}</style></head>
<body><h1>C in WebAssembly, called from Python</h1>
<form><label>text <input name="text" value="{text}" size="36"></label>
<label>primes below <input name="limit" value="{limit}" size="9"></label>
<button>Compute</button></form>
{body}
<h2>Run this Python safely</h2>
<form method="post" action="/python"><textarea name="code" rows="6" cols="72">{code}</textarea><br>
<button id="run-python">Run in the sandbox</button></form>
{python}
<p>Each request to this Python server (<code>http.server</code>) calls the exports of
<code>checks.wasm</code>, compiled from C, through <code>pinnace_host</code> and wasmtime.</p>
</body></html>
"""


SANDBOX_LIMITS = pinnace_host.Limits(timeout=2.0, memory=128 * 2**20)
SAMPLE = "import sys, platform\nprint(platform.system(), sys.version.split()[0])\nprint(sum(range(10**6)))"


def run_python(code: str) -> str:
    """The sandbox's answer to ``code``, as HTML: exit code, stdout, stderr, or why it stopped."""
    from pinnace_host import python

    try:
        done = python.run(code, limits=SANDBOX_LIMITS)
    except pinnace_host.LimitExceeded as stopped:  # Timeout, OutOfFuel, MemoryLimitExceeded
        return f"<p class='err' id='py-error'>stopped: {html.escape(type(stopped).__name__)}: {html.escape(str(stopped))}</p>"
    out = (done.stdout or b"").decode(errors="replace")
    err = (done.stderr or b"").decode(errors="replace")
    return (f"<p>exit code <code id='py-exit'>{done.exit_code}</code></p>"
            f"<pre id='py-stdout'>{html.escape(out)}</pre><pre id='py-stderr' class='err'>{html.escape(err)}</pre>")  # fmt: skip


def render(checks: Checks, query: str, code: str = SAMPLE, python: str = "") -> tuple[HTTPStatus, str]:
    params = parse_qs(query)
    text = params.get("text", ["Hello, WebAssembly!"])[0]
    raw_limit = params.get("limit", ["100000"])[0]
    status = HTTPStatus.OK
    try:
        rows = checks.compute(text, int(raw_limit))
        cells = "".join(
            f"<tr><td><code>{html.escape(call)}</code></td><td><code>{html.escape(value)}</code>"
            for call, value in rows
        )
        body = f"<table id='results'><tr><th>call</th><th>result</th></tr>{cells}</table>"
    except ValueError as error:  # int() of a non-number, or a limit out of range
        status = HTTPStatus.BAD_REQUEST
        body = f"<p class='err' id='error'>{html.escape(str(error))}</p>"
    return status, PAGE.format(text=html.escape(text), limit=html.escape(raw_limit), body=body,
                               code=html.escape(code), python=python)  # fmt: skip


def make_server(checks: Checks, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/":
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.answer(*render(checks, url.query))

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/python":
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_CODE:
                self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
                return
            code = parse_qs(self.rfile.read(length).decode(errors="replace")).get("code", [""])[0]
            self.answer(*render(checks, "", code, run_python(code)))

        def answer(self, status: HTTPStatus, page: str) -> None:
            data = page.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return ThreadingHTTPServer((host, port), Handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wasm", type=Path, help="a prebuilt checks.wasm (default: build it)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the page")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    show = commands.add_parser("show", help="print the results for one text")
    show.add_argument("text")
    show.add_argument("--limit", type=int, default=100_000)
    args = parser.parse_args(argv)

    checks = Checks(args.wasm or build_module())
    if args.command == "show":
        try:
            rows = checks.compute(args.text, args.limit)
        except ValueError as error:
            parser.error(str(error))
        for call, value in rows:
            print(f"{call} = {value}")
        return 0
    server = make_server(checks, args.host, args.port)
    print(f"serving on http://{args.host}:{server.server_port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C: the way to stop it
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
