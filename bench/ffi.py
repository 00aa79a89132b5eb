"""FFI and asyncio micro-benchmarks, Pinnace side by side with Pyodide (bench/package.json).

    python bench/ffi.py [--rounds N] [--write]

Each round starts one fresh node process per distribution (bench/ffi_driver.mjs), alternating,
so both see the same machine conditions; the table keeps each operation's best time over all
rounds.  --write puts the table into docs/benchmarks.md between `<!-- bench:ffi:start -->` and
`<!-- bench:ffi:end -->` (a "## FFI and asyncio" section is added if missing).  Timing never
gates a test: tests/bench/test_core.py only checks that this runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import core_dists
import core_node

BENCH = Path(__file__).resolve().parent
DOC = BENCH.parent / "docs" / "benchmarks.md"
START, END = "<!-- bench:ffi:start -->", "<!-- bench:ffi:end -->"
FFI_MODULE = {"Pinnace": "pinnace.ffi", "Pyodide": "pyodide.ffi"}


def measure(dist: core_dists.Distribution, repeats: int) -> dict[str, float]:
    config = {"loader": str(dist.loader), "exportName": dist.export_name,
              "ffi": FFI_MODULE[dist.name], "repeats": repeats}  # fmt: skip
    res = core_node.run_node([str(BENCH / "ffi_driver.mjs"), json.dumps(config)], timeout=900)
    for line in res.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result: dict[str, float] = json.loads(line.removeprefix("BENCH_RESULT "))
            return result
    raise RuntimeError(f"{dist.name}: no result (exit {res.returncode}):\n{res.stderr[-3000:]}")


def table(results: dict[str, dict[str, float]], versions: dict[str, str]) -> str:
    ours, theirs = results["Pinnace"], results["Pyodide"]
    rows = [
        f"| operation | Pinnace {versions['Pinnace']} (µs) | Pyodide {versions['Pyodide']} (µs) "
        "| Pinnace / Pyodide |",
        "| --- | ---: | ---: | ---: |",
    ]
    for op, us in ours.items():
        ratio = us / theirs[op]
        mark = "" if ratio <= 1.05 else " (slower)"
        rows.append(f"| {op} | {us:.3f} | {theirs[op]:.3f} | {ratio:.2f}x{mark} |")
    return "\n".join(rows)


def write_doc(
    text: str, start: str = START, end: str = END, heading: str = "## FFI and asyncio",
    path: Path = DOC,
) -> None:
    """Put ``text`` between ``start`` and ``end`` in ``path`` (docs/benchmarks.md; a new
    ``heading`` section at the end if they are missing)."""
    doc = path.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in doc and end in doc:
        head, _, rest = doc.partition(start)
        _, _, tail = rest.partition(end)
        doc = head + block + tail
    else:
        doc = doc.rstrip("\n") + f"\n\n{heading}\n\n" + block + "\n"
    path.write_text(doc)


def rounds_args(doc: str, rounds: str, repeats: str) -> argparse.Namespace:
    """--rounds, --repeats and --write, the command line of this bench and bench/jspi.py."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help=rounds)
    parser.add_argument("--repeats", type=int, default=5, help=repeats)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    return parser.parse_args()


def main() -> None:
    args = rounds_args(__doc__, "node processes per distribution", "timed runs per process")
    core_dists.ensure_npm_deps()
    dists = [core_dists.pinnace(), core_dists.pyodide()]
    for d in dists:
        if d.missing():
            sys.exit(f"bench: {d.name} is incomplete: {[str(p) for p in d.missing()]}")
    best: dict[str, dict[str, float]] = {}
    for r in range(args.rounds):
        for d in dists:
            print(f"bench: round {r + 1}/{args.rounds}: {d.name}", file=sys.stderr, flush=True)
            for op, us in measure(d, args.repeats).items():
                prev = best.setdefault(d.name, {}).get(op, float("inf"))
                best[d.name][op] = min(prev, us)
    versions = {d.name: d.version for d in dists}
    text = table(best, versions)
    text += (
        f"\n\nnode {subprocess.check_output(['node', '--version'], text=True).strip()}, "
        f"{platform.machine()}; best of {args.rounds} processes x {args.repeats} runs per "
        "distribution, alternating. Command: `python bench/ffi.py --write`."
    )
    print(text)
    if args.write:
        write_doc(text)


if __name__ == "__main__":
    main()
