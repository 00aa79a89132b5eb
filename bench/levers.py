"""Build levers of the main module, measured one at a time against dist/ (issue #15, part 2).

dist/'s main module is CPython compiled with a profile and LTO (build/pinnace_build/pgo.py), with
binaryen -O3 over the link.  Each lever is that main module built again with one change (a link
flag, binaryen passes over the linked module, CPython without the profile or without LTO), put
in a folder of its own beside dist/'s other files, and timed with pyperformance's benchmark
files (bench/pyperformance.py's runner) in one run: every variant is built first, then dist/ is
timed, then each variant, then dist/ again.

    .venv/bin/python bench/levers.py                      # every lever, print the table
    .venv/bin/python bench/levers.py --only mimalloc --reps 1 --benchmarks nbody,float
    .venv/bin/python bench/levers.py --write              # ... and update docs/benchmarks.md

None of this changes dist/'s own build steps (docs/build.md, "Build levers").  A ratio below 1
means the variant is faster.  A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import shlex
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import brotli
import core_dists
import ffi
import pyperformance
import pyperformance_suite as suite
from run import machine_facts

from pinnace_build import exports, link, pgo, toolchain
from pinnace_build.cache import Step
from pinnace_build.cpython import build as cpython_build
from pinnace_build.paths import cache_root

START, END = "<!-- bench:levers:start -->", "<!-- bench:levers:end -->"


@dataclass(frozen=True)
class Lever:
    name: str
    what: str
    link_flags: tuple[str, ...] = ()  # more emcc link flags (link.build's `extra`)
    wasm_opt: tuple[str, ...] = ()  # then binaryen's wasm-opt over the linked module
    pgo: bool = True  # CPython compiled with the training's profile (pgo.py), as dist's is
    lto: bool = True  # ... and with -flto, as dist's is
    fixed_base: bool = True  # the linked module rewritten at its fixed base (fixed_base.py), as dist's is


# dist's main module: CPython with PGO and LTO (pgo.optimised), rewritten at its fixed base
# (fixed_base.py), binaryen -O3 over the link.
LEVERS = [
    Lever("plain", "CPython compiled without profile or LTO (configure's -O3 alone)",
          pgo=False, lto=False),
    Lever("lto-only", "without the profile (LTO alone)", pgo=False),
    Lever("pgo-only", "without LTO (the profile alone)", lto=False),
    Lever("pic-bases", "without the fixed-base rewrite (bases and GOT read at run time)",
          fixed_base=False),
    Lever("mimalloc", "allocator: mimalloc instead of dlmalloc", ("-sMALLOC=mimalloc",)),
    Lever("emmalloc", "allocator: emmalloc instead of dlmalloc", ("-sMALLOC=emmalloc",)),
    Lever("wasm-opt-O4", "binaryen -O4 over the linked module (dist's: -O3)",
          wasm_opt=("-O4", *link.WASM_OPT_FLAGS[1:])),
    # The same PIC objects linked as a plain program: wasm-ld turns the GOT into constant
    # globals, which binaryen folds into the code, so this bounds what PIC costs.  It cannot
    # load side modules (decimal falls back to _pydecimal): not a candidate for dist/.
    Lever("no-dynamic-linking", "linked without dynamic linking (-sMAIN_MODULE=0): the bound of "
          "what position-independent code costs", ("-sMAIN_MODULE=0",), fixed_base=False),
]


def variants_root() -> Path:
    return cache_root() / "levers"


def make_variant(lever: Lever, dist: Path) -> Path:
    """A folder with dist/'s files and this lever's main module."""
    tc = toolchain.require()
    plain = cpython_build(tc)
    if lever.pgo:
        built = pgo.optimised(tc, dist, lto=lever.lto)
    else:
        built = cpython_build(tc, opt=pgo.OPT_LTO if lever.lto else None)
    folder = variants_root() / lever.name
    link.folder_like(dist, folder)
    linked = link.build(tc, built, exports.needed_by(dist), lever.link_flags, api_from=plain,
                        with_fixed_base=lever.fixed_base)
    link.copy_to(linked, folder)
    if lever.wasm_opt:  # cached like a step: binaryen -O4 over the module takes minutes
        step = Step("main-module-wasm-opt", {"linked": linked.name, "flags": list(lever.wasm_opt)})
        optimised = step.ensure(lambda out: tc.run([str(tc.binaryen / "bin" / "wasm-opt"), *lever.wasm_opt,
                                                    str(linked / "pinnace.asm.wasm"), "-o",
                                                    str(out / "pinnace.asm.wasm")]))  # fmt: skip
        shutil.copy2(optimised / "pinnace.asm.wasm", folder / "pinnace.asm.wasm")
    exports.check(dist, folder / "pinnace.asm.wasm", folder / "pinnace.asm.mjs")
    return folder


def brotli_size(path: Path) -> int:
    return len(brotli.compress(path.read_bytes(), quality=11))


def geomean(a: pyperformance.Result, b: pyperformance.Result) -> tuple[float, int, int]:
    """a / b over the benchmarks both timed: geometric mean, how many a was faster on, of how many."""
    ratios = [a.ms[n] / b.ms[n] for n in a.ms if n in b.ms]
    return pyperformance.geometric_mean(ratios), sum(r < 1 for r in ratios), len(ratios)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", default="", help="comma-separated lever names: "
                   + ", ".join(lv.name for lv in LEVERS))  # fmt: skip
    p.add_argument("--benchmarks", default="", help="comma-separated pyperformance benchmarks")
    p.add_argument("--reps", type=int, default=3, help="timed calls per benchmark (default 3)")
    p.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    p.add_argument("--keep", action="store_true", help="keep the variant folders (under the cache's levers/)")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    wanted = set(args.only.split(",")) if args.only else {lv.name for lv in LEVERS}
    if unknown := wanted - {lv.name for lv in LEVERS}:
        print(f"bench: no such lever: {sorted(unknown)}", file=sys.stderr)
        return 2
    levers = [lv for lv in LEVERS if lv.name in wanted]
    core_dists.ensure_npm_deps()
    wheel = suite.wheel_path()
    benches, _left = suite.available(wheel, include_slow=False)
    if args.benchmarks:
        benches = [b for b in benches if b.name in args.benchmarks.split(",")]
    setup = suite.setup_source(wheel, benches)
    base = core_dists.pinnace()
    dist = base.loader.parent
    base_wasm = brotli_size(dist / "pinnace.asm.wasm")
    folders = {}
    for lever in levers:  # every build first, so that none runs while something is timed
        print(f"bench: {lever.name}: building", file=sys.stderr, flush=True)
        folders[lever.name] = make_variant(lever, dist)
    # dist/ is timed before the first variant and after the last: its time is the mean of the
    # two, and their ratio says how much the machine drifted over the run
    print(f"bench: dist/: {len(benches)} benchmarks", file=sys.stderr, flush=True)
    before = pyperformance.measure(base, benches, setup, args.reps)
    measured = {}
    for lever in levers:
        print(f"bench: {lever.name}: {len(benches)} benchmarks", file=sys.stderr, flush=True)
        variant = replace(core_dists.pinnace(folders[lever.name]), name="Variant")
        measured[lever.name] = pyperformance.measure(variant, benches, setup, args.reps)
    print(f"bench: dist/ again: {len(benches)} benchmarks", file=sys.stderr, flush=True)
    after = pyperformance.measure(base, benches, setup, args.reps)
    both = {n: (before.ms[n] + after.ms[n]) / 2 for n in before.ms if n in after.ms}
    baseline = pyperformance.Result(before.column, both, {**before.failed, **after.failed})
    drift, _, _ = geomean(after, before)
    rows = []
    for lever in levers:
        ours = measured[lever.name]
        geo, faster, n = geomean(ours, baseline)
        size = brotli_size(folders[lever.name] / "pinnace.asm.wasm")
        failed = sorted({**ours.failed, **baseline.failed})
        rows.append(f"| {lever.name} | {lever.what} | **{geo:.3f}** | {faster} of {n} | "
                    f"{size:,} ({size / base_wasm:.3f}x) |" + (f" failed: {', '.join(failed)}" if failed else ""))
    facts = machine_facts()
    head = (f"_Generated {datetime.date.today().isoformat()} by `.venv/bin/python bench/levers.py "
            f"{shlex.join(argv)}` on {facts['cpu']} ({facts['nproc']} cores, {facts['os']}), node "
            f"{facts['node']}; pyperformance {suite.VERSION}'s benchmark files ({len(benches)}), "
            f"{args.reps} timed calls after one untimed; dist/ timed before the first variant and after "
            f"the last (its second run / its first: {drift:.3f})._")
    table = "\n".join(["| lever | change | time, variant / dist (geometric mean) | variant faster on "
                       "| wasm under brotli, bytes |", "|---|---|---:|---:|---:|", *rows])  # fmt: skip
    text = f"{head}\n\ndist/'s main module under brotli: {base_wasm:,} bytes.\n\n{table}"
    print(text)
    if args.write:
        ffi.write_doc(text, START, END, "## Build levers of the main module")
    if not args.keep:
        shutil.rmtree(variants_root(), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
