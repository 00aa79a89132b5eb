"""The data demo (demos/data/) in real Chromium, checked as a person would see it: pandas'
table of monthly means is on the page with the right numbers, and matplotlib's plot, put on
the page by `plt.show()`, shows the scatter of the three stations and the fitted curve."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import REPO
from support.screenshots import pixels_like, screenshot

pytestmark = pytest.mark.chromium

FIT = "#d1242f"  # the fitted curve's colour (analysis.py)
# matplotlib's first three colours, in the order pandas' groupby gives the stations; the points
# are drawn with alpha 0.45 on white (analysis.py).
STATIONS = {"Old Town": "#1f77b4", "Riverside": "#ff7f0e", "University": "#2ca02c"}
ALPHA = 0.45


def on_white(colour: str, alpha: float) -> str:
    """The colour a pixel of `colour` drawn with `alpha` over white has."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * c + (1 - alpha) * 255):02x}" for c in rgb)


def monthly_means() -> dict[tuple[str, str], float]:
    """(month, station) -> mean rentals, computed here from the demo's CSV without pandas."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(list)
    with (REPO / "demos/data/rentals.csv").open() as f:
        for row in csv.DictReader(f):
            sums[(row["date"][:7], row["station"])].append(int(row["rentals"]))
    return {k: round(sum(v) / len(v), 1) for k, v in sums.items()}


def test_data_demo_shows_the_table_and_the_plot(
    page: Any, isolated_server: StaticServer, tmp_path: Path
) -> None:
    page.goto(isolated_server.url + "demos/data/")
    page.wait_for_function("['done', 'failed'].includes(document.getElementById('status')"
                           ".dataset.state)", timeout=300_000)  # fmt: skip
    status = page.inner_text("#status")
    assert page.get_attribute("#status", "data-state") == "done", status
    got = re.match(r"1095 rows; busiest at (\S+) °C", status)
    assert got, status
    assert 18 < float(got.group(1)) < 26  # the data peak at 22 °C (make_rentals.py)

    # The table, as the page shows it: a header of stations, a row per month.
    header = page.eval_on_selector_all("#table thead th", "ths => ths.map(t => t.textContent)")
    assert [h for h in header if h in STATIONS] == sorted(STATIONS)
    rows = page.eval_on_selector_all(
        "#table tbody tr",
        "trs => trs.map(tr => [tr.querySelector('th').textContent,"
        " ...[...tr.querySelectorAll('td')].map(td => td.textContent)])",
    )
    assert [r[0] for r in rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    expected = monthly_means()
    for month, *cells in rows:
        assert [float(c) for c in cells] == [expected[(month, s)] for s in sorted(STATIONS)]

    # The plot: one canvas in #plot, the curve's red and every station's colour inside it.
    assert page.locator("#plot canvas.pinnace-figure").count() == 1
    plot = screenshot(page.locator("#plot canvas"), tmp_path / "data-plot.png")
    screenshot(page, tmp_path / "data-page.png")
    assert plot.width > 400 and plot.height > 200
    assert len(pixels_like(plot, FIT, tolerance=24)) > 300
    for station, colour in STATIONS.items():
        assert len(pixels_like(plot, on_white(colour, ALPHA), tolerance=12)) > 200, station

    # Bad input on the same page: a malformed CSV is pandas' own error, and the page and its
    # interpreter stay usable (the figure is still there, and Python still answers).
    bad = page.evaluate("""async () => {
        try {
            await pinnace.runPythonAsync("import io\\npd.read_csv(io.StringIO('a,b\\\\n1,2\\\\n3,4,5\\\\n'))");
            return null;
        } catch (e) { return [e.type, e.message.trim().split("\\n").pop()]; }
    }""")
    assert bad == ["ParserError", "pandas.errors.ParserError: Error tokenizing data. "
                   "C error: Expected 2 fields in line 3, saw 3"]  # fmt: skip
    assert page.evaluate("() => pinnace.runPython('int(df[\"rentals\"].count())')") == 1095
    assert page.locator("#plot canvas.pinnace-figure").count() == 1
    assert page.page_errors == []
