"""What JSPI costs in Chromium: the asyncio loop and the FFI on a page's main thread, with the
loader's JSPI strategy on (the default there) and off (`loadPinnace({jspi: false})`).

    python bench/jspi.py [--rounds N] [--repeats N] [--write]

With JSPI every asyncio loop callback enters Python through `WebAssembly.promising`, so that a
lazy import in it can suspend (docs/packages.md); synchronous calls (runPython, PyProxy calls,
Python -> JS) do not change.  Each round loads one fresh page per setting, alternating; the
table keeps each operation's best time.  --write puts it into docs/benchmarks.md between
`<!-- bench:jspi:start -->` and `<!-- bench:jspi:end -->`.  Timing never gates a test.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "build"))

import ffi  # noqa: E402

from pinnace_build.serve import StaticServer  # noqa: E402

START, END = "<!-- bench:jspi:start -->", "<!-- bench:jspi:end -->"
SETUP = """
import asyncio, time, js

async def sleep0(n):
    start = time.perf_counter()
    for _ in range(n):
        await asyncio.sleep(0)
    return (time.perf_counter() - start) / n * 1e6

async def tasks(n):
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(0) for _ in range(n)))
    return (time.perf_counter() - start) / n * 1e6

def py_to_js(n):
    f = js.Math.abs
    start = time.perf_counter()
    for i in range(n):
        f(i)
    return (time.perf_counter() - start) / n * 1e6

def identity(x):
    return x
"""
# Each returns microseconds per operation.
OPS = {
    "asyncio.sleep(0) round trip": "() => py.runPythonAsync('await sleep0(2000)')",
    "asyncio.gather of 5,000 tasks, per task": "() => py.runPythonAsync('await tasks(5000)')",
    "Python -> JS call": "() => py.runPython('py_to_js(50000)')",
    "JS -> Python call": """() => {
        const f = py.globals.get('identity'), n = 50000, start = performance.now();
        for (let i = 0; i < n; i++) f(i);
        return (performance.now() - start) / n * 1000;
    }""",
}
SETTINGS = {"JSPI off": "false", "JSPI on": "true"}


def measure(browser: Any, url: str, jspi: str, repeats: int) -> dict[str, float]:
    page = browser.new_page()
    try:
        page.goto(url)
        page.evaluate(
            """async ([jspi, setup]) => {
                const { loadPinnace } = await import('/dist/pinnace.mjs');
                window.py = await loadPinnace({ jspi: jspi === 'true' });
                py.runPython(setup);
            }""",
            [jspi, SETUP],
        )
        mode = page.evaluate("() => py.lazyImports")
        if mode != ("jspi" if jspi == "true" else "pre-scan"):
            raise RuntimeError(f"bench: expected JSPI {jspi}, the loader chose {mode!r}")
        best = {}
        for name, op in OPS.items():
            page.evaluate(f"async () => await ({op})()")  # warm-up
            best[name] = min(page.evaluate(f"async () => await ({op})()") for _ in range(repeats))
        return best
    finally:
        page.close()


def table(best: dict[str, dict[str, float]]) -> str:
    off, on = best["JSPI off"], best["JSPI on"]
    rows = [
        "| operation | JSPI off (µs) | JSPI on (µs) | on / off |",
        "| --- | ---: | ---: | ---: |",
    ]
    rows += [f"| {op} | {off[op]:.3f} | {on[op]:.3f} | {on[op] / off[op]:.2f}x |" for op in OPS]
    return "\n".join(rows)


def main() -> None:
    args = ffi.rounds_args(__doc__, "pages per setting", "timed runs per page")
    from playwright.sync_api import sync_playwright

    server = StaticServer(BENCH.parent, port=0).start()
    best: dict[str, dict[str, float]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            version = browser.version
            for r in range(args.rounds):
                for name, jspi in SETTINGS.items():
                    print(
                        f"bench: round {r + 1}/{args.rounds}: {name}", file=sys.stderr, flush=True
                    )
                    for op, us in measure(
                        browser, server.url + "demos/", jspi, args.repeats
                    ).items():
                        best.setdefault(name, {})[op] = min(
                            best.get(name, {}).get(op, float("inf")), us
                        )
            browser.close()
    finally:
        server.stop()
    text = table(best) + (
        f"\n\nChromium {version}, headless; best of {args.rounds} pages x {args.repeats} runs per "
        "setting, alternating. Command: `python bench/jspi.py --write`."
    )
    print(text)
    if args.write:
        ffi.write_doc(text, START, END, "## JSPI in Chromium")


if __name__ == "__main__":
    main()
