"""bench/pyperformance.py runs pyperformance's own benchmark files end to end in Pinnace and
Pyodide (npm) and reports both and their ratio (not how fast either is)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support.hosts import REPO


@pytest.mark.usefixtures("dist")
def test_pyperformance_bench_reports_both() -> None:
    res = subprocess.run([sys.executable, str(REPO / "bench" / "pyperformance.py"), "--only",
                          "richards,regex_compile,unpack_sequence", "--reps", "1"],
                         capture_output=True, text=True, timeout=900, cwd=REPO / "bench")  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = [r.split("|")[1:-1] for r in res.stdout.splitlines() if r.startswith("| ") and "---" not in r]
    assert "Pinnace" in rows[0][1] and "Pyodide" in rows[0][2]
    measured = {r[0].strip(): r for r in rows[1:-1]}
    # each ran in both: a time per loop, and a ratio (regex_compile imports its folder's modules)
    assert sorted(measured) == ["regex_compile", "richards", "unpack_sequence"]
    for cells in measured.values():
        assert float(cells[1].replace(",", "")) > 0 and float(cells[2].replace(",", "")) > 0
        assert float(cells[3]) > 0
    assert "geometric mean" in rows[-1][0] and float(rows[-1][3].strip(" *")) > 0
    assert "- `concurrent_imap`: threads" in res.stdout  # what is left out says why
