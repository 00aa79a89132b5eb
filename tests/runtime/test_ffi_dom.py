"""The FFI and the asyncio loop in real Chromium: DOM callbacks into Python, MessageChannel."""

from __future__ import annotations

from typing import Any

import pytest

from pinnace_build.serve import StaticServer

pytestmark = pytest.mark.chromium


def load(page: Any, server: StaticServer) -> None:
    page.goto(server.url + "demos/")
    page.evaluate(
        """async () => {
            const { loadPinnace } = await import('/dist/pinnace.mjs');
            window.py = await loadPinnace();
        }"""
    )


def test_add_event_listener_fires_into_python(page: Any, server: StaticServer) -> None:
    load(page, server)
    page.evaluate(
        """() => py.runPython(`
from js import document
from pinnace.ffi import create_proxy
clicks = []
def on_click(event):
    clicks.append((event.type, event.target.id, event.isTrusted))
button = document.createElement("button")
button.id = "py-button"
button.textContent = "click me"
document.body.appendChild(button)
handler = create_proxy(on_click)
button.addEventListener("click", handler)
`)"""
    )
    page.click("#py-button")
    page.click("#py-button")
    clicks = page.evaluate("() => py.runPython('clicks').toJs()")
    assert clicks == [["click", "py-button", True], ["click", "py-button", True]]
    # removing the listener and destroying the proxy: later clicks do not reach Python
    page.evaluate(
        "() => py.runPython('button.removeEventListener(\"click\", handler)\\nhandler.destroy()')"
    )
    page.click("#py-button")
    assert page.evaluate("() => py.runPython('len(clicks)')") == 2
    assert page.page_errors == []


def test_asyncio_and_promises_in_the_page(page: Any, server: StaticServer) -> None:
    load(page, server)
    result = page.evaluate(
        """async () => {
            let frames = 0;
            const counting = (function tick() { frames++; if (frames < 1e9) requestAnimationFrame(tick); });
            requestAnimationFrame(counting);
            const value = await py.runPythonAsync(`
import asyncio, js
async def fetch_text():
    resp = await js.fetch("/demos/")
    return (resp.status, len(await resp.text()) > 0)
async def tick(i):
    await asyncio.sleep(0)
    return i
async with asyncio.timeout(5):
    got = await asyncio.gather(fetch_text(), *(tick(i) for i in range(100)))
await asyncio.sleep(0.1)
[got[0][0], got[0][1], sum(got[1:])]`);
            return { value: value.toJs(), frames };
        }"""
    )
    assert result["value"] == [200, True, 4950]
    assert result["frames"] > 0  # the page kept rendering while Python waited
    assert page.page_errors == []


def test_errors_round_trip_in_the_page(page: Any, server: StaticServer) -> None:
    load(page, server)
    result = page.evaluate(
        """() => {
            const original = new DOMException("custom", "AbortError");
            py.globals.set("fail", () => { throw original; });
            const relay = py.runPython("def relay():\\n    fail()\\nrelay");
            let same;
            try { relay(); } catch (e) { same = e === original; }
            let pyErr;
            try { py.runPython("import js\\njs.eval('(f) => f()')(lambda: 1 / 0)"); }
            catch (e) { pyErr = [e.name, e.type, e.message.includes('<lambda>'), e.message.includes('_run.py')]; }
            return { same, pyErr };
        }"""
    )
    assert result == {"same": True, "pyErr": ["PythonError", "ZeroDivisionError", True, False]}
