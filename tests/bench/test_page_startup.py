"""bench/page_startup.py runs end to end in Chromium for Pinnace and PyScript (npm) (not how fast
either is)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from support.hosts import REPO


@pytest.mark.chromium
@pytest.mark.usefixtures("dist")
def test_page_startup_bench_reports_both_pages() -> None:
    res = subprocess.run([sys.executable, str(REPO / "bench" / "page_startup.py"), "--rounds", "1"],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = [line for line in res.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert [r.split("|")[1].strip().split()[0] for r in rows[1:]] == ["Pinnace", "PyScript", "Pinnace"]
    for row in rows[1:3]:
        assert float(row.split("|")[2]) > 0
    assert re.fullmatch(r"\d+\.\d\dx", rows[3].split("|")[2].strip())
