"""Electron's renderer half: the demo app's page in real Chromium, loaded from file:// the way
Electron's BrowserWindow.loadFile loads it.

The Electron binary cannot be downloaded here. What stands in for it: Debian's Chromium with
``--allow-file-access-from-files``, the setting Electron gives file:// pages by default (its
``grantFileProtocolExtraPrivileges`` fuse sets allow_file_access_from_file_urls), and
Electron's user agent ("... Electron/33.2.0 ..."), which is how the loader recognises a
renderer without Node. There is no preload here, so the main-process button stays disabled;
the main-process half is tested under Node (test_electron_main_node.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import CHROMIUM, CHROMIUM_ARGS, REPO
from support.screenshots import color_count, luminance, pixels, screenshot

pytestmark = pytest.mark.chromium

PAGE = (REPO / "demos" / "electron" / "index.html").as_uri()
ELECTRON_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "pinnace-electron-demo/0.1.0 Chrome/130.0.6723.137 Electron/33.2.0 Safari/537.36"
)
# Electron's defaults for file:// pages, as far as Chromium has a switch for them.
ELECTRON_FILE_ARGS = ["--allow-file-access-from-files"]


@pytest.fixture(scope="module")
def electron_like(browser: Any) -> Iterator[Any]:
    """A second Chromium with Electron's file:// setting (from the session's Playwright)."""
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=CHROMIUM_ARGS + ELECTRON_FILE_ARGS)  # fmt: skip
    yield b
    b.close()


def new_page(browser: Any, user_agent: str = ELECTRON_UA) -> Any:
    context = browser.new_context(user_agent=user_agent, viewport={"width": 900, "height": 700})
    page = context.new_page()
    page.page_errors = []
    page.on("pageerror", lambda e: page.page_errors.append(str(e)))
    return page


def open_app(page: Any) -> None:
    page.goto(PAGE)
    page.wait_for_selector("body[data-ready]", timeout=120_000)


def test_renderer_runs_python_from_file_urls(
    electron_like: Any, dist: Path, tmp_path: Path
) -> None:
    page = new_page(electron_like)
    open_app(page)
    status = page.inner_text("#status")
    assert status == "Python 3.13.5 ready · environment: electron-renderer"
    out = page.inner_text("#output")
    assert out.splitlines() == [
        "[renderer · electron-renderer]",
        "Python 3.13.5 on emscripten",
        "285",
    ]
    # with the flag, fetch() of file:// works as well as XMLHttpRequest (docs/electron.md)
    assert page.evaluate("fetch(location.href).then((r) => r.text())").startswith("<!doctype html>")
    # no preload here: the main-process button explains itself and stays off
    assert page.is_disabled("#run-main")
    assert "preload" in page.get_attribute("#run-main", "title")

    # a lock package, read from dist/ over file:// (runPythonAsync's pre-scan loads it)
    version = json.loads((dist / "pinnace-lock.json").read_text())["packages"]["outcome"]["version"]
    page.fill("#code", "import outcome\nprint('outcome', outcome.__version__)\n1 / 0")
    page.click("#run")
    page.wait_for_selector("#output .err")
    out = page.inner_text("#output")
    assert f"outcome {version}" in out.splitlines()
    err = page.inner_text("#output .err")
    assert 'File "<renderer>", line 3, in <module>' in err
    assert err.rstrip().endswith("ZeroDivisionError: division by zero")
    assert page.page_errors == []

    image = screenshot(page, tmp_path / "electron-renderer.png")
    assert color_count(image) > 50, "the screenshot is (nearly) blank"
    box = page.locator("#output").bounding_box()
    inside = image.crop(
        (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
    )
    levels = [luminance(p) for p in pixels(inside)]
    dark = sum(1 for v in levels if v < 40)
    light = sum(1 for v in levels if v > 150)
    inside_count = len(levels)
    assert dark > 0.5 * inside_count, "the output panel is not drawn"
    assert light > 300, "no text drawn in the output panel"
    page.context.close()


def test_plain_chromium_user_agent_is_a_browser(electron_like: Any) -> None:
    """The same page with Chromium's own user agent: detection says "browser"."""
    page = new_page(electron_like, user_agent=ELECTRON_UA.replace("Electron/33.2.0 ", ""))
    open_app(page)
    assert page.inner_text("#status").endswith("environment: browser")
    page.context.close()


def test_without_file_access_the_page_cannot_load(browser: Any) -> None:
    """Chromium's default (no --allow-file-access-from-files) blocks file:// module scripts:
    the flag is what the renderer needs, as Electron's default gives it."""
    page = new_page(browser)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(PAGE)
    page.wait_for_load_state("load")
    assert page.inner_text("#status") == "Loading Python in the renderer…"
    assert any("renderer.js" in m and "CORS" in m for m in messages), messages
    page.context.close()


def test_electron_renderer_refuses_implicit_network(
    electron_like: Any, server: StaticServer
) -> None:
    """Loaded over http without an explicit indexURL, the loader in an Electron renderer
    refuses to fetch; passing indexURL says the network is wanted. A renderer without Node
    refuses a packageCacheDir it could not write."""
    page = new_page(electron_like)
    page.goto(server.url + "demos/")
    result = page.evaluate(
        """async () => {
            const { loadPinnace } = await import('/dist/pinnace.mjs');
            let error;
            try { await loadPinnace(); } catch (e) { error = e.name + ': ' + e.message; }
            let cacheError;
            try { await loadPinnace({ indexURL: '/dist/', packageCacheDir: '/tmp/cache' }); }
            catch (e) { cacheError = e.name + ': ' + e.message; }
            const py = await loadPinnace({ indexURL: '/dist/' });
            return { error, cacheError, environment: py.environment, value: py.runPython('6 * 7') };
        }"""
    )
    dist_url = server.url + "dist/"
    assert result["error"] == (
        f"LoadError: Pinnace could not load {dist_url}: indexURL would be fetched over the "
        "network (in Electron (electron-renderer) Pinnace reads local files only; indexURL "
        f"defaulted to the loader's own location, {dist_url}. Pass indexURL explicitly (a file "
        "path or file:// URL, or an http(s) URL if the network is really wanted))"
    )
    assert result["cacheError"] == (
        "PackageError: packageCacheDir /tmp/cache was given, but this context "
        "(electron-renderer) cannot write files: it has no Node. In an Electron renderer "
        "without nodeIntegration, downloads are cached with the Cache API"
    )
    assert result["environment"] == "electron-renderer" and result["value"] == 42
    page.context.close()


def test_demo_index_describes_the_app(page: Any, server: StaticServer) -> None:
    """demos/ links to a page that says the app needs Electron; the renderer page it links to
    runs in a normal tab as a plain browser page, without the main-process half."""
    page.goto(server.url + "demos/")
    page.click("text=electron")
    page.wait_for_load_state("load")
    assert "does not run in a browser tab" in page.inner_text("body")
    assert "npx electron ." in page.inner_text("pre")
    page.click("text=opened here")
    page.wait_for_selector("body[data-ready]", timeout=120_000)
    assert page.inner_text("#status") == "Python 3.13.5 ready · environment: browser"
    assert "285" in page.inner_text("#output").splitlines()
    assert page.is_disabled("#run-main")
    assert page.page_errors == []
