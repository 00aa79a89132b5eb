"""Apps that import the npm package by name, built by the bundlers users build with (pinned in
tests/bundlers/package.json), served and run in Chromium: each page starts Python and imports
numpy lazily (docs/npm.md "Bundlers").

Vite and webpack rewrite the package entry's `new URL("./file", import.meta.url)` literals: they
copy every file the loader fetches into the build under a hashed name, and the page finds them
with no indexURL.  esbuild leaves the literals alone; the documented step copies the package's
files beside the bundle.  The Vite dev server serves them from node_modules."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build import npm
from pinnace_build.serve import StaticServer
from support import npm_app
from support.hosts import REPO

BUNDLERS = REPO / "tests" / "bundlers"
BIN = BUNDLERS / "node_modules" / ".bin"

MAIN_JS = """\
import { loadPinnace } from "pinnace";

const out = document.getElementById("out");
try {
  const py = await loadPinnace();
  const total = await py.runPythonAsync("import numpy\\nint(numpy.arange(10).sum())");
  out.textContent = `ok ${total} ${py.pythonVersion}`;
} catch (e) {
  out.textContent = `error ${e}`;
}
"""

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>app</title></head>
<body><pre id="out">loading</pre><script type="module" src="{src}"></script></body></html>
"""

WEBPACK_CONFIG = """\
import path from "node:path";
export default {
  mode: "production",
  entry: "./src/main.js",
  output: { path: path.resolve("build"), filename: "app.js", clean: true },
  performance: { hints: false },
};
"""


@pytest.fixture(scope="module")
def app(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    npm.ensure_installed(BUNDLERS)
    root = npm_app.new_app(tmp_path_factory.mktemp("bundled-app"), npm_app.tarball(dist))
    (root / "src").mkdir()
    (root / "src" / "main.js").write_text(MAIN_JS)
    (root / "index.html").write_text(PAGE.format(src="/src/main.js"))
    return root


def run_page(page: Any, url: str) -> str:
    page.goto(url)
    page.wait_for_function("() => document.getElementById('out').textContent !== 'loading'", timeout=180_000)
    text: str = page.inner_text("#out")
    return text


def serve_and_run(page: Any, folder: Path) -> str:
    srv = StaticServer(folder).start()
    try:
        return run_page(page, srv.url + "index.html")
    finally:
        srv.stop()


def renamed(folder: Path, name: str) -> list[Path]:
    """The files in ``folder`` (a build's output) the bundler made of the package's ``name``."""
    stem = name.rsplit(".", 1)[0]
    return [p for p in folder.rglob("*") if p.is_file() and p.name != name and p.name.startswith(stem)]


def test_vite_build(app: Path, page: Any) -> None:
    subprocess.run([BIN / "vite", "build", "--logLevel", "warn", "--outDir", "build-vite"], cwd=app,
                   check=True, timeout=600)  # fmt: skip
    out = app / "build-vite"
    # the files came through the rewritten literals: hashed copies, not the originals
    assert renamed(out, "pinnace.asm.wasm") and not list(out.rglob("pinnace.asm.wasm"))
    assert renamed(out, "python313.zip")
    assert serve_and_run(page, out).startswith("ok 45 3.")


@pytest.mark.skipif(os.environ.get("PINNACE_TEST_FULL") != "1",
                    reason="runs in `make test-full` only (make test's time budget; 11 s): Vite and esbuild stay in make test")
def test_webpack_build(app: Path, page: Any) -> None:
    (app / "webpack.config.mjs").write_text(WEBPACK_CONFIG)
    subprocess.run([BIN / "webpack", "--config", "webpack.config.mjs"], cwd=app, check=True, timeout=600,
                   capture_output=True)  # fmt: skip
    out = app / "build"
    assert not list(out.glob("pinnace.asm.wasm")) and list(out.glob("*.wasm"))  # webpack names by hash
    (out / "index.html").write_text(PAGE.format(src="app.js"))
    assert serve_and_run(page, out).startswith("ok 45 3.")


def test_esbuild_with_the_files_beside_the_bundle(app: Path, page: Any) -> None:
    out = app / "build-esbuild"
    subprocess.run([BIN / "esbuild", "src/main.js", "--bundle", "--format=esm", "--platform=browser",
                    "--log-level=warning", f"--outfile={out / 'app.js'}"], cwd=app, check=True, timeout=300)  # fmt: skip
    (out / "index.html").write_text(PAGE.format(src="app.js"))
    # without the package's files the error names the missing file
    assert "pinnace.asm.mjs" in serve_and_run(page, out)
    package = app / "node_modules" / "pinnace"
    for pattern in ("pinnace.asm.*", "pinnace-lock.json", "*.zip", "*.whl"):  # docs/npm.md's cp line
        for f in package.glob(pattern):
            shutil.copy(f, out)
    assert serve_and_run(page, out).startswith("ok 45 3.")


@pytest.fixture
def vite_dev_server(app: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([BIN / "vite", "--port", str(port), "--strictPort", "--host", "127.0.0.1"],
                            cwd=app, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # "ready" comes before the server takes requests
            if "ready in" in line:
                break
        else:
            pytest.fail(f"vite exited with {proc.wait()}")
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep its pipe drained
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_vite_dev_server(vite_dev_server: str, page: Any) -> None:
    assert run_page(page, vite_dev_server).startswith("ok 45 3.")
