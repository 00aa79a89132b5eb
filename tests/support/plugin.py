"""The pytest plugin of Pinnace's tests (loaded with ``-p support.plugin``, see pyproject.toml):
fixtures for the built distribution, node, static servers and Chromium, and the host markers
(``chromium`` on every test that uses the browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.paths import DIST
from pinnace_build.serve import StaticServer

from .hosts import CHROMIUM, CHROMIUM_ARGS, REPO, Node
from .native_runtime import native_runtime
from .pkgdist import package_site

__all__ = ["native_runtime", "package_site"]  # fixtures defined beside what they serve

os.environ.setdefault("PINNACE_SERVE_QUIET", "1")

@pytest.fixture(scope="session")
def dist() -> Path:
    if not (DIST / "pinnace.asm.wasm").exists():
        pytest.fail("dist/ is not built: run `make dist` (make test does it for you)")
    return DIST


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
def api() -> Iterator[str]:
    """The URL of support/api_server.py, an HTTP API run as a process of its own."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("api_server.py"))],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on (it was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def isolated_server(dist: Path) -> Iterator[StaticServer]:
    """Like `server`, with the COOP/COEP headers `make demo` sends: pages are cross-origin
    isolated (SharedArrayBuffer, so the REPL's Stop button works)."""
    srv = StaticServer(REPO, port=0, isolation=True).start()
    yield srv
    srv.stop()


@pytest.fixture
def site(dist: Path, tmp_path: Path) -> Iterator[tuple[StaticServer, Path]]:
    """A folder served on 127.0.0.1 with dist/ in it: write pages into it."""
    (tmp_path / "dist").symlink_to(dist)
    srv = StaticServer(tmp_path, port=0).start()
    yield srv, tmp_path
    srv.stop()


@pytest.fixture
def isolated_site(dist: Path, tmp_path: Path) -> Iterator[tuple[StaticServer, Path]]:
    """Like `site`, served with the COOP/COEP headers: its pages are cross-origin isolated."""
    (tmp_path / "dist").symlink_to(dist)
    srv = StaticServer(tmp_path, port=0, isolation=True).start()
    yield srv, tmp_path
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module.  Not for the session: Playwright's sync API keeps an
    asyncio loop running in this thread while it is open, and tests that call asyncio.run
    (tests/host, tests/runtime/native) must not find one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                               env={**os.environ, "CHROME_LOG_FILE": str(CHROMIUM_LOG)})
        yield b
        b.close()
    CHROMIUM_LOG.unlink(missing_ok=True)


# Chromium's own log (--enable-logging writes it here): read when a page crashes, so that the
# failure says why the renderer died (a signal, out of memory) rather than only "Target crashed".
CHROMIUM_LOG = Path(os.environ.get("TMPDIR", "/tmp")) / f"pinnace-chromium-{os.getpid()}.log"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("crash", lambda _: print("Chromium's renderer crashed; the end of its log:\n"
                                   + _log_tail(CHROMIUM_LOG)))
    pg.page_errors = errors
    yield pg
    context.close()


def _log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as e:
        return f"(no log: {e})"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The host a test needs, as a marker: ``chromium`` for every test that uses the browser
    (``-m "not chromium"`` leaves them out)."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.chromium)
