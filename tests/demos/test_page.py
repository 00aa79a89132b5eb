"""The page demo (demos/page/): HTML and <script type="py"> only, used as a person would: the
first result on load, new inputs and a click, checked as text and in a screenshot; primes
counted by a worker script while the page's clock goes on, and stopped.  Served as `make demo`
serves it: cross-origin isolated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.screenshots import pixels_like, screenshot

pytestmark = pytest.mark.chromium


def payment(amount: float, rate: float, years: int) -> float:
    r, n = rate / 100 / 12, years * 12
    return amount * r / (1 - (1 + r) ** -n)


def test_page_demo_computes_on_load_and_on_click(page: Any, isolated_server: StaticServer, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(isolated_server.url + "demos/page/")
    page.wait_for_function("document.querySelector('script[type=py][data-pinnace-done]') !== null",
                           timeout=120_000)  # fmt: skip
    assert page.inner_text("#monthly") == f"Monthly payment: {payment(200000, 3.5, 20):,.2f}"
    rows = page.locator("#table tr")
    assert rows.count() == 21  # a header and 20 years
    assert rows.nth(20).inner_text().split() == ["20", "0"]
    page.fill("#years", "10")
    page.fill("#rate", "0")
    page.click("#compute")
    page.wait_for_function("document.querySelectorAll('#table tr').length === 11")
    assert page.inner_text("#monthly") == "Monthly payment: 1,666.67"
    assert page.locator("#table tr").nth(5).inner_text().split() == ["5", "100,000"]
    # what a person sees: the table's borders are drawn
    image = screenshot(page.locator("#table"), tmp_path / "table.png")
    assert len(pixels_like(image, "#cccccc", tolerance=24)) > 200
    assert errors == [] and page.locator(".py-error").count() == 0


def clock(page: Any) -> float:
    return float(page.inner_text("#clock").split()[2])


def test_page_demo_counts_primes_in_a_worker_while_the_page_goes_on(page: Any, isolated_server: StaticServer) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(isolated_server.url + "demos/page/")
    page.wait_for_function("document.querySelectorAll('script[type=py][data-pinnace-done]').length === 3",
                           timeout=120_000)  # fmt: skip
    page.fill("#limit", "100000")
    page.click("#count")
    page.wait_for_function("document.getElementById('primes').textContent.includes('primes below 100,000')",
                           timeout=60_000)  # fmt: skip
    assert page.inner_text("#primes") == "9,592 primes below 100,000"
    assert page.eval_on_selector("#progress", "(p) => p.value") == 1
    # a count that would take hours: the page's clock goes on meanwhile, and Stop stops it
    page.fill("#limit", "1000000000")
    page.click("#count")
    page.wait_for_function("document.getElementById('progress').value > 0", timeout=60_000)
    before = clock(page)
    page.wait_for_function(f"parseFloat(document.getElementById('clock').textContent.split(' ')[2]) > {before + 0.5}")
    page.click("#stop")
    page.wait_for_function("document.getElementById('primes').textContent.startsWith('stopped at')", timeout=30_000)
    stopped_at, found = (int(x.replace(",", "")) for x in page.inner_text("#primes")
                         .removeprefix("stopped at ").removesuffix(" primes below it").split(": "))  # fmt: skip
    assert 50_000 <= stopped_at < 1_000_000_000 and 0 < found < stopped_at
    assert errors == [] and page.locator(".py-error").count() == 0
