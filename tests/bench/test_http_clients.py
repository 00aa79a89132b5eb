"""bench/http_clients.py runs end to end in Node and Chromium for Pinnace and npm Pyodide (not how
fast anything is)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from support.hosts import REPO

CLIENTS = [
    "fetch from JS (Pinnace", "pinnace.http.fetch (awaited)", "pinnace.http.fetch_sync",
    "urllib.request.urlopen", "requests.get", "httpx.get", "fetch from JS (Pyodide",
    "pyodide.http.pyfetch",
]  # fmt: skip


@pytest.mark.chromium
@pytest.mark.usefixtures("dist")
def test_http_bench_reports_every_client_in_both_hosts() -> None:
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "http_clients.py"), "--rounds", "1", "--repeats",
         "1", "--size", "100000"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = [line for line in res.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    labels = [r.split("|")[1].strip() for r in rows[1:]]  # rows[0]: the header
    assert len(labels) == len(CLIENTS)
    for label, client in zip(labels, CLIENTS):
        assert label.startswith(client), (label, client)
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert float(cells[1]) > 0 and float(cells[3]) > 0
        assert re.fullmatch(r"\d+\.\d\dx", cells[2]) and re.fullmatch(r"\d+\.\d\dx", cells[4])
