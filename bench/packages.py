"""Packages benchmark: numpy, Pinnace side by side with Pyodide (npm, pinned in bench/package.json).

    .venv/bin/python bench/packages.py            # measure both, print the markdown report
    .venv/bin/python bench/packages.py --write    # ... and update docs/benchmarks.md
    .venv/bin/python bench/packages.py --quick    # 1 warm repetition: checks the harness

Measures, in one run: the bytes on the wire (raw, gzip -9, brotli q11) of the files `import numpy`
fetches (numpy and what the lock says it depends on: libopenblas for Pinnace), the core
download after the packages split (the files a page needs before any package, as bench/run.py
counts them), and node time for `import numpy` (bench/packages_driver.mjs): Pinnace's plain
`runPython("import numpy")`, nothing declared first, versus Pyodide's
`await loadPackage("numpy"); runPython("import numpy")`. Cold is one fresh process with the files
evicted from the page cache and fresh package caches; warm is the median of fresh processes
after an untimed warm-up. Only what the npm package holds is used: if it does not ship a wheel,
that is reported, not fetched from elsewhere. --write puts the report between
`<!-- bench:packages:start -->` and `<!-- bench:packages:end -->` ("## Packages" is added if
missing). A benchmark, not a test: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import core_dists
import core_node
import core_report
import core_sizes
from core_dists import BENCH, Distribution
from core_report import Row
from run import loadavg, machine_facts, parse_reps

DRIVER = BENCH / "packages_driver.mjs"
START, END = "<!-- bench:packages:start -->", "<!-- bench:packages:end -->"
HEADING = "## Packages"
PACKAGE = "numpy"
NOT_SHIPPED = "not in the npm package"
FAILED = "failed offline"
LOAD_TIMEOUT_MS = 120_000


@dataclass
class Measured:
    """Everything measured for one distribution."""

    dist: Distribution
    lock: Path
    needs: list[str] = field(default_factory=list)  # PACKAGE and what it depends on
    wheel_names: list[str] = field(default_factory=list)  # their files, from the lock
    wheels: list[Path] | None = None  # None: the lock names them, the distribution lacks some
    wheel_sizes: list[core_sizes.FileSize] | None = None
    core: list[core_sizes.FileSize] = field(default_factory=list)
    cold_load: list[float] = field(default_factory=list)
    cold_import: list[float] = field(default_factory=list)
    warm_load: list[float] = field(default_factory=list)
    warm_import: list[float] = field(default_factory=list)
    error: str = ""  # why the package could not be imported
    version: str = ""

    @property
    def named_files(self) -> str:
        """The files the lock names for the import, as markdown."""
        return ", ".join(f"`{name}`" for name in self.wheel_names)

    @property
    def column(self) -> str:
        return f"{self.dist.name} {self.dist.version}"

    @property
    def cold_total(self) -> list[float]:
        """Per process: the runtime load plus the import."""
        return [a + b for a, b in zip(self.cold_load, self.cold_import, strict=True)]

    @property
    def warm_total(self) -> list[float]:
        return [a + b for a, b in zip(self.warm_load, self.warm_import, strict=True)]

    @property
    def failed(self) -> bool:
        return bool(self.error)


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=5, help="warm repetitions (default 5)")
    p.add_argument("--quick", action="store_true", help="1 warm repetition: checks the harness")
    p.add_argument("--write", action="store_true", help="update the Packages section of --doc")
    p.add_argument("--doc", type=Path, default=core_dists.REPO / "docs" / "benchmarks.md")
    p.add_argument("--pinnace-dist", type=Path, default=core_dists.PINNACE_DIST)
    return parse_reps(p, argv)


def locate_wheels(m: Measured) -> None:
    """The files of PACKAGE and of everything it depends on (what a plain import fetches), from
    the distribution's lock, and the files themselves if the distribution ships them all."""
    packages: dict[str, Any] = json.loads(m.lock.read_text())["packages"]
    todo = [PACKAGE]
    while todo:
        name = todo.pop(0)
        if name not in m.needs:
            m.needs.append(name)
            todo.extend(str(d).lower() for d in packages[name].get("depends", []))
    m.wheel_names = [str(packages[name]["file_name"]) for name in m.needs]
    paths = [m.lock.parent / name for name in m.wheel_names]
    m.wheels = paths if all(p.is_file() for p in paths) else None


def run_driver(m: Measured, *, cold: bool, cache_dir: Path | None,
               compile_cache: Path | None) -> dict[str, Any]:  # fmt: skip
    files = [m.dist.loader, *m.dist.core_files, *(m.wheels or [])]
    if cold:
        core_node.evict_from_page_cache(tuple(files))
        compile_cache = None
    config = {"loader": str(m.dist.loader), "exportName": m.dist.export_name,
              "packageCacheDir": None if cache_dir is None else str(cache_dir),
              "timeoutMs": LOAD_TIMEOUT_MS}  # fmt: skip
    proc = core_node.run_node(
        [str(DRIVER), json.dumps(config)], env=core_node.node_env(compile_cache),
        timeout=LOAD_TIMEOUT_MS / 1000 + 300, cwd=BENCH,
    )  # fmt: skip
    for line in proc.stdout.splitlines():
        if line.startswith(core_node.RESULT_PREFIX) and proc.returncode == 0:
            got: dict[str, Any] = json.loads(line.removeprefix(core_node.RESULT_PREFIX))
            return got
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
    raise core_node.BenchError(f"node {DRIVER.name} ({m.dist.name}) exited "
                               f"with {proc.returncode}:\n{tail}")  # fmt: skip


def record(m: Measured, got: dict[str, Any], loads: list[float], imports: list[float]) -> None:
    if "error" in got:
        reasons = [*got.get("messages", []), got["error"]]
        m.error = " / ".join(r for r in reasons if r)
        return
    loads.append(float(got["loadMs"]))
    imports.append(float(got["importMs"]))
    m.version = str(got["version"]).split()[0]


def measure_times(runs: list[Measured], reps: int, tmp: Path) -> None:
    def cache_dir(m: Measured, label: str) -> Path | None:
        if m.dist.name == "Pinnace":
            return None  # a file: indexURL is read in place; null turns the cache off
        fresh = tmp / f"{m.dist.name}-{label}"
        fresh.mkdir()
        return fresh

    for m in runs:
        log(f"{m.dist.name}: cold import {PACKAGE}")
        got = run_driver(m, cold=True, cache_dir=cache_dir(m, "cold"), compile_cache=None)
        record(m, got, m.cold_load, m.cold_import)
    live = [m for m in runs if not m.failed]
    compile_caches = {m.dist.name: tmp / f"compile-{m.dist.name}" for m in live}
    for m in live:
        log(f"{m.dist.name}: warm-up (untimed)")
        run_driver(m, cold=False, cache_dir=cache_dir(m, "warmup"),
                   compile_cache=compile_caches[m.dist.name])  # fmt: skip
    for rep in range(reps):
        for m in live if rep % 2 == 0 else live[::-1]:
            log(f"{m.dist.name}: warm import {PACKAGE} {rep + 1}/{reps}")
            got = run_driver(m, cold=False, cache_dir=cache_dir(m, f"warm{rep}"),
                             compile_cache=compile_caches[m.dist.name])  # fmt: skip
            record(m, got, m.warm_load, m.warm_import)


def _bytes_row(label: str, runs: list[Measured], kind: str) -> Row:
    cells = []
    values: list[int] = []
    for m in runs:
        if m.wheel_sizes is None:
            cells.append(NOT_SHIPPED)
        else:
            values.append(sum(getattr(f, kind) for f in m.wheel_sizes))
            cells.append(core_report.fmt_bytes(values[-1]))
    ratio = values[0] / values[1] if len(values) == 2 and values[1] else None
    return Row(label, tuple(cells), ratio)


def _times_row(label: str, runs: list[Measured], pick: str) -> Row:
    samples: list[list[float]] = [getattr(m, pick) for m in runs]
    if all(samples):
        return Row.of_times(label, samples)
    cells = tuple(core_report.fmt_samples(s) if s else FAILED for s in samples)
    return Row(label, cells, None)


def build_rows(runs: list[Measured], reps: int) -> list[Row]:
    n = len(runs)
    procs = f"{reps} fresh process" + ("es" if reps > 1 else "")
    core = [[sum(getattr(f, kind) for f in m.core) for m in runs]
            for kind in ("raw", "gzip", "brotli")]  # fmt: skip
    return [
        Row.heading(f"Bytes on the wire, `import {PACKAGE}`: {' + '.join(runs[0].needs)}", n),
        _bytes_row("raw", runs, "raw"),
        _bytes_row("gzip -9", runs, "gzip"),
        _bytes_row("brotli q11", runs, "brotli"),
        Row.heading("Bytes on the wire, core files (before any package)", n),
        Row.of_bytes("raw", core[0]),
        Row.of_bytes("gzip -9", core[1]),
        Row.of_bytes("brotli q11", core[2]),
        Row.heading(f"Node: import {PACKAGE}, ms (runtime already loaded)", n),
        _times_row("cold: fresh process, files evicted, fresh package cache", runs, "cold_import"),
        _times_row(f"warm: median (min) of {procs}", runs, "warm_import"),
        Row.heading(f"Node: loader call to `import {PACKAGE}` done, ms", n),
        _times_row("cold", runs, "cold_total"),
        _times_row(f"warm: median (min) of {procs}", runs, "warm_total"),
    ]


def files_table(runs: list[Measured]) -> str:
    lines = ["| file | raw | gzip -9 | brotli q11 |", "|---|---:|---:|---:|"]
    for m in runs:
        if m.wheel_sizes is None:
            lines.append(f"| {m.dist.name}: {m.named_files} | {NOT_SHIPPED} | | |")
        else:
            for f in m.wheel_sizes:
                lines.append(f"| {m.dist.name}: `{f.name}` | {f.raw:,} | {f.gzip:,} "
                             f"| {f.brotli:,} |")  # fmt: skip
    for m in runs:
        for f in m.core:
            lines.append(f"| {m.dist.name} core: `{f.name}` | {f.raw:,} | {f.gzip:,} "
                         f"| {f.brotli:,} |")  # fmt: skip
    return "\n".join(lines)


def findings(runs: list[Measured]) -> str:
    notes = []
    for m in runs:
        lock = m.lock.relative_to(core_dists.REPO)
        if m.wheels is None:
            notes.append(
                f"**{m.dist.name}:** `{lock}` names {m.named_files}, but the npm package does "
                "not ship that (nor any other wheel); its loader fetches packages from the "
                "jsDelivr CDN. Its download size is therefore not compared, and nothing was "
                "fetched from anywhere but the npm registry."
            )
        if m.failed:
            notes.append(
                f"**{m.dist.name}:** `import {PACKAGE}` failed offline (no network but the npm "
                f"registry here), so only the other column has times. What it said: `{m.error}`"
            )
        elif m.version:
            notes.append(f"{m.dist.name} imported {PACKAGE} {m.version}.")
    return "\n\n".join(notes)


def render(runs: list[Measured], args: argparse.Namespace, facts: dict[str, str],
           load_before: str, load_after: str) -> str:  # fmt: skip
    exe = Path(sys.executable)
    if exe.is_relative_to(core_dists.REPO):
        exe = exe.relative_to(core_dists.REPO)
    command = shlex.join([str(exe), "bench/packages.py", *sys.argv[1:]])
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    generated = (
        f"_Generated by `bench/packages.py --write` (last run {today}); the notes after the "
        "markers are written by hand._"
    )
    how = f"Command: `{command}` (from the repository root)."
    machine = (
        f"Machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['os']}, node {facts['node']}; "
        f"load average {load_before} before, {load_after} after."
    )
    method = (
        f'Pinnace: `py.runPython("import {PACKAGE}")` with nothing declared first (the lazy '
        "importer reads the wheels from the `file:` indexURL; `packageCacheDir: null`). "
        f'Pyodide: `await py.loadPackage("{PACKAGE}"); py.runPython("import {PACKAGE}")` '
        "with a fresh `packageCacheDir`. Times are `performance.now()` inside node; a ratio "
        "below 1 means Pinnace is smaller or faster."
    )
    table = core_report.render_table([m.column for m in runs], build_rows(runs, args.reps))
    parts = [generated, how, machine, method, table, findings(runs),
             f"The files `import {PACKAGE}` fetches and the core files (bytes):",
             files_table(runs)]  # fmt: skip
    return "\n\n".join(p for p in parts if p)


def update_doc(doc: Path, report: str) -> None:
    """Put `report` between the packages markers of `doc`, adding the section if missing."""
    text = doc.read_text() if doc.exists() else f"{core_report.TITLE}\n"
    block = f"{START}\n{report.strip()}\n{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{block}\n"
    doc.write_text(text.rstrip("\n") + "\n")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    core_dists.ensure_npm_deps()
    ours, theirs = core_dists.pinnace(args.pinnace_dist), core_dists.pyodide()
    runs = [Measured(ours, args.pinnace_dist / "pinnace-lock.json"),
            Measured(theirs, core_dists.PYODIDE_DIR / "pyodide-lock.json")]  # fmt: skip
    for m in runs:
        if missing := m.dist.missing():
            print(f"bench: {m.dist.name} is incomplete, missing {[str(p) for p in missing]}",
                  file=sys.stderr)  # fmt: skip
            return 2
        locate_wheels(m)
    if runs[0].wheels is None:
        print(f"bench: {runs[0].wheel_names} are not all in {args.pinnace_dist}: run `make dist`",
              file=sys.stderr)  # fmt: skip
        return 2
    facts = machine_facts()
    load_before = loadavg()
    log("sizes (brotli q11 takes a while the first time; cached by sha256)")
    files = [f for m in runs for f in m.dist.core_files] + [w for m in runs for w in m.wheels or []]
    sizes = core_sizes.measure(files)
    for m in runs:
        m.core, sizes = sizes[: len(m.dist.core_files)], sizes[len(m.dist.core_files) :]
    for m in runs:
        if m.wheels is not None:
            m.wheel_sizes, sizes = sizes[: len(m.wheels)], sizes[len(m.wheels) :]
    with tempfile.TemporaryDirectory(prefix="pinnace-bench-packages-") as tmp:
        measure_times(runs, args.reps, Path(tmp))
    report = render(runs, args, facts, load_before, loadavg())
    print(f"{HEADING}\n\n{report}")
    if args.write:
        update_doc(args.doc, report)
        log(f"wrote the Packages section of {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
