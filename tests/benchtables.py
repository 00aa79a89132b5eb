"""Reading the markdown tables the benchmark scripts print (for their smoke tests)."""

from __future__ import annotations

import re

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
    return bool(m) and all(float(g.replace(",", "")) > 0 for g in (m.group(1), m.group(6)) if g)
