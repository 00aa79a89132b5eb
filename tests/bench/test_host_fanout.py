"""bench/host_fanout.py runs (tiny sizes) and reports its three ways: a benchmark's smoke test,
nothing here depends on time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "host_fanout.py"


def test_host_fanout_reports_every_way() -> None:
    out = subprocess.run([sys.executable, str(BENCH), "--calls", "40", "--work", "1000"],
                         capture_output=True, text=True, check=True, timeout=300).stdout  # fmt: skip
    rows = [line.split()[0] for line in out.splitlines()[2:]]
    assert rows == ["one", "ProcessPoolExecutor(2),", "Dask"], out
