"""The REPL demo in real Chromium (Debian's, driven by Playwright), served by `pinnace serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer

pytestmark = pytest.mark.chromium


def open_repl(page: Any, server: StaticServer) -> None:
    page.goto(server.url + "demos/repl/")
    page.wait_for_function("document.getElementById('status').textContent.includes('ready')",
                           timeout=120_000)  # fmt: skip


def type_and_run(page: Any, code: str) -> None:
    page.fill("#input", code)
    page.press("#input", "Enter")


def test_repl_runs_code_and_shows_results(page: Any, server: StaticServer, tmp_path: Path) -> None:
    open_repl(page, server)
    assert "Python 3.13.5" in page.inner_text("#status")
    type_and_run(page, "import sys\nprint('hello from', sys.platform)")
    type_and_run(page, "sum(i * i for i in range(10))")
    page.wait_for_function("document.querySelectorAll('#output .res').length >= 1")
    text = page.inner_text("#output")
    assert "hello from emscripten" in text
    assert "285" in text
    page.screenshot(path=str(tmp_path / "repl.png"))
    assert page.page_errors == []


def test_repl_shows_python_traceback_and_keeps_going(page: Any, server: StaticServer) -> None:
    open_repl(page, server)
    type_and_run(page, "def f():\n    return {}['missing']\nf()")
    page.wait_for_selector("#output .err")
    err = page.inner_text("#output .err")
    assert 'File "<repl>", line 3, in <module>' in err
    assert "KeyError: 'missing'" in err
    assert "_run.py" not in err
    type_and_run(page, "'still' + ' working'")
    page.wait_for_selector("#output .res")
    assert page.inner_text("#output .res").strip() == "'still working'"


def test_es_module_and_wrong_index_url(page: Any, server: StaticServer) -> None:
    page.goto(server.url + "demos/")
    result = page.evaluate(
        """async () => {
            const { loadPinnace } = await import('/dist/pinnace.mjs');
            const py = await loadPinnace();
            const value = py.runPython('import zlib; len(zlib.compress(b"a" * 1000))');
            let error;
            try { await loadPinnace({ indexURL: '/no/such/dir/' }); }
            catch (e) { error = e.name + ': ' + e.message; }
            return { value, error };
        }"""
    )
    assert isinstance(result["value"], int) and 0 < result["value"] < 100
    assert result["error"].startswith("LoadError: Pinnace could not load ")
    assert "/no/such/dir/pinnace.asm.mjs" in result["error"]


def test_repl_imports_numpy_lazily_and_awaits(page: Any, server: StaticServer) -> None:
    """Nothing declared: the REPL's code imports numpy, which is fetched at that moment."""
    open_repl(page, server)
    type_and_run(page, "import numpy as np\nnp.arange(6).reshape(2, 3).sum(axis=0).tolist()")
    page.wait_for_selector("#output .res", timeout=120_000)
    assert page.inner_text("#output .res").strip() == "[3, 5, 7]"
    type_and_run(page, "import asyncio\nawait asyncio.sleep(0.01)\n'awaited'")
    page.wait_for_function("document.querySelectorAll('#output .res').length >= 2")
    assert page.inner_text("#output").rstrip().endswith("'awaited'")
    assert page.page_errors == []
