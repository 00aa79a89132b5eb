"""Reading the markdown tables the benchmark scripts print (for their smoke tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from support.hosts import REPO

# "1,234", "12.5 MiB", "897 (714)": a number, an optional unit, an optional (min)
NUMBER = re.compile(r"^(\d[\d,]*(\.\d+)?)( (KiB|MiB))?( \((\d[\d,]*(\.\d+)?)\))?$")


def table_rows(report: str) -> list[list[str]]:
    """The cells of the first table in ``report`` (the per-file size table excluded)."""
    rows = []
    for line in report.splitlines():
        if line.startswith("|") and not line.startswith("| file"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows


def positive(cell: str) -> bool:
    """A number (and its min, if given) greater than zero."""
    m = NUMBER.match(cell)
    return m is not None and all(float(g.replace(",", "")) > 0 for g in (m.group(1), m.group(6)) if g)


def run_quick(script: str, doc: Path, timeout: float) -> str:
    """``bench/<script> --quick --write --doc doc``: its report (the run must succeed)."""
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), "--quick", "--write", "--doc", str(doc)],
        check=False, capture_output=True, text=True, timeout=timeout, cwd=REPO,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def comparison_body(report: str, labels: tuple[str, ...]) -> list[list[str]]:
    """The body rows of the report's Pinnace / Pyodide / ratio table, after checking its header
    and that a row mentions each of ``labels``; group headings (**...**) left out."""
    rows = table_rows(report)
    header, separator, body = rows[0], rows[1], rows[2:]
    assert "Pinnace" in header[1] and "Pyodide 314.0.7" in header[2], header
    assert header[3] == "Pinnace / Pyodide"
    assert set(separator) <= {"---", "---:"}
    found = [r[0] for r in body]
    for wanted in labels:
        assert any(wanted in label for label in found), (wanted, found)
    for row in body:
        assert len(row) == 4, row
    return [row for row in body if not row[0].startswith("**")]
