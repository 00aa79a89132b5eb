"""pyperformance's own benchmark files, made runnable inside a wasm interpreter (bench/pyperformance.py).

The `pyperformance` wheel (pinned below, fetched from PyPI once into the build cache) carries
each benchmark as `data-files/benchmarks/bm_<name>/run_benchmark.py`, written against pyperf's
`Runner`.  `setup_source()` makes one Python source that, run in the interpreter, installs a
small stand-in `pyperf` module (a `Runner` that records what the file asks to time instead of
calibrating and spawning worker processes), runs each selected file unchanged as `__main__`
(with the variant's command-line options, from its `bm_*.toml`), writes the benchmark's data
files where the file expects them, and defines one zero-argument function per benchmark,
`bm_<name>()`, that runs it once.  The harness times calls of those functions.

Benchmarks that need packages from PyPI (a requirements.txt), subprocesses, threads or sockets
cannot run in either distribution's node build and are left out, each with its reason in
`EXCLUDED`; so are the few that take minutes per call in wasm.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "build"))

from pinnace_build.paths import cache_root  # noqa: E402

VERSION = "1.14.0"
WHEEL = f"pyperformance-{VERSION}-py3-none-any.whl"
SHA256 = "94068ac2935b6952ccb5e8a302eb9cebc26e82454494bef6e53822738adf0049"
URL = ("https://files.pythonhosted.org/packages/39/fc/793a5bf51635d90151c7a4c5ca8aad3fb5eef910321f7bad307314c4a857/"
       f"{WHEEL}")
PREFIX = "pyperformance/data-files/benchmarks/"

EXCLUDED = {
    "2to3": "runs lib2to3 in a subprocess",
    "concurrent_imap": "threads (neither build has them)",
    "asyncio_tcp": "TCP sockets to itself",
    "python_startup": "starts python processes (bench_command)",
    "sqlite_synth": "sqlite3 is a package fetched on import in both; Pyodide needs loadPackage",
    "async_tree": "asyncio.run() inside runPython, whose host event loop is already running",
    "async_generators": "asyncio.run() inside runPython, whose host event loop is already running",
    "pathlib": "its main() removes its files when it returns, before the stand-in runner times it",
}
# Variants left out (a folder's other variants run).
EXCLUDED_VARIANTS = {
    "pickle_pure_python": "needs a process where _pickle was never imported (pyperf's worker)",
    "unpickle_pure_python": "needs a process where _pickle was never imported (pyperf's worker)",
}
# One call of these takes 20-70 s in either wasm build (pyperformance sizes them for native
# speed and its own loop count); `--all` runs them too.
SLOW = {"bpe_tokeniser", "mdp", "pprint", "base64"}


@dataclass(frozen=True)
class Benchmark:
    """One benchmark (a variant of a `bm_*` folder): its name, file, options and data files."""

    name: str
    folder: str
    options: tuple[str, ...]


def wheel_path() -> Path:
    """The pinned pyperformance wheel, downloaded and checked once."""
    dest = cache_root() / "bench" / WHEEL
    if dest.is_file() and hashlib.sha256(dest.read_bytes()).hexdigest() == SHA256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(URL, timeout=120) as resp:
        data = resp.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise RuntimeError(f"{URL}: sha256 {digest}, expected {SHA256}")
    dest.write_bytes(data)
    return dest


def _variants(wheel: zipfile.ZipFile, folder: str) -> list[Benchmark]:
    """The benchmarks of one folder: its pyproject.toml's, and one per extra bm_*.toml."""
    out = []
    base = f"{PREFIX}{folder}/"
    for name in sorted(n for n in wheel.namelist() if n.startswith(base) and n.endswith(".toml")):
        meta = tomllib.loads(wheel.read(name).decode())
        tool = meta.get("tool", {}).get("pyperformance", {})
        if name.endswith("/pyproject.toml"):
            bench_name = meta.get("project", {}).get("name", folder).removeprefix("pyperformance_bm_")
            bench_name = tool.get("name", bench_name)
        else:
            bench_name = tool.get("name", Path(name).stem.removeprefix("bm_"))
        out.append(Benchmark(bench_name, folder, tuple(tool.get("extra_opts", ()))))
    return out


def available(wheel_file: Path, include_slow: bool = False) -> tuple[list[Benchmark], dict[str, str]]:
    """The benchmarks that can run here, and the left-out ones with why."""
    with zipfile.ZipFile(wheel_file) as wheel:
        folders = sorted({n[len(PREFIX):].split("/")[0] for n in wheel.namelist()
                          if n.startswith(PREFIX + "bm_")})  # fmt: skip
        chosen: list[Benchmark] = []
        left: dict[str, str] = {}
        for folder in folders:
            short = folder.removeprefix("bm_")
            if f"{PREFIX}{folder}/requirements.txt" in wheel.namelist():
                left[short] = "needs packages from PyPI (requirements.txt)"
            elif EXCLUDED.get(short):
                left[short] = EXCLUDED[short]
            else:
                for b in _variants(wheel, folder):
                    if b.name in EXCLUDED_VARIANTS:
                        left[b.name] = EXCLUDED_VARIANTS[b.name]
                    elif b.name in SLOW and not include_slow:
                        left[b.name] = "one call takes 20-70 s in wasm (run with --all)"
                    else:
                        chosen.append(b)
    return chosen, left


STAND_IN = '''
import argparse, sys, time, types

_pyperf = types.ModuleType("pyperf")
_pyperf.perf_counter = time.perf_counter
_pyperf.python_implementation = lambda: sys.implementation.name


class _Runner:
    """pyperf.Runner as pyperformance's files use it: what they ask to time is recorded."""

    def __init__(self, *args, **kwargs):
        self.metadata = {}
        self.argparser = argparse.ArgumentParser()
        self.args = None

    def parse_args(self, args=None):
        self.args = self.argparser.parse_args(_OPTIONS)
        return self.args

    def bench_func(self, name, func, *args, **kwargs):
        _TIMED.append(lambda: func(*args))

    def bench_time_func(self, name, time_func, *args, **kwargs):
        _TIMED.append(lambda: time_func(1, *args))

    def bench_async_func(self, name, func, *args, **kwargs):
        import asyncio
        _TIMED.append(lambda: asyncio.run(func(*args)))

    def bench_command(self, name, command):
        raise NotImplementedError("bench_command: subprocesses")


_pyperf.Runner = _Runner
sys.modules["pyperf"] = _pyperf
_TIMED = []
_OPTIONS = []


def _load(name, folder, source, options, data):
    """Run one benchmark file as __main__ (its other files beside it); bm_<name> runs it."""
    import base64, os
    global _OPTIONS
    here = f"/tmp/pyperformance/{folder}"
    if here not in sys.path:
        sys.path.append(here)  # regex_compile imports its folder's other modules
    for rel, encoded in data.items():
        path = os.path.join(here, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(encoded))
    os.makedirs(here, exist_ok=True)
    _OPTIONS = list(options)
    del _TIMED[:]
    namespace = {"__name__": "__main__", "__file__": f"{here}/run_benchmark.py"}
    try:
        exec(compile(source, f"{here}/run_benchmark.py", "exec"), namespace)
        failed = None if _TIMED else "asked to time nothing"
    except BaseException as e:  # shown in the report as this benchmark's failure
        failed = f"{type(e).__name__}: {e}"
    timed = list(_TIMED)
    loops = []

    def once():
        for call in timed:
            call()

    def run():
        """The number of loops this call ran (the first call, untimed, chooses it: enough for
        0.1 s, as pyperf calibrates), or why the benchmark cannot run here."""
        if failed:
            return failed
        try:
            if not loops:
                start = time.perf_counter()
                once()
                loops.append(max(1, round(0.1 / max(time.perf_counter() - start, 1e-6))))
            for _ in range(loops[0]):
                once()
        except BaseException as e:
            return f"{type(e).__name__}: {e}"
        return loops[0]

    globals()["bm_" + name.replace("-", "_")] = run
'''


def function_name(bench: Benchmark) -> str:
    return "bm_" + bench.name.replace("-", "_")


def setup_source(wheel_file: Path, benches: list[Benchmark]) -> str:
    """The Python source that defines `bm_<name>()` for each of ``benches``."""
    parts = [STAND_IN]
    with zipfile.ZipFile(wheel_file) as wheel:
        for b in benches:
            base = f"{PREFIX}{b.folder}/"
            source = wheel.read(base + "run_benchmark.py").decode()
            data = {n[len(base):]: base64.b64encode(wheel.read(n)).decode() for n in wheel.namelist()
                    if n.startswith(base) and not n.endswith(("/", ".toml", "/run_benchmark.py"))}  # fmt: skip
            parts.append(f"_load({b.name!r}, {b.folder!r}, {source!r}, {list(b.options)!r}, {json.dumps(data)})")
    return "\n".join(parts)
