"""Package-stack benchmarks: bytes on the wire per package, the time from a plain import to its
first result in node, and a workload in wasm against the native packages of the same versions
on the same machine.  Two stacks: `scipy` (numpy, OpenBLAS, SciPy, scikit-learn: `import
scipy.linalg`, a linear-algebra workload), `pandas` (`import pandas`, a groupby/merge/CSV
workload) and `matplotlib` (`import matplotlib.pyplot`, a figure-rendering workload).

    .venv/bin/python bench/stacks.py scipy            # measure, print the markdown report
    .venv/bin/python bench/stacks.py pandas --write   # ... and update docs/benchmarks.md

Pyodide's npm package ships none of these wheels (and its CDN is not reachable here), so there
is no Pyodide column: the ratios are wasm / native.  The native packages come from PyPI into a
virtualenv of the benchmark's own (${PINNACE_CACHE}/bench/native-stack, with a native Python of
the wasm build's version: SciPy 1.18 needs 3.12 or later).  Each workload
(bench/<stack>_workload.py) runs unchanged in both.  A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import core_node
import core_sizes
from core_dists import BENCH, PINNACE_DIST, REPO
from run import loadavg, machine_facts


@dataclass(frozen=True)
class Stack:
    """One stack: its packages, what its first import fetches, and how it is measured."""

    name: str
    heading: str
    packages: list[str]  # the lock packages whose sizes are reported
    first_import: list[str]  # what the timed import fetches
    import_code: str  # Python run by the timed import; its value is ``expect``
    expect: float
    native: dict[str, str]  # PyPI pins of the native run

    @property
    def markers(self) -> tuple[str, str]:
        return f"<!-- bench:{self.name}:start -->", f"<!-- bench:{self.name}:end -->"

    @property
    def workload(self) -> Path:
        return BENCH / f"{self.name}_workload.py"


STACKS = {
    "scipy": Stack(
        "scipy", "## The SciPy stack",
        ["numpy", "libopenblas", "scipy", "scikit-learn", "joblib", "threadpoolctl", "narwhals"],
        ["numpy", "libopenblas", "scipy"],
        "import scipy.linalg\nfloat(scipy.linalg.solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0])[1])",
        3.0, {"numpy": "2.4.6", "scipy": "1.18.1"},
    ),
    "pandas": Stack(
        "pandas", "## pandas",
        ["pandas", "numpy", "libopenblas", "python-dateutil", "six", "tzdata", "pytz"],
        ["pandas", "numpy", "libopenblas", "python-dateutil", "six", "tzdata", "pytz"],
        "import pandas\nimport io\nfloat(pandas.read_csv(io.StringIO('a,b\\n1,2\\n3,4\\n'))['b'].sum())",
        6.0, {"numpy": "2.4.6", "pandas": "3.1.1"},
    ),
    "matplotlib": Stack(
        "matplotlib", "## matplotlib",
        # decimal: the C part of the stdlib's decimal (a stdlib piece), which matplotlib's
        # `import fractions` imports.
        ["matplotlib", "numpy", "libopenblas", "pillow", "kiwisolver", "contourpy", "fonttools",
         "cycler", "pyparsing", "packaging", "python-dateutil", "six", "tzdata", "decimal"],
        ["matplotlib", "numpy", "libopenblas", "pillow", "kiwisolver", "contourpy", "fonttools",
         "cycler", "pyparsing", "packaging", "python-dateutil", "six", "tzdata", "decimal"],
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3])\n"
        "fig.canvas.draw()\nfloat(len(ax.lines))",
        1.0, {"numpy": "2.4.6", "matplotlib": "3.10.9"},
    ),
}  # fmt: skip
NATIVE_PINS = {"numpy": "2.4.6", "scipy": "1.18.1", "pandas": "3.1.1", "matplotlib": "3.10.9"}

IMPORT_DRIVER = """
import {{ loadPinnace }} from {loader!r};
const py = await loadPinnace({{ packageCacheDir: null, stdout: () => {{}} }});
const t = performance.now();
const x = py.runPython({code});
console.log(JSON.stringify({{ ms: performance.now() - t, x }}));
"""


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def native_python() -> Path:
    """A Python with the native packages of the wasm build's versions (NATIVE_PINS)."""
    root = core_sizes._cache_file().parent / "native-stack"
    py = root / "bin" / "python"
    if not py.exists():
        from pinnace_build.pyodide_root import host_python  # a Python of the wasm build's X.Y

        subprocess.run([host_python(), "-m", "venv", str(root)], check=True)
    pins = [f"{k}=={v}" for k, v in NATIVE_PINS.items()]
    have = subprocess.run([str(py), "-m", "pip", "freeze"], capture_output=True, text=True,
                          check=True).stdout.split()  # fmt: skip
    if not set(pins) <= set(have):
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        *pins], check=True)  # fmt: skip
    return py


def wheel_of(lock: dict[str, Any], name: str) -> Path:
    return PINNACE_DIST / str(lock["packages"][name]["file_name"])


def import_times(stack: Stack, files: list[Path], reps: int) -> tuple[list[float], list[float]]:
    """ms from the stack's plain import to its first result: one cold process (files evicted
    from the page cache), then ``reps`` warm ones."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "import.mjs"
        script.write_text(IMPORT_DRIVER.format(loader=(PINNACE_DIST / "pinnace.mjs").as_uri(),
                                               code=json.dumps(stack.import_code)))  # fmt: skip
        cold: list[float] = []
        warm: list[float] = []
        for i in range(reps + 1):
            if i == 0:
                core_node.evict_from_page_cache(tuple(files))
            proc = core_node.run_node([str(script)], env=core_node.node_env(None), timeout=600)
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            assert abs(got["x"] - stack.expect) < 1e-12, got
            (cold if i == 0 else warm).append(float(got["ms"]))
        return cold, warm


def chromium_times(stack: Stack, reps: int) -> tuple[list[float], list[float], str]:
    """ms from `runPythonAsync(import_code)` to its result on a Chromium page (the pre-scan
    fetches the packages over HTTP from a local server): cold is the first page of a fresh
    browser context (empty HTTP cache and Cache API), warm the next page in the same context
    (packages from the Cache API).  ``reps`` contexts; also Chromium's version."""
    from playwright.sync_api import sync_playwright

    from pinnace_build.serve import StaticServer

    server = StaticServer(REPO, port=0).start()
    cold: list[float] = []
    warm: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            version = str(browser.version)
            for _ in range(reps):
                context = browser.new_context()
                for times in (cold, warm):
                    page = context.new_page()
                    page.goto(server.url + "demos/")
                    got = page.evaluate(
                        """async (code) => {
                        const { loadPinnace } = await import('/dist/pinnace.mjs');
                        const py = await loadPinnace();
                        const t = performance.now();
                        const x = await py.runPythonAsync(code);
                        return { ms: performance.now() - t, x };
                    }""",
                        stack.import_code,
                    )
                    assert abs(got["x"] - stack.expect) < 1e-12, got
                    times.append(float(got["ms"]))
                    page.close()
                context.close()
            browser.close()
    finally:
        server.stop()
    return cold, warm, version


def workload(stack: Stack, python: list[str]) -> dict[str, float]:
    proc = subprocess.run([*python, str(stack.workload)], capture_output=True, text=True,
                          timeout=1800, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise core_node.BenchError(proc.stdout[-2000:] + proc.stderr[-2000:])
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def fmt_bytes(n: int) -> str:
    return f"{n / 2**20:.2f} MiB"


def report(stack: Stack, args: argparse.Namespace) -> str:
    lock = json.loads((PINNACE_DIST / "pinnace-lock.json").read_text())
    before = loadavg()
    files = [wheel_of(lock, n) for n in stack.packages]
    sizes = dict(zip(stack.packages, core_sizes.measure(files), strict=True))
    first_line = stack.import_code.split("\n")[0]
    log(f"{first_line} in node")
    cold, warm = import_times(stack, [wheel_of(lock, n) for n in stack.first_import], args.reps)
    log(f"{first_line} in Chromium")
    page_cold, page_warm, chromium = chromium_times(stack, max(1, min(args.reps, 3)))
    log("workload in wasm")
    wasm = workload(stack, [str(REPO / ".venv/bin/pinnace"), "python"])
    log("workload natively")
    native = workload(stack, [str(native_python())])
    after = loadavg()
    versions = {n: lock["packages"][n]["version"] for n in stack.packages}
    pins = " / ".join(f"{k} {v}" for k, v in stack.native.items())
    facts = machine_facts()
    out = [
        f"_Generated by `bench/stacks.py {stack.name} --write` (last run "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC)._",
        "",
        f"Command: `.venv/bin/python bench/stacks.py {stack.name} --write` (from the repository "
        "root).",
        "",
        f"Machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['os']}, node {facts['node']}; "
        f"load average {before} before, {after} after.",
        "",
        "Pyodide's npm package ships none of these wheels and its CDN is not reachable here: no "
        "Pyodide column. Sizes are of the files in `dist/`, compressed here.",
        "",
        "| package | version | raw | gzip -9 | brotli q11 |",
        "|---|---|---:|---:|---:|",
    ]
    for n in stack.packages:
        s = sizes[n]
        out.append(f"| {n} | {versions[n]} | {fmt_bytes(s.raw)} | {fmt_bytes(s.gzip)} | "
                   f"{fmt_bytes(s.brotli)} |")  # fmt: skip
    total = [sum(getattr(sizes[n], k) for n in stack.first_import)
             for k in ("raw", "gzip", "brotli")]  # fmt: skip
    out += [
        f"| **`{first_line}`** ({', '.join(stack.first_import)}) | | **{fmt_bytes(total[0])}** | "
        f"**{fmt_bytes(total[1])}** | **{fmt_bytes(total[2])}** |",
        "",
        f"Node, `runPython({json.dumps(stack.import_code)})` with nothing declared first, from "
        "the runtime loaded to the first result (`file:` index, read in place): cold (files "
        f"evicted from the page cache) **{cold[0]:,.0f} ms**; warm, median (min) of {len(warm)} "
        f"fresh processes **{statistics.median(warm):,.0f} ({min(warm):,.0f}) ms**.",
        "",
        f"Chromium {chromium} (headless), a page on a local server, "
        f"`await runPythonAsync({json.dumps(stack.import_code)})` (the pre-scan fetches the "
        "packages) to its result: cold (a fresh browser context: empty HTTP cache and Cache API), "
        f"median (min) of {len(page_cold)} **{statistics.median(page_cold):,.0f} "
        f"({min(page_cold):,.0f}) ms**; warm (the next page in that context: packages from the "
        f"Cache API) **{statistics.median(page_warm):,.0f} ({min(page_warm):,.0f}) ms**.",
        "",
        f"Workload (`bench/{stack.workload.name}`, best of 5, ms): wasm (`pinnace python`) "
        f"against native {pins} from PyPI on the same machine.",
        "",
        "| operation | wasm | native | wasm / native |",
        "|---|---:|---:|---:|",
    ]
    for k in wasm:
        out.append(f"| {k} | {wasm[k]:.1f} | {native[k]:.1f} | {wasm[k] / native[k]:.1f} |")
    return "\n".join(out) + "\n"


def write(stack: Stack, doc: Path, text: str) -> None:
    start, end = stack.markers
    body = doc.read_text()
    block = f"{start}\n{text}{end}"
    if start in body:
        head, rest = body.split(start, 1)
        body = head + block + rest.split(end, 1)[1]
    else:
        body = body.rstrip("\n") + f"\n\n{stack.heading}\n\n{block}\n"
    doc.write_text(body)


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("stack", choices=sorted(STACKS))
    p.add_argument("--reps", type=int, default=5, help="warm processes (default 5)")
    p.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    p.add_argument("--doc", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = p.parse_args(argv)
    stack = STACKS[args.stack]
    text = report(stack, args)
    print(text)
    if args.write:
        write(stack, args.doc, text)


if __name__ == "__main__":
    main(sys.argv[1:])
