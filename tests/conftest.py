"""Shared fixtures: the built distribution, node, a static server, and Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "build"))

from pinnace_build.paths import DIST  # noqa: E402
from pinnace_build.serve import StaticServer  # noqa: E402

os.environ.setdefault("PINNACE_SERVE_QUIET", "1")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def dist() -> Path:
    if not (DIST / "pinnace.asm.wasm").exists():
        pytest.fail("dist/ is not built: run `make dist` (make test does it for you)")
    return DIST


class Node:
    """Runs ES-module snippets under node with `loadPinnace` imported from dist/."""

    def __init__(self, dist: Path, tmp: Path) -> None:
        self.dist = dist
        self.tmp = tmp
        self.count = 0

    def run(self, body: str, *, check: bool = True, timeout: float = 120,
            node_args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:  # fmt: skip
        self.count += 1
        script = self.tmp / f"snippet{self.count}.mjs"
        script.write_text(
            f"import {{ loadPinnace, PythonError, LoadError }} from "
            f"{(self.dist / 'pinnace.mjs').as_uri()!r};\n" + textwrap.dedent(body)
        )
        res = subprocess.run(["node", *node_args, str(script)], capture_output=True, text=True,
                             timeout=timeout, env=None if env is None else {**os.environ, **env})  # fmt: skip
        if check and res.returncode != 0:
            raise AssertionError(f"node failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        return res.stdout + res.stderr if not check else res.stdout


@pytest.fixture
def node(dist: Path, tmp_path: Path) -> Node:
    return Node(dist, tmp_path)


@pytest.fixture(scope="session")
def server(dist: Path) -> Iterator[StaticServer]:
    """The repository root (dist/ and demos/) served on 127.0.0.1, like `make demo` does."""
    srv = StaticServer(REPO, port=0).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def isolated_server(dist: Path) -> Iterator[StaticServer]:
    """Like `server`, with the COOP/COEP headers `make demo` sends: pages are cross-origin
    isolated (SharedArrayBuffer, so the REPL's Stop button works)."""
    srv = StaticServer(REPO, port=0, isolation=True).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.page_errors = errors
    yield pg
    context.close()
