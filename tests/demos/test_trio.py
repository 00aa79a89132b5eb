"""The Trio demo (demos/trio/) in Chromium: what a person sees after a run, a timeout and a
Cancel, and a screenshot that is not blank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.screenshots import color_count, pixels_like, screenshot

pytestmark = pytest.mark.chromium


def open_demo(page: Any, server: StaticServer) -> None:
    page.set_default_timeout(120_000)
    page.goto(server.url + "demos/trio/")
    page.wait_for_selector("#start:not([disabled])")


def start(page: Any, timeout: float, throttle_ms: int) -> None:
    page.fill("#timeout", str(timeout))
    page.fill("#throttle", str(throttle_ms))
    page.click("#start")


def rows(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "#fetches tr",
        """rs => rs.map(r => ({name: r.dataset.name, state: r.dataset.state,
            text: r.querySelector('.state').textContent,
            value: r.querySelector('progress').value, max: r.querySelector('progress').max}))""",
    )


def wait_finished(page: Any) -> str:
    page.wait_for_function(
        "/^(Finished|Cancelled)/.test(document.getElementById('status').textContent)"
    )
    return page.inner_text("#status")


def test_trio_demo_downloads_everything(
    page: Any, isolated_server: StaticServer, tmp_path: Path
) -> None:
    open_demo(page, isolated_server)
    start(page, 60, 0)
    assert wait_finished(page) == "Finished: 6 of 6 downloaded."
    shown = rows(page)
    assert len(shown) == 6
    for r in shown:
        assert r["state"] == "done", r
        assert r["value"] == r["max"] > 0, r  # the bar is full: every byte of the wheel arrived
        assert r["text"].startswith("done, "), r
    assert any(r["name"].startswith("numpy-") for r in shown)
    image = screenshot(page, tmp_path / "trio-demo.png")
    assert color_count(image) > 20  # text, progress bars: not a blank page
    assert len(pixels_like(image, "#1a7f37", 24)) > 100  # the green "done" of every row
    assert page.page_errors == []


def test_trio_demo_timeout_and_cancel(
    page: Any, isolated_server: StaticServer, tmp_path: Path
) -> None:
    open_demo(page, isolated_server)
    # 300 ms per 64 kB and a 0.5 s timeout: a body over 128 kB cannot finish in time
    start(page, 0.5, 300)
    status = wait_finished(page)
    assert status.startswith("Finished: ") and "timed out" in status
    timed_out = [r for r in rows(page) if r["state"] == "timeout"]
    numpy = [r for r in timed_out if r["name"].startswith("numpy-")]
    assert numpy and numpy[0]["value"] < numpy[0]["max"]  # 4.6 MB: at least 21 s of pauses
    assert all(r["text"] == "timed out after 0.5 s" for r in timed_out)

    # a long timeout, slow bodies: Cancel as soon as the first bytes arrive
    start(page, 600, 300)
    page.wait_for_function(
        "[...document.querySelectorAll('#fetches progress')].some(p => p.value > 0)"
    )
    page.click("#cancel")
    status = wait_finished(page)
    assert status.startswith("Cancelled: ")
    cancelled = [r for r in rows(page) if r["state"] == "cancelled"]
    assert any(r["name"].startswith("numpy-") and r["value"] < r["max"] for r in cancelled)
    assert all(r["text"] == "cancelled" for r in cancelled)
    assert {r["state"] for r in rows(page)} <= {"done", "cancelled"}
    image = screenshot(page, tmp_path / "trio-demo-cancelled.png")
    assert color_count(image) > 20
    assert len(pixels_like(image, "#9a6700", 24)) > 50  # the amber "cancelled" of the rows
    assert page.page_errors == []
