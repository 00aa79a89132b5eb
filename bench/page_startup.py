"""A page's Python start-up in Chromium, from navigation to Python's first result on the page,
with a fresh profile each time, served locally (docs/page.md, docs/benchmarks.md "Page start-up
in Chromium"). Two pairs, measured in the same run:

* tags: a one-line `<script type="py">` page that `display`s a line, Pinnace side by side with
  PyScript (`@pyscript/core`, on npm Pyodide; both pinned in bench/package.json);
* loaders, like for like: a module script that imports the ES-module loader, starts Python and
  puts `runPython` of a small expression into the page: Pinnace's `loadPinnace` (dist/pinnace.mjs)
  against Pyodide's own `loadPyodide({indexURL})` (npm pyodide/pyodide.mjs).

    python bench/page_startup.py [--rounds N] [--write]

Each round opens every page once in a new browser context (no cache, no profile), the order
reversed every other round; one StaticServer serves all pages (precompressed `.br`/`.gz` where a
distribution ships them: Pinnace's dist/ does, npm Pyodide does not).
The time is the page's own clock (`performance.now()`, from navigation start) when the text
first appears, seen by a MutationObserver installed before the page's scripts run.  --write puts
the tables into docs/benchmarks.md between `<!-- bench:page:start -->` and
`<!-- bench:page:end -->`. Timing never gates a test: tests/bench/test_page_startup.py only checks
that this runs and every page showed its text.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
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
# `<script type="py">` pages: the tag displays TEXT.
TAGS = {
    "Pinnace": HEAD + '<script src="dist/pinnace.js"></script></head><body>'
    f'<script type="py">from pinnace.web import display; display("{TEXT}")</script></body></html>',
    "PyScript": HEAD + '<script type="module" src="npm/@pyscript/core/dist/core.js"></script></head>'
    '<body><script type="py" config=\'{"interpreter": "/npm/pyodide/pyodide.mjs"}\'>'
    f'from pyscript import display; display("{TEXT}")</script></body></html>',
}
# ES-module loader pages: runPython computes TEXT (the page's source never holds it) and the
# module script appends the result to the body.
EXPRESSION = "' '.join(['hello', 'from', 'Python'])"


def loader_page(load: str, module: str, folder: str) -> str:
    return HEAD + f"""</head><body><script type="module">
import {{ {load} }} from "./{module}";
const python = await {load}({{ indexURL: new URL("{folder}/", location.href).href }});
document.body.append(String(python.runPython({EXPRESSION!r})));
</script></body></html>"""


LOADERS = {
    "Pinnace": loader_page("loadPinnace", "dist/pinnace.mjs", "dist"),
    "Pyodide": loader_page("loadPyodide", "npm/pyodide/pyodide.mjs", "npm/pyodide"),
}
PAGES = {("tag", name): html for name, html in TAGS.items()} | {
    ("loader", name): html for name, html in LOADERS.items()
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


def table(title: str, times: dict[str, list[float]], labels: dict[str, str]) -> str:
    """One pair's table: best and median per page, then the first/second ratio."""
    best = {name: min(t) for name, t in times.items()}
    median = {name: statistics.median(t) for name, t in times.items()}
    rows = [f"| {title} | best (ms) | median (ms) | runs |", "| --- | ---: | ---: | ---: |"]
    for name in times:
        rows.append(f"| {labels[name]} | {best[name]:.0f} | {median[name]:.0f} | {len(times[name])} |")
    first, second = times
    rows.append(f"| {first} / {second} | {best[first] / best[second]:.2f}x | "
                f"{median[first] / median[second]:.2f}x | |")  # fmt: skip
    return "\n".join(rows)


def report(times: dict[tuple[str, str], list[float]], labels: dict[tuple[str, str], str],
           facts: str) -> str:  # fmt: skip
    exe = Path(sys.executable)
    if exe.is_relative_to(REPO):
        exe = exe.relative_to(REPO)
    command = shlex.join([str(exe), "bench/page_startup.py", *sys.argv[1:]])
    pairs = [table(title, {name: t for (k, name), t in times.items() if k == kind},
                   {name: label for (k, name), label in labels.items() if k == kind})
             for kind, title in (("tag", "`<script type=\"py\">` page: first output"),
                                 ("loader", "ES-module loader page: first `runPython` result"))]  # fmt: skip
    return "\n\n".join([f"Command: `{command}` (from the repository root). {facts}", *pairs])


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="page loads per distribution")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    core_dists.ensure_npm_deps()
    pyodide = core_dists.pyodide().version
    pyscript = json.loads((BENCH / "node_modules/@pyscript/core/package.json").read_text())["version"]
    pinnace = core_dists.pinnace().version
    labels = {
        ("tag", "Pinnace"): f"Pinnace {pinnace}",
        ("tag", "PyScript"): f"PyScript {pyscript} (Pyodide {pyodide})",
        ("loader", "Pinnace"): f"Pinnace {pinnace}: `loadPinnace`",
        ("loader", "Pyodide"): f"Pyodide {pyodide}: `loadPyodide`",
    }
    times: dict[tuple[str, str], list[float]] = {key: [] for key in PAGES}
    load_before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "dist").symlink_to(core_dists.PINNACE_DIST)
        (root / "npm").symlink_to(BENCH / "node_modules")
        for (kind, name), html in PAGES.items():
            (root / f"{kind}-{name.lower()}.html").write_text(html)
        server = StaticServer(root, port=0).start()
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
                chromium = browser.version
                for round_ in range(args.rounds):
                    for kind, name in list(PAGES)[:: 1 if round_ % 2 == 0 else -1]:
                        url = f"{server.url}{kind}-{name.lower()}.html"
                        times[kind, name].append(once(browser, url))
                browser.close()
        finally:
            server.stop()
    facts = (f"Chromium {chromium}, {len(os.sched_getaffinity(0))} CPUs; load average "
             f"{load_before} before, {loadavg()} after.")  # fmt: skip
    text = report(times, labels, facts)
    print(text)
    if args.write:
        ffi.write_doc(text, START, END, "## Page start-up in Chromium")
    return 0


if __name__ == "__main__":
    sys.exit(main())
