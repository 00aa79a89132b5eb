"""`pinnace serve`: content types, precompressed files, COOP/COEP, and missing files."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import brotli
import pytest

from pinnace_build.dist import COMPRESSIBLE, precompress
from pinnace_build.serve import StaticServer


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "m.wasm").write_bytes(b"\0asm\1\0\0\0")
    (tmp_path / "a.mjs").write_text("export const x = 1;\n" * 50)
    (tmp_path / "a.mjs.br").write_bytes(brotli.compress((tmp_path / "a.mjs").read_bytes()))
    (tmp_path / "a.mjs.gz").write_bytes(gzip.compress((tmp_path / "a.mjs").read_bytes()))
    (tmp_path / "index.html").write_text("<p>hi</p>")
    return tmp_path


def get(url: str, encoding: str | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive) and body."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_types_and_precompressed(site: Path) -> None:
    srv = StaticServer(site).start()
    try:
        status, headers, body = get(srv.url + "m.wasm")
        assert status == 200 and headers["Content-Type"] == "application/wasm"
        assert body == b"\0asm\1\0\0\0"
        status, headers, body = get(srv.url + "a.mjs", "gzip, br")
        assert headers["Content-Type"] == "text/javascript"
        assert headers["Content-Encoding"] == "br"
        assert brotli.decompress(body) == (site / "a.mjs").read_bytes()
        status, headers, body = get(srv.url + "a.mjs", "gzip")
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (site / "a.mjs").read_bytes()
        status, headers, body = get(srv.url + "a.mjs")
        assert "Content-Encoding" not in headers and body == (site / "a.mjs").read_bytes()
        assert "Cross-Origin-Opener-Policy" not in headers
        assert get(srv.url + "missing.js")[0] == 404
    finally:
        srv.stop()


def test_isolation_headers(site: Path) -> None:
    srv = StaticServer(site, isolation=True).start()
    try:
        _, headers, _ = get(srv.url + "index.html")
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    finally:
        srv.stop()


def test_precompressed_copies_follow_the_content_not_the_mtime(tmp_path: Path) -> None:
    """dist/ gets files copied from the cache with their old mtimes: a changed file must still
    get fresh .br/.gz copies (a stale .br would be served instead of the new file)."""
    for name in COMPRESSIBLE:
        (tmp_path / name).write_bytes(f"first {name}".encode())
    precompress(tmp_path)
    wasm = tmp_path / COMPRESSIBLE[0]
    wasm.write_bytes(b"second build")
    os.utime(wasm, (0, 0))  # older than its .br, as shutil.copy2 from the cache leaves it
    precompress(tmp_path)
    assert brotli.decompress((tmp_path / f"{wasm.name}.br").read_bytes()) == b"second build"
    assert gzip.decompress((tmp_path / f"{wasm.name}.gz").read_bytes()) == b"second build"
    other = COMPRESSIBLE[1]
    assert brotli.decompress((tmp_path / f"{other}.br").read_bytes()) == f"first {other}".encode()


def test_serve_cors_from_the_command_line(site: Path) -> None:
    """`pinnace serve --cors`: every answer allows any origin (dist/ for pages elsewhere)."""
    proc = subprocess.Popen([sys.executable, "-m", "pinnace_build.cli", "serve", str(site), "--port", "0", "--cors"],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PINNACE_SERVE_QUIET": "1"})  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "(CORS: any origin)" in first
        url = first.split(" at ", 1)[1].split()[0]
        _, headers, _ = get(url + "index.html")
        assert headers["Access-Control-Allow-Origin"] == "*"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
