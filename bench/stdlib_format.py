"""Which stdlib archive format ships: bytecode or sources, zip-deflated or stored?

Builds the four variants of python313.zip from the cached CPython build, and for each reports
its size (raw, gzip -9, brotli 11: what crosses the wire with HTTP compression) and, in fresh
node processes, the time from loadPinnace() to the first result and the time to import a set of
common modules.  A measurement, not a test.

    .venv/bin/python bench/stdlib_format.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import brotli  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "build"))

from pinnace_build import cpython, stdlib, toolchain  # noqa: E402

MODULES = [
    "json", "re", "datetime", "decimal", "asyncio", "email.message", "http.client", "argparse",
    "dataclasses", "typing", "pathlib", "collections", "functools", "unittest", "logging",
]  # fmt: skip
PROBE = """
import {{ loadPinnace }} from {loader!r};
const t0 = performance.now();
const py = await loadPinnace({{ indexURL: {index!r} }});
py.runPython("1 + 1");
const t1 = performance.now();
py.runPython({imports!r});
const t2 = performance.now();
console.log(JSON.stringify({{ start: t1 - t0, imports: t2 - t1 }}));
"""


def variant_dir(root: Path, kind: str, compression: str) -> Path:
    tc = toolchain.require()
    cp = cpython.build(tc)
    out = root / f"{kind}-{compression}"
    out.mkdir()
    for f in (REPO / "dist").iterdir():
        if f.name.startswith("pinnace") and not f.name.endswith((".gz", ".br", ".map")):
            (out / f.name).symlink_to(f)
    stdlib.pack(cpython.build_python(), cp.srcdir, cp.sysconfigdata, out, kind, compression)
    return out


def measure(index: Path, runs: int) -> dict[str, float]:
    script = index / "probe.mjs"
    script.write_text(
        PROBE.format(
            loader=str(index / "pinnace.mjs"),
            index=str(index),
            imports="import " + ", ".join(MODULES),
        )
    )
    samples = []
    for _ in range(runs + 1):  # the first run warms the OS file cache
        out = subprocess.run(["node", str(script)], capture_output=True, text=True, check=True)
        samples.append(json.loads(out.stdout))
    samples = samples[1:]
    return {k: statistics.median(s[k] for s in samples) for k in ("start", "imports")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("pyc", "py"):
            for compression in ("stored", "deflated"):
                d = variant_dir(Path(tmp), kind, compression)
                data = (d / stdlib.ZIP_NAME).read_bytes()
                times = measure(d, args.runs)
                rows.append(
                    (
                        f"{kind}, {compression}",
                        len(data),
                        len(gzip.compress(data, 9)),
                        len(brotli.compress(data, quality=11)),
                        times["start"],
                        times["imports"],
                    )
                )
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"| python313.zip | raw | gzip | brotli | start to first result | import {len(MODULES)} modules |"
    )
    print("|---|---|---|---|---|---|")
    for name, raw, gz, br, start, imports in rows:
        print(
            f"| {name} | {raw / 1e6:.2f} MB | {gz / 1e6:.2f} MB | {br / 1e6:.2f} MB "
            f"| {start:.0f} ms | {imports:.0f} ms |"
        )


if __name__ == "__main__":
    main()
