"""bench/levers.py builds a variant of the main module apart from dist/'s steps, times it and
dist/ and reports their ratio and its size (not which is faster)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from support.hosts import REPO


@pytest.mark.usefixtures("dist")
@pytest.mark.skipif(os.environ.get("PINNACE_TEST_FULL") != "1",
                    reason="runs in `make test-full` only (make test's time budget: a link and "
                           "binaryen's -O4 over the main module, about a minute)")  # fmt: skip
def test_a_lever_is_built_timed_and_reported() -> None:
    res = subprocess.run([sys.executable, str(REPO / "bench" / "levers.py"), "--only", "wasm-opt-O4",
                          "--benchmarks", "richards,unpack_sequence", "--reps", "1"],
                         capture_output=True, text=True, timeout=1200, cwd=REPO / "bench")  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = [r.split("|")[1:-1] for r in res.stdout.splitlines() if r.startswith("| ") and "---" not in r]
    assert [r[0].strip() for r in rows[1:]] == ["wasm-opt-O4"]
    cells = rows[1]
    assert float(cells[2].strip(" *")) > 0  # the time ratio
    assert re.fullmatch(r"[0-2] of 2", cells[3].strip())  # both benchmarks timed in both
    assert int(cells[4].split("(")[0].replace(",", "")) > 1_000_000  # the variant's wasm under brotli
    assert "second run / its first" in res.stdout
