"""bench/ffi.py runs end to end against dist/ and npm Pyodide (not how fast anything is)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import REPO

OPERATIONS = [
    "Python -> JS call", "JS -> Python call", "attribute access, Python reads a JS object's",
    "attribute access, JS reads a Python object's", "to_js of a 10,000-element list",
    "to_py of a 10,000-element array", "asyncio.sleep(0) round trip",
]  # fmt: skip


@pytest.mark.usefixtures("dist")
def test_ffi_bench_reports_every_operation_for_both() -> None:
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "ffi.py"), "--rounds", "1", "--repeats", "1"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = {}
    for line in res.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in OPERATIONS:
            rows[cells[0]] = cells[1:]
    assert sorted(rows) == sorted(OPERATIONS)
    for ours, theirs, ratio in rows.values():
        assert float(ours) > 0 and float(theirs) > 0
        assert re.fullmatch(r"\d+\.\d\dx( \(slower\))?", ratio)
