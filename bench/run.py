"""Pinnace's core benchmarks, side by side with Pyodide (npm, pinned in bench/package.json).

    .venv/bin/python bench/run.py            # measure both, print the markdown report
    .venv/bin/python bench/run.py --write    # ... and update docs/benchmarks.md ("## Core")
    .venv/bin/python bench/run.py --quick    # 1 repetition, tiny workload: checks the harness

Measures, in one run: bytes on the wire for the core (raw, gzip -9, brotli q11), node time from
the loader call to the first runPython("1+1") result (cold, warm, second load in-process), a
small pure-Python workload, and memory in node: the process's peak RSS and the wasm linear
memory after runPython("1+1") and after `import numpy` (median of --memory-reps fresh
processes; numpy only from the distribution's own files: npm Pyodide ships no wheels, which the
report states). A benchmark, not a test: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import core_dists
import core_node
import core_report
import core_sizes
import core_workload
from core_dists import Distribution
from core_report import Row


@dataclass
class Measured:
    """Everything measured for one distribution."""

    dist: Distribution
    sizes: list[core_sizes.FileSize] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    second: list[float] = field(default_factory=list)
    workload: core_node.WorkloadResult | None = None
    memory: list[core_node.MemorySample] = field(default_factory=list)
    numpy_gap: str = ""  # why `import numpy` cannot be measured from this distribution's files
    info: str = ""

    @property
    def column(self) -> str:
        python, _, emscripten = self.info.partition(" ")
        return (f"{self.dist.name} {self.dist.version} "
                f"(CPython {python}, Emscripten {emscripten})")  # fmt: skip


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=5, help="warm repetitions (default 5)")
    p.add_argument("--memory-reps", type=int, default=3,
                   help="fresh processes for the memory rows (default 3)")  # fmt: skip
    p.add_argument(
        "--quick",
        action="store_true",
        help="1 repetition and a tiny workload: checks the harness, not the speed",
    )
    p.add_argument("--write", action="store_true", help="update the Core section of --doc")
    p.add_argument("--doc", type=Path, default=core_dists.REPO / "docs" / "benchmarks.md")
    p.add_argument("--pinnace-dist", type=Path, default=core_dists.PINNACE_DIST)
    p.add_argument(
        "--only",
        choices=["pinnace", "pyodide"],
        help="measure one distribution (no ratios); for debugging the harness",
    )
    args = parse_reps(p, argv)
    if args.quick:
        args.memory_reps = 1
    if args.memory_reps < 1:
        p.error("--memory-reps must be at least 1")
    return args


def parse_reps(p: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse, with ``--quick`` meaning one repetition and ``--reps`` at least 1."""
    args = p.parse_args(argv)
    if args.quick:
        args.reps = 1
    if args.reps < 1:
        p.error("--reps must be at least 1")
    return args


def machine_facts() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = subprocess.run(
        ["node", "--version"], check=False, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "node": node,
    }


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def measure_startup(runs: list[Measured], reps: int, cache_root: Path) -> None:
    for m in runs:
        log(f"{m.dist.name}: cold start")
        sample = core_node.startup(m.dist, cold=True, second_load=False, compile_cache=None)
        m.cold.append(sample.first_ms)
        m.info = sample.info
    caches = {m.dist.name: cache_root / m.dist.name for m in runs}
    for m in runs:
        log(f"{m.dist.name}: warm-up start (untimed)")
        core_node.startup(m.dist, cold=False, second_load=True,
                          compile_cache=caches[m.dist.name])  # fmt: skip
    for rep in range(reps):
        order = runs if rep % 2 == 0 else runs[::-1]  # alternate who goes first
        for m in order:
            log(f"{m.dist.name}: warm start {rep + 1}/{reps}")
            sample = core_node.startup(m.dist, cold=False, second_load=True,
                                       compile_cache=caches[m.dist.name])  # fmt: skip
            m.warm.append(sample.first_ms)
            if sample.second_ms is not None:
                m.second.append(sample.second_ms)


def measure_workload(runs: list[Measured], size: core_workload.WorkloadSize, reps: int,
                     cache_root: Path) -> None:  # fmt: skip
    """`reps` fresh processes per distribution, alternating, each one warm-up and one timed round.

    Alternating processes (rather than all rounds of one distribution, then the other) spreads
    whatever else the machine is doing evenly over both columns.
    """
    setup = core_workload.setup_source(size)
    for rep in range(reps):
        for m in runs if rep % 2 == 0 else runs[::-1]:
            log(f"{m.dist.name}: workload {rep + 1}/{reps}")
            got = core_node.workload(m.dist, setup, core_workload.NAMES, 1,
                                     compile_cache=cache_root / m.dist.name)  # fmt: skip
            if m.workload is None:
                m.workload = got
            else:
                for name, times in got.timings.items():
                    m.workload.timings[name].extend(times)
                if got.values != m.workload.values:
                    m.workload.values.update({k: "differs between runs" for k in got.values})


def numpy_gap(dist: Distribution) -> str:
    """Why `import numpy` cannot be measured from the distribution's own files ("" if it can)."""
    files = dist.package_files("numpy")
    if files is None or dist.lock is None:
        return f"the files of {dist.name} hold no lock that names numpy"
    if missing := [f for f in files if not f.is_file()]:
        names = ", ".join(f"`{f.name}`" for f in missing)
        folder = missing[0].parent
        if folder.is_relative_to(core_dists.REPO):
            folder = folder.relative_to(core_dists.REPO)
        return (f"`{dist.lock.name}` names {names}, but `{folder}` does not hold "
                f"{'it' if len(missing) == 1 else 'them'}: its loader would fetch "
                f"{'it' if len(missing) == 1 else 'them'} from a CDN, and this benchmark reads "
                "only the distributions' own files")  # fmt: skip
    return ""


def measure_memory(runs: list[Measured], reps: int, cache_root: Path) -> None:
    """`reps` fresh processes per distribution, alternating: memory after 1+1 and after numpy."""
    for m in runs:
        m.numpy_gap = numpy_gap(m.dist)
    for rep in range(reps):
        for m in runs if rep % 2 == 0 else runs[::-1]:
            log(f"{m.dist.name}: memory {rep + 1}/{reps}")
            m.memory.append(core_node.memory(m.dist, numpy=not m.numpy_gap,
                                             compile_cache=cache_root / m.dist.name))  # fmt: skip


NUMPY = "`import numpy` and `numpy.arange(10).sum()`"


def memory_rows(runs: list[Measured], reps: int) -> list[Row]:
    n = len(runs)
    procs = f"{reps} fresh process" + ("es" if reps > 1 else "")

    def values(attr: str) -> list[list[int] | None]:
        got = [[getattr(s, attr) for s in m.memory] for m in runs]
        return [None if None in v else v for v in got]

    return [
        Row.heading(f"Node: memory, median of {procs}", n),
        Row.of_memory(
            "node alone, before the loader is imported: peak RSS", values("baseline_rss")
        ),
        Row.of_memory('after runPython("1+1"): peak RSS', values("start_rss")),
        Row.of_memory('after runPython("1+1"): wasm linear memory', values("start_wasm")),
        Row.of_memory(f"after {NUMPY}: peak RSS", values("numpy_rss")),
        Row.of_memory(f"after {NUMPY}: wasm linear memory", values("numpy_wasm")),
    ]


def build_rows(runs: list[Measured], size: core_workload.WorkloadSize, reps: int,
               memory_reps: int) -> list[Row]:  # fmt: skip
    n = len(runs)
    procs = f"{reps} fresh process" + ("es" if reps > 1 else "")
    totals = [[sum(getattr(f, kind) for f in m.sizes) for m in runs]
              for kind in ("raw", "gzip", "brotli")]  # fmt: skip
    rows = [
        Row.heading("Bytes on the wire, core files", n),
        Row.of_bytes("raw", totals[0]),
        Row.of_bytes("gzip -9", totals[1]),
        Row.of_bytes("brotli q11", totals[2]),
        Row.heading('Node: loader call to first runPython("1+1") result, ms', n),
        Row.of_times("cold: fresh process, files evicted from page cache", [m.cold for m in runs]),
        Row.of_times(f"warm: median (min) of {procs}", [m.warm for m in runs]),
        Row.of_times("second load in the same process, median (min)", [m.second for m in runs]),
        Row.heading(f"Pure-Python workload, ms, median (min) of {procs}", n),
    ]
    labels = size.describe()
    workloads = [m.workload for m in runs if m.workload is not None]
    for name in core_workload.NAMES:
        rows.append(Row.of_times(labels[name], [w.timings[name] for w in workloads]))
    sums = [[sum(statistics.median(t) for t in w.timings.values())] for w in workloads]
    rows.append(Row.of_times("total (sum of medians)", sums))
    return rows + memory_rows(runs, memory_reps)


def size_table(runs: list[Measured]) -> str:
    lines = ["| file | raw | gzip -9 | brotli q11 |", "|---|---:|---:|---:|"]
    for m in runs:
        for f in m.sizes:
            lines.append(f"| {m.dist.name}: `{f.name}` | {f.raw:,} | {f.gzip:,} | {f.brotli:,} |")
    return "\n".join(lines)


def workload_check(runs: list[Measured]) -> str:
    values = [m.workload.values for m in runs if m.workload is not None]
    differing = [name for name in core_workload.NAMES if len({repr(v[name]) for v in values}) > 1]
    if differing:
        return f"**Warning:** the distributions computed different results for {differing}."
    return "Every distribution computed the same workload results."


def render(runs: list[Measured], args: argparse.Namespace, facts: dict[str, str],
           load_before: str, load_after: str, size: core_workload.WorkloadSize) -> str:  # fmt: skip
    exe = Path(sys.executable)
    if exe.is_relative_to(core_dists.REPO):
        exe = exe.relative_to(core_dists.REPO)
    command = shlex.join([str(exe), "bench/run.py", *sys.argv[1:]])
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    columns = [m.column for m in runs]
    generated = (
        f"_Generated by `bench/run.py --write` (last run {today}); the notes after the tables "
        "are written by hand._"
    )
    how = (
        f"Command: `{command}` (from the repository root; `make bench` prints the same report "
        "without `--write`)."
    )
    machine = (
        f"Machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['os']}, node {facts['node']}; "
        f"load average {load_before} before, {load_after} after."
    )
    legend = (
        "Lower is better everywhere; a ratio below 1 means Pinnace is smaller or faster. "
        + workload_check(runs)
    )
    memory = (
        "Memory: `process.resourceUsage().maxRSS` (the whole node process, peak so far) and "
        "the byte length of the Emscripten module's `HEAPU8` (the wasm linear memory), read "
        "inside node after each step."
    )
    gaps = [f"**{m.dist.name}, `import numpy`:** {core_report.NOT_MEASURABLE}: {m.numpy_gap}."
            for m in runs if m.numpy_gap]  # fmt: skip
    table = core_report.render_table(columns, build_rows(runs, size, args.reps, args.memory_reps))
    parts = [generated, how, machine, table, legend, memory, *gaps,
             "Core files (bytes): what a page downloads to run `1+1`.", size_table(runs)]  # fmt: skip
    return "\n\n".join(parts)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    core_dists.ensure_npm_deps()
    all_dists = {"pinnace": core_dists.pinnace(args.pinnace_dist), "pyodide": core_dists.pyodide()}
    chosen = [d for key, d in all_dists.items() if args.only in (None, key)]
    for d in chosen:
        if missing := d.missing():
            hint = "run `make dist`" if d.name == "Pinnace" else "run `npm ci` in bench/"
            print(f"bench: {d.name} is incomplete, missing {[str(p) for p in missing]}: {hint}",
                  file=sys.stderr)  # fmt: skip
            return 2
    runs = [Measured(d) for d in chosen]
    size = core_workload.QUICK if args.quick else core_workload.FULL
    facts = machine_facts()
    load_before = loadavg()
    log("sizes (brotli q11 takes a while the first time; cached by sha256)")
    sizes = core_sizes.measure([f for m in runs for f in m.dist.core_files])
    for m in runs:
        m.sizes, sizes = sizes[: len(m.dist.core_files)], sizes[len(m.dist.core_files) :]
    with tempfile.TemporaryDirectory(prefix="pinnace-bench-") as tmp:
        measure_startup(runs, args.reps, Path(tmp))
        measure_workload(runs, size, args.reps, Path(tmp))
        measure_memory(runs, args.memory_reps, Path(tmp))
    report = render(runs, args, facts, load_before, loadavg(), size)
    print(f"{core_report.HEADING}\n\n{report}")
    if args.write:
        core_report.update_doc(args.doc, report)
        log(f"wrote the Core section of {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
