"""Packages on the wire: the wheels as dist/ ships them (deflated) against the same wheels
stored (ZIP_STORED) and served precompressed, for `import numpy` and `import scipy.linalg`.

    .venv/bin/python bench/wheel_transport.py [--rounds N] [--mbps M] [--write]
    .venv/bin/python bench/wheel_transport.py --quick   # `import six`, 1 round: the harness

In one run (bench/wheel_sets.py makes the two sets in a temporary folder):

* bytes: the package files each import fetches, as they are and under gzip -9 and brotli q11,
  deflated against stored (what a server sends: as is, or its precompressed copy);
* Chromium: a page loads Pinnace from a set (StaticServer, which sends `X.br`/`X.gz` for `X`
  when the browser accepts them) and times `await py.runPythonAsync(code)`, in a fresh browser
  context each time (no HTTP cache, no Cache API), the sets in turn, the order reversed every
  other round; unthrottled (localhost) and throttled to --mbps with DevTools' network
  emulation, which meters the bytes as they arrive, still compressed. The stored wheels are
  served three ways: with brotli, with gzip, and as is (a server with no precompressed copies);
* node: the same imports from each set's folder (file reads, no transport), a fresh process each;
* npm: the package files of the whole lock unpacked on disk, deflated against stored.

--write puts the report between `<!-- bench:wheel-transport:start -->` and
`<!-- bench:wheel-transport:end -->` of --doc. A benchmark: nothing passes or fails on time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "build"))

import core_node
import core_sizes
import ffi
import wheel_sets
from core_dists import BENCH, PINNACE_DIST, REPO
from core_report import fmt_bytes, fmt_samples
from run import loadavg, machine_facts
from wheel_sets import DEFLATED, STORED

from pinnace_build.serve import StaticServer

START, END = "<!-- bench:wheel-transport:start -->", "<!-- bench:wheel-transport:end -->"
HEADING = "## Packages on the wire: deflated or stored wheels"
DRIVER = BENCH / "wheel_transport_driver.mjs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
os.environ.setdefault("PINNACE_SERVE_QUIET", "1")
RTT_MS = 20  # the throttled profile's latency, added to every request


@dataclass(frozen=True)
class Target:
    title: str  # "import numpy"
    packages: list[str]  # what it needs from the lock (their dependencies come along)
    code: str  # what runPythonAsync runs
    value: str  # what it must return


TARGETS = [
    Target("import numpy", ["numpy"], "import numpy; str(numpy.arange(4).sum())", "6"),
    # Not among scipy's depends but fetched lazily as it starts: scipy's array_api_compat does
    # `from numpy import *`, which imports numpy.f2py, whose optional `import charset_normalizer`
    # finds it in the lock
    Target("import scipy.linalg", ["scipy", "charset-normalizer"],
           "import scipy.linalg; str(scipy.linalg.inv([[2.0, 0.0], [0.0, 4.0]])[1][1])", "0.25"),
]  # fmt: skip
QUICK = [Target("import six", ["six"], "import six; six.__name__", "six")]
# How Chromium is served each set: a label and (set, precompressed copies the wheels keep).
SERVED = {
    "deflated, as shipped": (DEFLATED, ()),
    "stored + brotli": (STORED, (".br", ".gz")),
    "stored + gzip": (STORED, (".gz",)),
    "stored, no compression": (STORED, ()),
}
PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body><script type="module">
const q = new URLSearchParams(location.search);
const base = new URL(`./${q.get("set")}/`, location.href).href;
const done = {}, prescan = JSON.parse(q.get("prescan"));
try {
  const t0 = performance.now();
  const { loadPinnace } = await import(base + "pinnace.mjs");
  const py = await loadPinnace({ indexURL: base, onPackageProgress: (p) => {
    if (p.loaded >= p.total) done[p.package] = performance.now(); } });
  const t1 = performance.now();
  const value = String(await py.runPythonAsync(q.get("code")));
  const t2 = performance.now();
  const files = performance.getEntriesByType("resource").filter((e) => /\\.(whl|zip)$/.test(e.name)
    && !e.name.endsWith("/python313.zip"));
  const sum = (k) => files.reduce((n, e) => n + e[k], 0);
  window.result = { loadMs: t1 - t0, importMs: t2 - t1, value, files: files.length,
    downloadMs: Math.max(...prescan.map((p) => done[p])) - t1, encoded: sum("encodedBodySize"),
    decoded: sum("decodedBodySize") };
} catch (e) { window.result = { error: String(e?.stack ?? e) }; }
</script></body></html>"""


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3, help="page loads and node processes per case")
    p.add_argument("--mbps", type=float, default=50, help="throttled profile, Mbit/s (0: none)")
    p.add_argument("--quick", action="store_true",
                   help="`import six`, 1 round, unthrottled, stored served with brotli only")
    p.add_argument("--write", action="store_true", help="update --doc")
    p.add_argument("--doc", type=Path, default=REPO / "docs" / "benchmarks.md")
    p.add_argument("--dist", type=Path, default=PINNACE_DIST)
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.mbps = 1, 0
    return args


def files_of(folder: Path, target: Target) -> list[Path]:
    packages = json.loads((folder / wheel_sets.LOCK).read_text())["packages"]
    return [folder / packages[n]["file_name"] for n in wheel_sets.closure(packages, target.packages)]


def wire_bytes(sets: dict[str, Path], target: Target) -> dict[str, dict[str, int]]:
    """{set: {"raw"|"gzip"|"brotli": bytes}} of the files `target` fetches."""
    deflated = core_sizes.measure(files_of(sets[DEFLATED], target))  # cached by sha256
    stored = files_of(sets[STORED], target)

    def size(files: list[Path], suffix: str) -> int:
        return sum(f.with_name(f.name + suffix).stat().st_size for f in files)

    return {
        DEFLATED: {"raw": sum(f.raw for f in deflated), "gzip": sum(f.gzip for f in deflated),
                   "brotli": sum(f.brotli for f in deflated)},
        STORED: {"raw": size(stored, ""), "gzip": size(stored, ".gz"), "brotli": size(stored, ".br")},
    }  # fmt: skip


def chromium_once(browser: Any, url: str, mbps: float) -> dict[str, Any]:
    context = browser.new_context()
    try:
        page = context.new_page()
        if mbps:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            rate = mbps * 1e6 / 8  # bytes per second
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": RTT_MS,
                     "downloadThroughput": rate, "uploadThroughput": rate})  # fmt: skip
        page.goto(url)
        page.wait_for_function("() => window.result !== undefined", timeout=900_000)
        got: dict[str, Any] = page.evaluate("() => window.result")
        return got
    finally:
        context.close()


def chromium(root: Path, targets: list[Target], rounds: int, profiles: list[float],
             served: list[str]) -> tuple[dict[tuple[float, str, str], list[dict[str, Any]]], str]:  # fmt: skip
    """{(Mbit/s or 0, target title, served label): [page results]}, and Chromium's version."""
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    (root / "page.html").write_text(PAGE)
    folders = {label: folder(root, *SERVED[label]) for label in served}
    fetched = {t.title: len(files_of(root / DEFLATED, t)) for t in targets}
    lock = json.loads((root / DEFLATED / wheel_sets.LOCK).read_text())["packages"]
    prescan = {t.title: wheel_sets.closure(lock, t.packages[:1]) for t in targets}
    out: dict[tuple[float, str, str], list[dict[str, Any]]] = {}
    server = StaticServer(root, port=0).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            version = str(browser.version)
            for round_ in range(rounds):
                order = served[:: 1 if round_ % 2 == 0 else -1]
                for mbps in profiles:
                    for t in targets:
                        for label in order:
                            net = f"{mbps:g} Mbit/s" if mbps else "unthrottled"
                            log(f"chromium {t.title}, {label}, {net}, round {round_ + 1}/{rounds}")
                            query = {"set": folders[label], "code": t.code,
                                     "prescan": json.dumps(prescan[t.title])}  # fmt: skip
                            url = f"{server.url}page.html?{urlencode(query)}"
                            got = chromium_once(browser, url, mbps)
                            if "error" in got or (got["value"], got["files"]) != (t.value, fetched[t.title]):
                                raise core_node.BenchError(f"{t.title} ({label}): {got}")
                            out.setdefault((mbps, t.title, label), []).append(got)
            browser.close()
    finally:
        server.stop()
    return out, version


def folder(root: Path, set_: str, keep: tuple[str, ...]) -> str:
    """The folder under ``root`` that serves ``set_`` with the wheels' ``keep`` copies."""
    if set_ == DEFLATED or keep == tuple(wheel_sets.ENCODINGS):
        return set_
    name = f"{set_}-{'-'.join(k.strip('.') for k in keep) or 'plain'}"
    if not (root / name).exists():
        wheel_sets.variant(root / set_, root / name, keep)
    return name


def node(sets: dict[str, Path], targets: list[Target], rounds: int) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """{(target title, set): [driver results]}: a fresh node process each."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for round_ in range(rounds):
        for t in targets:
            for name in list(sets)[:: 1 if round_ % 2 == 0 else -1]:
                log(f"node {t.title}, {name}, round {round_ + 1}/{rounds}")
                config = {"loader": str(sets[name] / "pinnace.mjs"), "indexURL": str(sets[name]),
                          "code": t.code}  # fmt: skip
                proc = core_node.run_node([str(DRIVER), json.dumps(config)], timeout=900,
                                          env=core_node.node_env(None), cwd=BENCH)  # fmt: skip
                lines = [s for s in proc.stdout.splitlines() if s.startswith(core_node.RESULT_PREFIX)]
                got = json.loads(lines[-1].removeprefix(core_node.RESULT_PREFIX)) if lines else {}
                if "error" in got or got.get("value") != t.value:
                    raise core_node.BenchError(f"node {t.title} ({name}): {got or proc.stderr[-2000:]}")
                out.setdefault((t.title, name), []).append(got)
    return out


def npm_sizes(dist: Path, tmp: Path, names: list[str] | None) -> tuple[int, int, int]:
    """(files, deflated bytes, stored bytes) of the lock's package files (``names``: only
    those and their dependencies), as an npm install unpacks them."""
    packages = json.loads((dist / wheel_sets.LOCK).read_text())["packages"]
    chosen = wheel_sets.closure(packages, names) if names else list(packages)
    tmp.mkdir()
    deflated = stored = 0
    for name in chosen:
        src = dist / packages[name]["file_name"]
        wheel_sets.restore(src, tmp / src.name)
        deflated += src.stat().st_size
        stored += (tmp / src.name).stat().st_size
        (tmp / src.name).unlink()
    return len(chosen), deflated, stored


def ratio(a: float, b: float) -> str:
    return f"{b / a:.2f}x" if a else ""


def bytes_table(sizes: dict[str, dict[str, dict[str, int]]]) -> str:
    rows = ["| package files fetched | deflated, as shipped | stored | stored / deflated |",
            "|---|---:|---:|---:|"]  # fmt: skip
    for title, s in sizes.items():
        rows.append(f"| **`{title}`** | | | |")
        for kind, label in (("raw", "as is"), ("gzip", "gzip -9"), ("brotli", "brotli q11")):
            d, st = s[DEFLATED][kind], s[STORED][kind]
            rows.append(f"| {label} | {d:,} ({fmt_bytes(d)}) | {st:,} ({fmt_bytes(st)}) | {ratio(d, st)} |")
        d, st = s[DEFLATED]["raw"], s[STORED]["brotli"]
        rows.append(f"| sent: deflated as is, stored with brotli | {d:,} | {st:,} | {ratio(d, st)} |")
    return "\n".join(rows)


def med(results: list[dict[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in results]


def chromium_table(title: str, mbps: float, results: dict[tuple[float, str, str], list[dict[str, Any]]]) -> str:
    net = f"throttled to {mbps:g} Mbit/s, {RTT_MS} ms" if mbps else "unthrottled (localhost)"
    rows = [f"| `{title}`, {net} | bytes received | `runPythonAsync` ms | pre-scan's last byte "
            "at ms | after it ms | `loadPinnace` ms |", "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    served = [label for label in SERVED if (mbps, title, label) in results]
    first = results[mbps, title, served[0]]
    for label in served:
        r = results[mbps, title, label]
        after = [a - b for a, b in zip(med(r, "importMs"), med(r, "downloadMs"), strict=True)]
        vs = statistics.median(med(r, "importMs")) / statistics.median(med(first, "importMs"))
        rows.append(f"| {label} | {int(statistics.median(med(r, 'encoded'))):,} | "
                    f"{fmt_samples(med(r, 'importMs'))} ({vs:.2f}x) | {fmt_samples(med(r, 'downloadMs'))} "
                    f"| {fmt_samples(after)} | {fmt_samples(med(r, 'loadMs'))} |")  # fmt: skip
    return "\n".join(rows)


def node_table(targets: list[Target], results: dict[tuple[str, str], list[dict[str, Any]]]) -> str:
    rows = ["| node, `runPythonAsync` ms | deflated | stored | stored / deflated |",
            "|---|---:|---:|---:|"]  # fmt: skip
    for t in targets:
        d, s = results[t.title, DEFLATED], results[t.title, STORED]
        rows.append(f"| `{t.title}` | {fmt_samples(med(d, 'importMs'))} | {fmt_samples(med(s, 'importMs'))} "
                    f"| {ratio(statistics.median(med(d, 'importMs')), statistics.median(med(s, 'importMs')))} |")  # fmt: skip
    every = [r for rs in results.values() for r in rs]
    rows.append(f"| `loadPinnace` (the core, the same files) | {fmt_samples(med(every, 'loadMs'))} | | |")
    return "\n".join(rows)


def render(args: argparse.Namespace, targets: list[Target], sizes: Any, pages: Any, chromium_v: str,
           nodes: Any, npm: tuple[int, int, int], loads: tuple[str, str]) -> str:  # fmt: skip
    exe = Path(sys.executable)
    exe = exe.relative_to(REPO) if exe.is_relative_to(REPO) else exe
    command = shlex.join([str(exe), "bench/wheel_transport.py", *sys.argv[1:]])
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = machine_facts()
    profiles = sorted({k[0] for k in pages})
    n, d, s = npm
    parts = [
        f"_Generated by `bench/wheel_transport.py --write` (last run {today}); the notes after "
        "the markers are written by hand._",
        f"Command: `{command}` (from the repository root). Machine: {facts['nproc']} CPUs "
        f"({facts['cpu']}), Chromium {chromium_v}, node {facts['node']}; load average "
        f"{loads[0]} before, {loads[1]} after. {args.rounds} round(s); times are median (min).",
        bytes_table(sizes),
        *[chromium_table(t.title, mbps, pages) for mbps in profiles for t in targets],
        node_table(targets, nodes),
        f"npm: the {n} package files of the lock unpacked on disk: {d:,} bytes ({fmt_bytes(d)}) "
        f"deflated, {s:,} ({fmt_bytes(s)}) stored ({ratio(d, s)}).",
    ]
    return "\n\n".join(parts)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    targets = QUICK if args.quick else TARGETS
    loads = [loadavg()]
    with tempfile.TemporaryDirectory(prefix="pinnace-wheel-transport-") as tmp:
        root = Path(tmp)
        log("making the two package sets")
        sets = wheel_sets.make_sets(args.dist, root, [p for t in targets for p in t.packages], log)
        sizes = {t.title: wire_bytes(sets, t) for t in targets}
        profiles = [0.0, args.mbps] if args.mbps else [0.0]
        served = list(SERVED)[:2] if args.quick else list(SERVED)
        pages, version = chromium(root, targets, args.rounds, profiles, served)
        nodes = node(sets, targets, args.rounds)
        log("npm: re-zipping the lock's package files")
        npm = npm_sizes(args.dist, root / "npm", [p for t in targets for p in t.packages]
                        if args.quick else None)  # fmt: skip
    loads.append(loadavg())
    report = render(args, targets, sizes, pages, version, nodes, npm, (loads[0], loads[1]))
    print(report)
    if args.write:
        ffi.write_doc(report.strip(), START, END, HEADING, args.doc)
        log(f"wrote {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
