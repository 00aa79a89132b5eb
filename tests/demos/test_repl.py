"""The REPL demo (demos/repl/) in real Chromium: Python in a Web Worker, typed into like a person
would, on a cross-origin isolated page as `make demo` serves it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.screenshots import color_count, pixels_like, screenshot

pytestmark = pytest.mark.chromium

IDLE = "document.getElementById('status').dataset.state === 'idle'"


def open_repl(page: Any, server: StaticServer) -> None:
    page.goto(server.url + "demos/repl/")
    page.wait_for_function("document.getElementById('status').textContent.includes('ready')",
                           timeout=120_000)  # fmt: skip


def type_and_run(page: Any, code: str, timeout: float = 60_000) -> None:
    """Put `code` into the input, press Enter, wait until Python is done."""
    page.fill("#input", code)
    page.press("#input", "Enter")
    page.wait_for_function(IDLE, timeout=timeout)


def test_repl_shows_output_results_and_tracebacks(
    page: Any, isolated_server: StaticServer, tmp_path: Path
) -> None:
    open_repl(page, isolated_server)
    assert "Python 3.13.5" in page.inner_text("#status")
    assert "in a Web Worker" in page.inner_text("#status")
    type_and_run(page, "import sys\nprint('hello from', sys.platform)\nx = 6\nx * 7")
    type_and_run(page, "def f():\n    return {}['missing']\nf()")
    type_and_run(page, "'still' + ' working'")
    assert page.inner_text("#output .out") == "hello from emscripten\n"
    assert [r.strip() for r in page.locator("#output .res").all_inner_texts()] == [
        "42", "'still working'"
    ]  # fmt: skip
    err = page.inner_text("#output .err")
    assert err.startswith("Traceback (most recent call last):\n")
    assert 'File "<repl>", line 3, in <module>' in err
    assert "KeyError: 'missing'" in err
    assert "console.py" not in err and "_run.py" not in err
    # What a person sees: input echoed in green, the result in blue, the traceback in red.
    shot = screenshot(page.locator("#output"), tmp_path / "repl-output.png")
    assert len(pixels_like(shot, "#7ee787")) > 50  # >>> lines
    assert len(pixels_like(shot, "#79c0ff")) > 20  # results
    assert len(pixels_like(shot, "#ff7b72")) > 100  # the traceback
    assert page.page_errors == []


def test_repl_stop_interrupts_running_python(
    page: Any, isolated_server: StaticServer, tmp_path: Path
) -> None:
    open_repl(page, isolated_server)
    assert page.is_disabled("#stop")  # nothing runs yet
    page.fill("#input", "n = 0\nprint('looping')\nwhile True:\n    n += 1\n")
    page.press("#input", "Enter")
    page.wait_for_selector("#output .out")  # 'looping': Python is in the loop now
    assert page.evaluate("document.getElementById('status').dataset.state") == "running"
    assert page.inner_text("#state") == "running…"
    # The page stays responsive while Python loops in the worker.
    assert page.evaluate("document.title") == "Pinnace REPL"
    page.click("#stop")
    page.wait_for_function(IDLE, timeout=30_000)
    err = page.inner_text("#output .err")
    assert err.rstrip().endswith("KeyboardInterrupt")
    assert 'File "<repl>", line 3, in <module>' in err
    assert page.is_disabled("#stop")
    type_and_run(page, "n > 0, 'usable'")  # the loop ran, and the REPL goes on
    assert page.inner_text("#output .res").strip() == "(True, 'usable')"
    shot = screenshot(page, tmp_path / "repl-stopped.png")
    assert len(pixels_like(shot, "#ff7b72")) > 50 and color_count(shot) > 50
    assert page.page_errors == []


def test_repl_stop_cancels_code_that_awaits(page: Any, isolated_server: StaticServer) -> None:
    """Code waiting in `await` runs no bytecode to notice the interrupt buffer: Stop cancels
    it where it waits, shown as a KeyboardInterrupt there, and nothing fires later."""
    open_repl(page, isolated_server)
    page.fill("#input", "import asyncio\nprint('waiting')\nawait asyncio.sleep(30)\nprint('woke')")
    page.press("#input", "Enter")
    page.wait_for_selector("#output .out")
    page.click("#stop")
    page.wait_for_function(IDLE, timeout=20_000)
    err = page.inner_text("#output .err")
    assert 'File "<repl>", line 3, in <module>\n    await asyncio.sleep(30)\n' in err
    assert err.rstrip().endswith("KeyboardInterrupt")
    type_and_run(page, "import asyncio\nawait asyncio.sleep(0.2)\n'timers still fine'")
    assert page.inner_text("#output .res").strip() == "'timers still fine'"
    assert page.locator("#output .out").all_inner_texts() == ["waiting\n"]  # never 'woke'
    assert page.page_errors == []


def test_repl_blocks_shift_enter_and_history(page: Any, isolated_server: StaticServer) -> None:
    open_repl(page, isolated_server)
    page.click("#input")
    page.keyboard.type("def add(a, b):")
    page.keyboard.press("Enter")  # opens a block: a new, indented line instead of running
    assert page.input_value("#input") == "def add(a, b):\n    "
    page.keyboard.type("return a + b")
    page.keyboard.press("Enter")  # still inside the block
    assert page.input_value("#input") == "def add(a, b):\n    return a + b\n    "
    page.keyboard.press("Enter")  # an empty line ends the block and runs it
    page.wait_for_function(IDLE)
    assert page.input_value("#input") == ""
    page.keyboard.type("y = add(2, 3)")
    page.keyboard.press("Shift+Enter")  # one more line, not run yet
    page.keyboard.type("y * 10")
    assert page.input_value("#input") == "y = add(2, 3)\ny * 10"
    page.keyboard.press("Enter")
    page.wait_for_function(IDLE)
    assert page.inner_text("#output .res").strip() == "50"
    page.keyboard.press("ArrowUp")
    assert page.input_value("#input") == "y = add(2, 3)\ny * 10"
    page.keyboard.press("Control+Home")  # to the first line: ArrowUp browses history again
    page.keyboard.press("ArrowUp")
    assert page.input_value("#input") == "def add(a, b):\n    return a + b"
    page.keyboard.press("ArrowDown")
    assert page.input_value("#input") == "y = add(2, 3)\ny * 10"
    page.keyboard.press("ArrowDown")
    assert page.input_value("#input") == ""
    assert page.page_errors == []


def test_repl_imports_numpy_lazily_and_awaits(page: Any, isolated_server: StaticServer) -> None:
    """Nothing declared: the code imports numpy, which the worker fetches at that moment."""
    open_repl(page, isolated_server)
    type_and_run(page, "import numpy as np\nnp.arange(6).reshape(2, 3).sum(axis=0).tolist()",
                 timeout=120_000)  # fmt: skip
    assert page.inner_text("#output .res").strip() == "[3, 5, 7]"
    type_and_run(page, "import asyncio\nawait asyncio.sleep(0.01)\n'awaited'")
    assert page.inner_text("#output").rstrip().endswith("'awaited'")
    assert page.page_errors == []


def test_repl_without_isolation_says_stop_is_off(page: Any, server: StaticServer) -> None:
    """Served without COOP/COEP there is no SharedArrayBuffer: Stop stays off, and says why."""
    open_repl(page, server)
    assert "Stop is off: this page is not cross-origin isolated" in page.inner_text("#status")
    type_and_run(page, "print(sum(range(10)))")
    assert page.inner_text("#output .out") == "45\n"
    assert page.is_disabled("#stop")
