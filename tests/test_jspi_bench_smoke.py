"""bench/jspi.py runs end to end in Chromium against dist/ (not how fast anything is)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from benchtables import positive, table_rows
from conftest import REPO

pytestmark = pytest.mark.chromium

OPERATIONS = [
    "asyncio.sleep(0) round trip", "asyncio.gather of 5,000 tasks, per task",
    "Python -> JS call", "JS -> Python call",
]  # fmt: skip


@pytest.mark.usefixtures("dist")
def test_jspi_bench_reports_every_operation_both_ways() -> None:
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "jspi.py"), "--rounds", "1", "--repeats", "1"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = table_rows(res.stdout)
    assert rows[0] == ["operation", "JSPI off (µs)", "JSPI on (µs)", "on / off"]
    body = {r[0]: r[1:] for r in rows[2:]}
    assert sorted(body) == sorted(OPERATIONS)
    for off, on, ratio in body.values():
        assert positive(off) and positive(on)
        assert re.fullmatch(r"\d+\.\d\dx", ratio)
