"""What the bytecode in the wheels saves at import time (docs/packages.md, "Bytecode in the
wheels").  Each import runs in a fresh `pinnace python` process, after its packages were
installed: once as shipped, once with every `__pycache__` removed first (the sources alone, as
before the wheels carried bytecode).  Prints a markdown table.  A benchmark, not a test.

    .venv/bin/python bench/bytecode.py [--runs 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMPORTS = {"numpy": "numpy", "scipy.linalg": "scipy", "pandas": "pandas",
           "matplotlib.pyplot": "matplotlib"}  # fmt: skip

PROBE = """
import importlib, pathlib, shutil, sys, time
from pinnace import _packages
mode, module, package = sys.argv[1:]
_packages.ensure([package])
if mode == "sources":
    for d in pathlib.Path("/lib/python3.13/site-packages").rglob("__pycache__"):
        shutil.rmtree(d)
    importlib.invalidate_caches()
t = time.perf_counter()
importlib.import_module(module)
print(round(1000 * (time.perf_counter() - t)))
"""


def once(mode: str, module: str, package: str) -> int:
    res = subprocess.run([str(REPO / ".venv/bin/pinnace"), "python", "-c", PROBE, mode, module,
                          package], capture_output=True, text=True, timeout=600, check=True)  # fmt: skip
    return int(res.stdout.split()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    print("| import | with bytecode (ms) | sources only (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for module, package in IMPORTS.items():
        times = {m: [once(m, module, package) for _ in range(args.runs)]
                 for m in ("bytecode", "sources")}  # fmt: skip
        best = {m: min(t) for m, t in times.items()}
        print(f"| `{module}` | {', '.join(map(str, times['bytecode']))} | "
              f"{', '.join(map(str, times['sources']))} | "
              f"{best['sources'] / best['bytecode']:.1f}x |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
