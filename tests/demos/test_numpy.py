"""The numpy demo (demos/numpy/) in real Chromium: a plain `import numpy` on the main thread,
then a plot on a canvas, checked in a screenshot."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.screenshots import pixels_like, screenshot

pytestmark = pytest.mark.chromium


def where(points: list[tuple[int, int]], at: str) -> float:
    """The x of the highest ("top") or lowest ("bottom") point, as a fraction of the points'
    horizontal extent."""
    xs = [x for x, _ in points]
    y_at = min(y for _, y in points) if at == "top" else max(y for _, y in points)
    x_at = sum(x for x, y in points if y == y_at) / sum(1 for _, y in points if y == y_at)
    return (x_at - min(xs)) / (max(xs) - min(xs))


def test_numpy_demo_draws_the_plot(
    page: Any, isolated_server: StaticServer, dist: Path, tmp_path: Path
) -> None:
    numpy_version = json.loads((dist / "pinnace-lock.json").read_text())["packages"]["numpy"][
        "version"
    ]
    page.goto(isolated_server.url + "demos/numpy/")
    # What the page says while numpy is fetched and installed (a fresh context: nothing cached)
    page.wait_for_function("document.getElementById('status').textContent.includes("
                           "'Importing numpy: fetching and installing the package')")  # fmt: skip
    page.wait_for_function("document.getElementById('status').dataset.state === 'done'",
                           timeout=180_000)  # fmt: skip
    assert page.inner_text("#status").startswith(f"Drawn with numpy {numpy_version} (imported in")
    summary = page.inner_text("#summary")
    got = re.fullmatch(
        r"10000 samples: mean (\S+), std (\S+); the fullest bin \[(\S+), (\S+)\) holds (\d+)\.",
        summary,
    )
    assert got, summary
    mean, std, low, high, most = (float(v) for v in got.groups())
    assert abs(mean) < 0.05 and abs(std - 1) < 0.05  # a standard normal sample, seeded
    assert -0.5 <= low < high <= 0.5 and 10_000 / 40 < most < 10_000 / 5

    plot = screenshot(page.locator("#plot"), tmp_path / "numpy-plot.png")
    screenshot(page, tmp_path / "numpy-page.png")
    left = plot.crop((0, 0, plot.width // 2, plot.height))
    right = plot.crop((plot.width // 2, 0, plot.width, plot.height))
    sin = pixels_like(left, "#1f6feb")
    cos = pixels_like(left, "#d1242f")
    bars = pixels_like(right, "#2da44e", tolerance=16)
    assert len(sin) > 500 and len(cos) > 500 and len(bars) > 5000
    assert not pixels_like(right, "#1f6feb") and not pixels_like(left, "#2da44e", tolerance=16)
    # sin peaks a quarter of the way through the period and bottoms out at three quarters;
    # cos bottoms out halfway; the histogram is tallest in the middle.
    assert abs(where(sin, "top") - 0.25) < 0.03
    assert abs(where(sin, "bottom") - 0.75) < 0.03
    assert abs(where(cos, "bottom") - 0.5) < 0.03
    assert abs(where(bars, "top") - 0.5) < 0.1
    assert page.page_errors == []
