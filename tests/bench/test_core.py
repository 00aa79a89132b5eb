"""bench/run.py --quick: the core benchmark harness works end to end (not how fast anything is).

Runs the real harness against dist/ and npm Pyodide with one repetition and a tiny workload,
then checks the report's shape: both columns, a ratio column, a positive number in every cell
(or, for Pyodide's `import numpy` memory, "not measurable" and why: its npm package ships no
wheels), and that --write touches only the Core section of the document. Nothing is asserted
about time or size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.benchtables import comparison_body, positive, run_quick

NOT_MEASURABLE = "not measurable"
NUMPY = "`import numpy` and `numpy.arange(10).sum()`"

OTHER_SECTION = """\
## Server host (pinnace_host)

<!-- bench:host:start -->
owned by the host benchmark
<!-- bench:host:end -->
"""


def mib(cell: str) -> float:
    number, unit = cell.split()
    return float(number) * (1 if unit == "MiB" else 1 / 1024)


# About 30 s once the compressed sizes are cached; brotli q11 of both wasm files makes the first
# run after a rebuild of dist/ take over a minute.
@pytest.mark.slow
def test_quick_run_reports_both_distributions(dist: Path, tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nIntro.\n\n" + OTHER_SECTION)
    report = run_quick("run.py", doc, timeout=900)
    labels = ("raw", "gzip -9", "brotli q11", "cold", "warm", "second load", "fib", "total",
              "node alone", 'after runPython("1+1"): peak RSS', "1+1\"): wasm linear memory",
              f"{NUMPY}: peak RSS")  # fmt: skip
    unmeasured = []
    for row in comparison_body(report, labels):
        if row[2] == NOT_MEASURABLE:  # Pyodide, numpy: the npm package has no wheels
            assert positive(row[1]) and row[3] == "", row
            unmeasured.append(row[0])
            continue
        assert positive(row[1]) and positive(row[2]), row
        assert float(row[3]) > 0, row
    if unmeasured:  # only numpy's rows, and the report says why
        assert all(NUMPY in label for label in unmeasured), unmeasured
        assert "**Pyodide, `import numpy`:** not measurable: `pyodide-lock.json` names" in report
    # sane, not fast: each step only adds to the process's peak; numpy grows Pinnace's heap
    pinnace = {row[0]: mib(row[1]) for row in comparison_body(report, ()) if "MiB" in row[1]}
    assert (
        pinnace["node alone, before the loader is imported: peak RSS"]
        < pinnace['after runPython("1+1"): peak RSS']
        <= pinnace[f"after {NUMPY}: peak RSS"]
    )
    assert (
        pinnace['after runPython("1+1"): wasm linear memory']
        <= pinnace[f"after {NUMPY}: wasm linear memory"]
    )
    assert "computed the same workload results" in report
    assert "Command: `" in report and "bench/run.py --quick" in report

    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nIntro.\n\n## Core\n\n<!-- bench:core:start -->")
    assert text.count("<!-- bench:core:start -->") == 1
    assert text.endswith(OTHER_SECTION)
