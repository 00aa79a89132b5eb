"""bench/wheel_transport.py: its two package sets hold the same wheels, deflated and stored,
each with a lock that matches its own files, and `--quick` runs end to end (Chromium and node,
`import six`). Nothing is asserted about time."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import brotli  # type: ignore[import-untyped]
import pytest

from support.benchtables import run_quick
from support.hosts import REPO

MARKERS = ("<!-- bench:wheel-transport:start -->", "<!-- bench:wheel-transport:end -->")


def wheel_sets() -> ModuleType:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        return importlib.import_module("wheel_sets")
    finally:
        sys.path.remove(str(REPO / "bench"))


def test_sets_hold_the_same_members(dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINNACE_CACHE", str(tmp_path / "cache"))
    ws = wheel_sets()
    sets = ws.make_sets(dist, tmp_path / "sets", ["six"], log=lambda _: None)
    deflated, stored = ws.wheel_files(sets["deflated"]), ws.wheel_files(sets["stored"])
    assert [f.name for f in deflated] == [f.name for f in stored] == [
        json.loads((dist / "pinnace-lock.json").read_text())["packages"]["six"]["file_name"]]
    for a, b in zip(deflated, stored, strict=True):
        assert a.read_bytes() == (dist / a.name).read_bytes()
        assert ws.same_members(a, b)
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            assert {i.compress_type for i in za.infolist()} == {zipfile.ZIP_DEFLATED}
            assert {i.compress_type for i in zb.infolist()} == {zipfile.ZIP_STORED}
            assert zb.read(next(n for n in zb.namelist() if n.endswith("RECORD"))) == \
                za.read(next(n for n in za.namelist() if n.endswith("RECORD")))
        assert brotli.decompress(b.with_name(b.name + ".br").read_bytes()) == b.read_bytes()
        assert gzip.decompress(b.with_name(b.name + ".gz").read_bytes()) == b.read_bytes()
    for folder in sets.values():
        for name in ws.CORE:
            assert (folder / name).read_bytes() == (dist / name).read_bytes()
        for entry in json.loads((folder / "pinnace-lock.json").read_text())["packages"].values():
            data = (folder / entry["file_name"]).read_bytes()
            assert (entry["sha256"], entry["size"]) == (hashlib.sha256(data).hexdigest(), len(data))
    gz_only = ws.variant(sets["stored"], tmp_path / "gz-only", (".gz",))
    names = {f.name for f in gz_only.iterdir()}
    assert stored[0].name + ".gz" in names and stored[0].name + ".br" not in names
    assert "python313.zip.br" in names  # the core keeps its copies


@pytest.mark.skipif(os.environ.get("PINNACE_TEST_FULL") != "1",
                    reason="runs in `make test-full` only (make test's time budget): the two sets are checked by test_sets_hold_the_same_members")
@pytest.mark.chromium
def test_quick_run_reports_bytes_and_times(dist: Path, tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Other\n\nkept\n")
    report = run_quick("wheel_transport.py", doc, timeout=300)
    assert "bench/wheel_transport.py --quick" in report and "load average" in report
    rows = {r[0]: r[1:] for r in (
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in report.splitlines() if line.startswith("| "))}  # fmt: skip
    sent = [int(c.replace(",", "")) for c in rows["sent: deflated as is, stored with brotli"][:2]]
    # what Chromium received is what the server had to send: the wheel, and the stored one's .br
    assert [int(c.replace(",", "")) for c in rows["deflated, as shipped"][:1]] == sent[:1]
    assert [int(c.replace(",", "")) for c in rows["stored + brotli"][:1]] == sent[1:]
    for label in ("deflated, as shipped", "stored + brotli"):
        assert all(re.fullmatch(r"[\d,.]+( \([\d,.]+x\))?", c) for c in rows[label]), rows[label]
    assert re.fullmatch(r"[\d,.]+", rows["`import six`"][0]), rows["`import six`"]
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\n## Other\n\nkept\n")
    assert "\n## Packages on the wire: deflated or stored wheels\n\n" + MARKERS[0] in text
    assert text.rstrip().endswith(MARKERS[1])
