"""pyperformance's benchmarks in Pinnace and in Pyodide (npm, pinned in bench/package.json), under
node, in one run: per-benchmark times, their ratio and the geometric mean of the ratios.

    .venv/bin/python bench/pyperformance.py            # measure both, print the markdown report
    .venv/bin/python bench/pyperformance.py --write    # ... and update docs/benchmarks.md
    .venv/bin/python bench/pyperformance.py --only nbody,float --reps 1   # a quick look

The benchmark files are pyperformance's own, unchanged (bench/pyperformance_suite.py runs them
with a stand-in for pyperf's Runner).  Each distribution runs every benchmark in one fresh node
process: one untimed call (which also chooses the loop count, as pyperf calibrates), then
`--reps` timed calls; a benchmark's time is the median per loop.  A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import math
import shlex
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import core_dists
import core_node
import ffi
import pyperformance_suite as suite
from run import machine_facts

START, END = "<!-- bench:pyperformance:start -->", "<!-- bench:pyperformance:end -->"


@dataclass
class Result:
    """One distribution's run: per benchmark, ms per loop, or why it failed."""

    column: str
    ms: dict[str, float]
    failed: dict[str, str]


def measure(dist: core_dists.Distribution, benches: list[suite.Benchmark], setup: str, reps: int) -> Result:
    names = tuple(suite.function_name(b) for b in benches)
    got = core_node.workload(dist, setup, names, reps, None)
    python = got.info.split()[0]
    result = Result(f"{dist.name} {dist.version} (CPython {python})", {}, {})
    for b, name in zip(benches, names, strict=True):
        value = got.values[name]
        if isinstance(value, str):
            result.failed[b.name] = value
        else:
            result.ms[b.name] = statistics.median(got.timings[name]) / int(value)
    return result


def geometric_mean(ratios: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(r) for r in ratios)) if ratios else float("nan")


def fmt(ms: float) -> str:
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.2f}" if ms < 1 else f"{ms:.1f}"


def report(ours: Result, theirs: Result, benches: list[suite.Benchmark], left: dict[str, str],
           reps: int, argv: list[str]) -> str:  # fmt: skip
    lines = [f"| benchmark | {ours.column} ms | {theirs.column} ms | ratio |", "|---|---:|---:|---:|"]
    ratios = []
    for b in benches:
        a, p = ours.ms.get(b.name), theirs.ms.get(b.name)
        if a is not None and p is not None:
            ratios.append(a / p)
            lines.append(f"| {b.name} | {fmt(a)} | {fmt(p)} | {a / p:.2f} |")
        else:
            why = ours.failed.get(b.name) or theirs.failed.get(b.name, "")
            lines.append(f"| {b.name} | {fmt(a) if a else 'failed'} | {fmt(p) if p else 'failed'} | ({why}) |")
    geo = geometric_mean(ratios)
    faster = sum(r < 1 for r in ratios)
    lines.append(f"| **geometric mean** ({len(ratios)} benchmarks) | | | **{geo:.2f}** |")
    when = datetime.date.today().isoformat()
    facts = machine_facts()
    head = (f"_Generated {when} by `.venv/bin/python bench/pyperformance.py {shlex.join(argv)}` "
            f"on {facts['cpu']} ({facts['nproc']} cores, {facts['os']}), node {facts['node']}; "
            f"pyperformance {suite.VERSION}'s benchmark files, {reps} timed calls after one "
            "untimed, each in one fresh node process per distribution; time per loop, median._")  # fmt: skip
    a_name, b_name = ours.column.split()[0], theirs.column.split()[0]
    summary = (f"{a_name} / {b_name}, geometric mean of the per-benchmark ratios: **{geo:.2f}** "
               f"(below 1: {a_name} faster); {a_name} is faster on {faster} of {len(ratios)}.")
    out = "\n".join(f"- `{name}`: {why}" for name, why in sorted(left.items()))
    return "\n\n".join([head, summary, "\n".join(lines), "Not run, and why:", out])


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=3, help="timed calls per benchmark (default 3)")
    p.add_argument("--only", default="", help="comma-separated benchmark names")
    p.add_argument("--all", action="store_true", help="also the benchmarks that take 20-70 s per call")
    p.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    p.add_argument("--variant", type=Path, metavar="DIST",
                   help="measure this Pinnace dist folder against dist/ instead of Pyodide against "
                        "dist/ (a build lever: ratio below 1, the variant is faster)")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    core_dists.ensure_npm_deps()
    wheel = suite.wheel_path()
    benches, left = suite.available(wheel, include_slow=args.all)
    if args.only:
        wanted = set(args.only.split(","))
        benches = [b for b in benches if b.name in wanted]
        if unknown := wanted - {b.name for b in benches}:
            print(f"bench: no such benchmark (or left out): {sorted(unknown)}", file=sys.stderr)
            return 2
    setup = suite.setup_source(wheel, benches)
    results = []
    if args.variant and args.write:
        print("bench: --variant measures a lever; the docs table is Pinnace against Pyodide",
              file=sys.stderr)
        return 2
    pair = ((replace(core_dists.pinnace(args.variant.resolve()), name="Variant"),
             core_dists.pinnace()) if args.variant else
            (core_dists.pinnace(), core_dists.pyodide()))  # fmt: skip
    for dist in pair:
        print(f"bench: {dist.name}: {len(benches)} benchmarks", file=sys.stderr, flush=True)
        results.append(measure(dist, benches, setup, args.reps))
    text = report(results[0], results[1], benches, left, args.reps, argv)
    print(text)
    if args.write:
        ffi.write_doc(text, START, END, "## pyperformance (pure Python)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
