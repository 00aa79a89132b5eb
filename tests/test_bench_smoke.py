"""bench/run.py --quick: the core benchmark harness works end to end (not how fast anything is).

Runs the real harness against dist/ and npm Pyodide with one repetition and a tiny workload,
then checks the report's shape: both columns, a ratio column, a positive number in every cell,
and that --write touches only the Core section of the document. Nothing is asserted about time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchtables import positive, table_rows
from conftest import REPO

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
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--write", "--doc", str(doc)],
        check=False, capture_output=True, text=True, timeout=900, cwd=REPO,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    report = res.stdout

    rows = table_rows(report)
    header, separator, body = rows[0], rows[1], rows[2:]
    assert "Pinnace" in header[1] and "Pyodide 314.0.7" in header[2], header
    assert header[3] == "Pinnace / Pyodide"
    assert set(separator) <= {"---", "---:"}
    labels = [r[0] for r in body]
    for wanted in ("raw", "gzip -9", "brotli q11", "cold", "warm", "second load", "fib", "total"):
        assert any(wanted in label for label in labels), (wanted, labels)
    for row in body:
        assert len(row) == 4, row
        if row[0].startswith("**"):  # a group heading
            continue
        assert positive(row[1]) and positive(row[2]), row
        assert float(row[3]) > 0, row
    assert "computed the same workload results" in report
    assert "Command: `" in report and "bench/run.py --quick" in report

    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nIntro.\n\n## Core\n\n<!-- bench:core:start -->")
    assert text.count("<!-- bench:core:start -->") == 1
    assert text.endswith(OTHER_SECTION)
