"""The core benchmark's report: rows of numbers, the markdown table, and its place in the docs.

docs/benchmarks.md is shared: this module only ever rewrites the text between
`<!-- bench:core:start -->` and `<!-- bench:core:end -->` inside the "## Core" section. Prose
around the markers (the interpretation under the table) and every other section are kept.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

START = "<!-- bench:core:start -->"
END = "<!-- bench:core:end -->"
HEADING = "## Core"
TITLE = "# Benchmarks"
NOT_MEASURABLE = "not measurable"


@dataclass(frozen=True)
class Row:
    """One table row: a label, one cell per distribution, the first/second ratio."""

    label: str
    cells: tuple[str, ...]
    ratio: float | None

    @classmethod
    def heading(cls, label: str, columns: int) -> Row:
        return cls(f"**{label}**", ("",) * columns, None)

    @classmethod
    def of_bytes(cls, label: str, sizes: list[int]) -> Row:
        return cls(label, tuple(fmt_bytes(n) for n in sizes), _ratio(sizes))

    @classmethod
    def of_times(cls, label: str, samples: list[list[float]]) -> Row:
        """Median (min) of each distribution's samples in ms; a lone sample stands alone."""
        cells = tuple(fmt_samples(s) for s in samples)
        return cls(label, cells, _ratio([statistics.median(s) for s in samples]))

    @classmethod
    def of_memory(cls, label: str, samples: list[list[int] | None]) -> Row:
        """The median of each distribution's byte counts; None: NOT_MEASURABLE (no ratio)."""
        medians = [None if s is None else round(statistics.median(s)) for s in samples]
        cells = tuple(NOT_MEASURABLE if m is None else fmt_bytes(m) for m in medians)
        known = [m for m in medians if m is not None]
        return cls(label, cells, _ratio(known) if len(known) == len(medians) else None)


def _ratio(values: list[int] | list[float]) -> float | None:
    if len(values) < 2 or not values[1]:
        return None
    return values[0] / values[1]


def fmt_bytes(n: int) -> str:
    return f"{n / 2**20:.2f} MiB" if n >= 2**20 else f"{n / 2**10:.1f} KiB"


def fmt_ms(ms: float) -> str:
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def fmt_samples(samples: list[float]) -> str:
    if len(samples) == 1:
        return fmt_ms(samples[0])
    return f"{fmt_ms(statistics.median(samples))} ({fmt_ms(min(samples))})"


def render_table(columns: list[str], rows: list[Row]) -> str:
    ratio_title = f"{columns[0].split()[0]} / {columns[1].split()[0]}" if len(columns) > 1 else ""
    head = ["", *columns] + ([ratio_title] if ratio_title else [])
    lines = ["| " + " | ".join(head) + " |",
             "|---" + "|---:" * (len(head) - 1) + "|"]  # fmt: skip
    for row in rows:
        cells = [row.label, *row.cells]
        if ratio_title:
            cells.append("" if row.ratio is None else f"{row.ratio:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_doc(doc: Path, generated: str) -> None:
    """Put `generated` between the core markers of `doc`, creating what is missing."""
    block = f"{START}\n{generated.strip()}\n{END}"
    text = doc.read_text() if doc.exists() else f"{TITLE}\n"
    if START in text and END in text and text.index(START) < text.index(END):
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    elif HEADING + "\n" in text:
        head, tail = text.split(HEADING + "\n", 1)
        text = f"{head}{HEADING}\n\n{block}\n{tail}"
    else:
        section = f"{HEADING}\n\n{block}\n\n"
        lines = text.splitlines(keepends=True)
        at = next((i for i, line in enumerate(lines) if line.startswith("## ")), None)
        if at is None:
            text = text.rstrip("\n") + "\n\n" + section
        else:
            text = "".join(lines[:at]) + section + "".join(lines[at:])
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text.rstrip("\n") + "\n")
