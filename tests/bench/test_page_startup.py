"""bench/page_startup.py runs end to end in Chromium for both pairs of pages: Pinnace's and
PyScript's (npm) `<script type="py">`, and the ES-module loaders `loadPinnace` and Pyodide's
`loadPyodide` (not how fast any of them is: each page only has to show its text)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from support.hosts import REPO


@pytest.mark.chromium
@pytest.mark.usefixtures("dist")
def test_page_startup_bench_reports_both_pairs() -> None:
    res = subprocess.run([sys.executable, str(REPO / "bench" / "page_startup.py"), "--rounds", "1"],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Command: `") and "bench/page_startup.py --rounds 1" in res.stdout
    rows = [line for line in res.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert [r.split("|")[1].strip().split()[0] for r in rows] == [
        "`<script", "Pinnace", "PyScript", "Pinnace", "ES-module", "Pinnace", "Pyodide", "Pinnace"]
    assert "`loadPinnace`" in rows[5] and "`loadPyodide`" in rows[6]
    for row in rows[1:3] + rows[5:7]:
        assert float(row.split("|")[2]) > 0
    for ratio in rows[3], rows[7]:
        assert re.fullmatch(r"\d+\.\d\dx", ratio.split("|")[2].strip())
    assert rows[3].startswith("| Pinnace / PyScript") and rows[7].startswith("| Pinnace / Pyodide")
