"""bench/run.py --quick: the core benchmark harness works end to end (not how fast anything is).

Runs the real harness against dist/ and npm Pyodide with one repetition and a tiny workload,
then checks the report's shape: both columns, a ratio column, a positive number in every cell,
and that --write touches only the Core section of the document. Nothing is asserted about time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.benchtables import comparison_body, positive, run_quick

OTHER_SECTION = """\
## Server host (pinnace_host)

<!-- bench:host:start -->
owned by the host benchmark
<!-- bench:host:end -->
"""


# About 20 s once the compressed sizes are cached; brotli q11 of both wasm files makes the first
# run after a rebuild of dist/ take over a minute.
@pytest.mark.slow
def test_quick_run_reports_both_distributions(dist: Path, tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nIntro.\n\n" + OTHER_SECTION)
    report = run_quick("run.py", doc, timeout=900)
    labels = ("raw", "gzip -9", "brotli q11", "cold", "warm", "second load", "fib", "total")
    for row in comparison_body(report, labels):
        assert positive(row[1]) and positive(row[2]), row
        assert float(row[3]) > 0, row
    assert "computed the same workload results" in report
    assert "Command: `" in report and "bench/run.py --quick" in report

    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nIntro.\n\n## Core\n\n<!-- bench:core:start -->")
    assert text.count("<!-- bench:core:start -->") == 1
    assert text.endswith(OTHER_SECTION)
