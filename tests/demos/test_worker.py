"""The worker demo (demos/worker/) in real Chromium: a form on the page, Python in a Web Worker."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import REPO
from support.screenshots import color_count, screenshot

pytestmark = pytest.mark.chromium


def native_analyze(text: str) -> dict[str, Any]:
    """The demo's own textstats.analyze, run by this (native) Python for comparison."""
    spec = importlib.util.spec_from_file_location("textstats", REPO / "demos/worker/textstats.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: dict[str, Any] = module.analyze(text)
    return result


def shown(page: Any) -> dict[str, str]:
    keys = ("characters", "words", "distinct", "top", "sha256")
    return {key: page.inner_text(f"#{key}") for key in keys}


def expected(text: str) -> dict[str, str]:
    stats = native_analyze(text)
    return {
        "characters": str(stats["characters"]),
        "words": str(stats["words"]),
        "distinct": str(stats["distinct"]),
        "top": ", ".join(f"{word} ×{n}" for word, n in stats["top"]),
        "sha256": stats["sha256"],
    }


def test_worker_demo_analyzes_the_text_in_python(
    page: Any, isolated_server: StaticServer, tmp_path: Path
) -> None:
    page.goto(isolated_server.url + "demos/worker/")
    page.wait_for_function("!document.getElementById('result').hidden", timeout=120_000)
    assert page.inner_text("#status") == "Python 3.13.5 is ready in a Web Worker."
    first = page.input_value("#text")
    assert shown(page) == expected(first)

    text = "Über Wasser: the wasm worker works; the page waits for nothing. Wasser, wasser!"
    page.fill("#text", text)
    page.click("#analyze")
    page.wait_for_function("n => document.getElementById('characters').textContent === n",
                           arg=str(len(text)))  # fmt: skip
    assert shown(page) == expected(text)
    assert shown(page)["top"].startswith("wasser ×3, the ×2")
    assert page.inner_text("#error") == ""
    shot = screenshot(page, tmp_path / "worker.png")
    assert color_count(shot) > 50  # text, table rules, a button: not a blank page
    assert page.page_errors == []
