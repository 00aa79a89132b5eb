"""HTTP from Python: a 10 MB download through each client, in Node and in Chromium, as ratios
to the same download with fetch from JS in the same host; Pyodide's pyfetch (npm Pyodide,
bench/package.json) in the same run (docs/http.md, docs/benchmarks.md "HTTP").

    python bench/http_clients.py [--rounds N] [--repeats N] [--size BYTES] [--write]

The server is tests/support/api_server.py (its /bytes/<n>), a process of its own on 127.0.0.1.
Each round starts one fresh node process and one fresh Chromium page per distribution,
alternating; the table keeps each client's best time.  --write puts the table into
docs/benchmarks.md between `<!-- bench:http:start -->` and `<!-- bench:http:end -->`.  Timing
never gates a test: tests/bench/test_http_clients.py only checks that this runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "build"))

import core_dists  # noqa: E402
import core_node  # noqa: E402
import ffi  # noqa: E402

from pinnace_build.serve import StaticServer  # noqa: E402

START, END = "<!-- bench:http:start -->", "<!-- bench:http:end -->"
MEASURE = BENCH / "http_clients.mjs"
# Where a page loads each distribution from (the static server serves the repository).
PAGE_LOADER = {"Pinnace": ("/dist/pinnace.mjs", "loadPinnace", {}),
               "Pyodide": ("/bench/node_modules/pyodide/pyodide.mjs", "loadPyodide",
                           {"indexURL": "/bench/node_modules/pyodide/"})}  # fmt: skip


def in_node(dist: core_dists.Distribution, config: dict[str, Any]) -> dict[str, float]:
    config = {**config, "dist": dist.name, "loader": str(dist.loader), "exportName": dist.export_name}
    res = core_node.run_node([str(MEASURE), json.dumps(config)], timeout=900, cwd=BENCH)
    for line in res.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            out: dict[str, float] = json.loads(line.removeprefix("BENCH_RESULT "))
            return out
    raise RuntimeError(f"{dist.name} in node: no result (exit {res.returncode}):\n{res.stderr[-3000:]}")


def in_page(browser: Any, site: str, name: str, config: dict[str, Any]) -> dict[str, float]:
    loader, export, options = PAGE_LOADER[name]
    page = browser.new_page()
    try:
        page.goto(site + "demos/")
        out: dict[str, float] = page.evaluate(
            """async ([loader, exportName, config]) => {
                const { measure } = await import('/bench/http_clients.mjs');
                const load = (await import(loader))[exportName];
                return await measure(load, config);
            }""",
            [loader, export, {**config, "dist": name, "options": options}],
        )
        return out
    finally:
        page.close()


def table(best: dict[str, dict[str, dict[str, float]]], versions: dict[str, str], size: int) -> str:
    rows = [
        f"{size / 2**20:g} MiB from a local server; each client's best time, and its ratio to "
        "`fetch` from JS in the same host (1.00x: no cost on top of the host's download).",
        "",
        "| client | Node (ms) | Node / fetch | Chromium (ms) | Chromium / fetch |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in ("Pinnace", "Pyodide"):
        node, page = best[name]["node"], best[name]["chromium"]
        for client in node:
            label = f"{client} ({name} {versions[name]})" if client == "fetch from JS" else client
            rows.append(f"| {label} | {node[client]:.1f} | {node[client] / node['fetch from JS']:.2f}x "
                        f"| {page[client]:.1f} | {page[client] / page['fetch from JS']:.2f}x |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh hosts per distribution")
    parser.add_argument("--repeats", type=int, default=5, help="timed downloads per host")
    parser.add_argument("--size", type=int, default=10 * 2**20, help="bytes per download")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    dists = {d.name: d for d in (core_dists.pinnace(), core_dists.pyodide())}
    core_dists.ensure_npm_deps()
    api = subprocess.Popen([sys.executable, str(REPO / "tests" / "support" / "api_server.py")],
                           stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert api.stdout is not None
    url = api.stdout.readline().strip() + f"/bytes/{args.size}"
    config = {"url": url, "size": args.size, "repeats": args.repeats}
    best: dict[str, dict[str, dict[str, float]]] = {n: {"node": {}, "chromium": {}} for n in dists}
    site = StaticServer(REPO, port=0).start()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            for _ in range(args.rounds):
                for name, dist in dists.items():
                    for host, got in (("node", in_node(dist, config)),
                                      ("chromium", in_page(browser, site.url, name, config))):  # fmt: skip
                        for client, ms in got.items():
                            best[name][host][client] = min(best[name][host].get(client, ms), ms)
            browser.close()
    finally:
        site.stop()
        api.terminate()
        api.wait(timeout=30)
    text = table(best, {n: d.version for n, d in dists.items()}, args.size)
    print(text)
    if args.write:
        ffi.write_doc(text, START, END, "## HTTP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
