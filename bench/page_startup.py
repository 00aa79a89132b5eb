"""A page's Python start-up: from navigation to the first `display` output of a one-line
`<script type="py">` page, in Chromium with a fresh profile each time, Pinnace side by side with
PyScript (`@pyscript/core`, on npm Pyodide; both pinned in bench/package.json), served locally
(docs/page.md, docs/benchmarks.md "Page start-up").

    python bench/page_startup.py [--rounds N] [--write]

Each round opens each page once in a new browser context (no cache, no profile), alternating.
The time is the page's own clock (`performance.now()`, from navigation start) when the output
first appears, seen by a MutationObserver installed before the page's scripts run.  --write puts
the table into docs/benchmarks.md between `<!-- bench:page:start -->` and `<!-- bench:page:end -->`.
Timing never gates a test: tests/bench/test_page_startup.py only checks that this runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "build"))

import core_dists  # noqa: E402
import ffi  # noqa: E402

from pinnace_build.serve import StaticServer  # noqa: E402

START, END = "<!-- bench:page:start -->", "<!-- bench:page:end -->"
TEXT = "hello from Python"
HEAD = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
PAGES = {
    "Pinnace": HEAD + '<script src="dist/pinnace.js"></script></head><body>'
    f'<script type="py">from pinnace.web import display; display("{TEXT}")</script></body></html>',
    "PyScript": HEAD + '<script type="module" src="npm/@pyscript/core/dist/core.js"></script></head>'
    '<body><script type="py" config=\'{"interpreter": "/npm/pyodide/pyodide.mjs"}\'>'
    f'from pyscript import display; display("{TEXT}")</script></body></html>',
}
# When the text first shows: recorded by the page itself, from navigation start.
WATCH = """
new MutationObserver((_, observer) => {
    if (document.body && document.body.innerText.includes(TEXT)) {
        window.firstOutput = performance.now();
        observer.disconnect();
    }
}).observe(document, { childList: true, subtree: true, characterData: true });
""".replace("TEXT", repr(TEXT))


def once(browser: Any, url: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(url)
        page.wait_for_function("() => window.firstOutput !== undefined", timeout=180_000)
        return float(page.evaluate("() => window.firstOutput"))
    finally:
        context.close()


def table(times: dict[str, list[float]], versions: dict[str, str]) -> str:
    best = {name: min(t) for name, t in times.items()}
    median = {name: statistics.median(t) for name, t in times.items()}
    rows = [
        "| page | first output, best (ms) | median (ms) | runs |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in times:
        rows.append(f"| {name} {versions[name]} | {best[name]:.0f} | {median[name]:.0f} | {len(times[name])} |")
    rows.append(f"| Pinnace / PyScript | {best['Pinnace'] / best['PyScript']:.2f}x | "
                f"{median['Pinnace'] / median['PyScript']:.2f}x | |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="page loads per distribution")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    core_dists.ensure_npm_deps()
    pyodide = core_dists.pyodide().version
    pyscript = json.loads((BENCH / "node_modules/@pyscript/core/package.json").read_text())["version"]
    versions = {"Pinnace": core_dists.pinnace().version, "PyScript": f"{pyscript} (Pyodide {pyodide})"}
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "dist").symlink_to(core_dists.PINNACE_DIST)
        (root / "npm").symlink_to(BENCH / "node_modules")
        for name, html in PAGES.items():
            (root / f"{name.lower()}.html").write_text(html)
        server = StaticServer(root, port=0).start()
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
                for _ in range(args.rounds):
                    for name in PAGES:
                        times[name].append(once(browser, f"{server.url}{name.lower()}.html"))
                browser.close()
        finally:
            server.stop()
    text = table(times, versions)
    print(text)
    if args.write:
        ffi.write_doc(text, START, END, "## Page start-up: `<script type=\"py\">`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
