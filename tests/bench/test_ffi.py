"""bench/ffi.py (against dist/ and npm Pyodide) and bench/jspi.py (in Chromium) run end to end
(not how fast anything is)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from support.hosts import REPO

OPERATIONS = [
    "Python -> JS call", "JS -> Python call", "attribute access, Python reads a JS object's",
    "attribute access, JS reads a Python object's", "to_js of a 10,000-element list",
    "to_py of a 10,000-element array", "asyncio.sleep(0) round trip",
]  # fmt: skip
JSPI_OPERATIONS = [
    "asyncio.sleep(0) round trip", "asyncio.gather of 5,000 tasks, per task",
    "Python -> JS call", "JS -> Python call",
]  # fmt: skip


def bench_rows(script: str, operations: list[str]) -> dict[str, list[str]]:
    """The table rows (operation -> its other cells) of one quick run of bench/<script>."""
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), "--rounds", "1", "--repeats", "1"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = {}
    for line in res.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in operations:
            rows[cells[0]] = cells[1:]
    assert sorted(rows) == sorted(operations)
    return rows


@pytest.mark.usefixtures("dist")
def test_ffi_bench_reports_every_operation_for_both() -> None:
    for ours, theirs, ratio in bench_rows("ffi.py", OPERATIONS).values():
        assert float(ours) > 0 and float(theirs) > 0
        assert re.fullmatch(r"\d+\.\d\dx( \(slower\))?", ratio)


@pytest.mark.chromium
@pytest.mark.usefixtures("dist")
def test_jspi_bench_reports_every_operation_both_ways() -> None:
    for off, on, ratio in bench_rows("jspi.py", JSPI_OPERATIONS).values():
        assert float(off) > 0 and float(on) > 0
        assert re.fullmatch(r"\d+\.\d\dx", ratio)
