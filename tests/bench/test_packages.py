"""bench/packages.py --quick: the packages benchmark works end to end (not how fast anything is).

Runs the real harness against dist/ and npm Pyodide with one warm repetition, then checks the
report's shape: both columns, a ratio column, a positive number in every Pinnace cell, a positive
number or a stated reason ("not in the npm package", "failed offline") in every Pyodide cell, and
that --write touches only the Packages section. Nothing is asserted about time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.benchtables import comparison_body, positive, run_quick

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
    report = run_quick("packages.py", doc, timeout=1200)
    labels = ("`import numpy`: numpy + libopenblas", "core files", "import numpy", "raw", "gzip -9",
              "cold", "warm")
    for row in comparison_body(report, labels):
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
