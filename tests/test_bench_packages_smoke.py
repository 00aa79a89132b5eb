"""bench/packages.py --quick: the packages benchmark works end to end (not how fast anything is).

Runs the real harness against dist/ and npm Pyodide with one warm repetition, then checks the
report's shape: both columns, a ratio column, a positive number in every Pinnace cell, a positive
number or a stated reason ("not in the npm package", "failed offline") in every Pyodide cell, and
that --write touches only the Packages section. Nothing is asserted about time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchtables import positive, table_rows
from conftest import REPO

OTHER_SECTION = """\
## Core

<!-- bench:core:start -->
owned by the core benchmark
<!-- bench:core:end -->
"""
REASONS = {"not in the npm package", "failed offline"}


# Under a minute once the compressed sizes are cached (brotli q11 of the wheels and wasm files
# makes the first run after a rebuild of dist/ slower).
@pytest.mark.slow
def test_quick_packages_run_reports_both_distributions(dist: Path, tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n" + OTHER_SECTION)
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "packages.py"), "--quick", "--write",
         "--doc", str(doc)],
        check=False, capture_output=True, text=True, timeout=1200, cwd=REPO,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    report = res.stdout

    rows = table_rows(report)
    header, separator, body = rows[0], rows[1], rows[2:]
    assert "Pinnace" in header[1] and "Pyodide 314.0.7" in header[2], header
    assert header[3] == "Pinnace / Pyodide"
    assert set(separator) <= {"---", "---:"}
    labels = [r[0] for r in body]
    for wanted in ("numpy wheel", "core files", "import numpy", "raw", "gzip -9", "cold", "warm"):
        assert any(wanted in label for label in labels), (wanted, labels)
    for row in body:
        assert len(row) == 4, row
        if row[0].startswith("**"):  # a group heading
            continue
        assert positive(row[1]), row
        assert positive(row[2]) or row[2] in REASONS, row
        if positive(row[2]):
            assert float(row[3]) > 0, row
        else:
            assert row[3] == "", row
    assert "Command: `" in report and "bench/packages.py --quick" in report
    assert "load average" in report

    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\n" + OTHER_SECTION)
    assert text.count("<!-- bench:packages:start -->") == 1
    assert "\n## Packages\n\n<!-- bench:packages:start -->\n" in text
    assert text.rstrip().endswith("<!-- bench:packages:end -->")
