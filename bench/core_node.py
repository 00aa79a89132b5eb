"""Runs bench/core_driver.mjs in fresh node processes: cold and warm startup, the workload,
memory (peak RSS and the wasm linear memory after `1+1` and after `import numpy`).

Cold: the distribution's files are evicted from the OS page cache first (fdatasync +
POSIX_FADV_DONTNEED on just those files) and node runs with its on-disk compile cache disabled
(NODE_DISABLE_COMPILE_CACHE=1). Warm: node's compile cache points at a directory kept for the
whole run (Node >= 22.1 uses it for JS; older Node ignores the variable) and an untimed warm-up
process has already read every file. Node keeps no on-disk cache of compiled wasm, so every
process compiles the wasm module again; only an in-process second load can reuse V8's
in-memory wasm module cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core_dists import BENCH, Distribution

DRIVER = BENCH / "core_driver.mjs"
RESULT_PREFIX = "BENCH_RESULT "


class BenchError(RuntimeError):
    """A measurement process failed; the message carries what node printed."""


@dataclass(frozen=True)
class StartupSample:
    first_ms: float
    second_ms: float | None
    import_ms: float
    info: str  # "<python version> <emscripten version>"


@dataclass(frozen=True)
class WorkloadResult:
    timings: dict[str, list[float]]
    values: dict[str, Any]
    info: str


@dataclass(frozen=True)
class MemorySample:
    """Bytes, in one fresh process: node alone, after `1+1`, after `import numpy` (if asked)."""

    baseline_rss: int  # peak RSS before the loader is imported
    start_rss: int  # peak RSS once runPython("1+1") returned
    start_wasm: int  # wasm linear memory then
    numpy_rss: int | None  # the same after `import numpy` and a numpy op; None: not measured
    numpy_wasm: int | None
    info: str


def evict_from_page_cache(paths: tuple[Path, ...]) -> bool:
    """Drop these files' pages from the OS page cache; False where the OS cannot."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def node_env(compile_cache: Path | None) -> dict[str, str]:
    """The environment of a measured node: no inherited NODE_OPTIONS, the compile cache set."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NODE_OPTIONS", "NODE_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE")}  # fmt: skip
    if compile_cache is None:
        env["NODE_DISABLE_COMPILE_CACHE"] = "1"
    else:
        env["NODE_COMPILE_CACHE"] = str(compile_cache)
    return env


# node dying on a signal (seen: V8 aborting with "unreachable code" in its deoptimizer while
# running Pyodide under node 20) is an engine crash, not a measurement: run that process again.
CRASH_RETRIES = 2


def run_node(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    """Run ``node ARGS`` capturing text output, again if node died on a signal."""
    for _attempt in range(CRASH_RETRIES + 1):
        proc = subprocess.run(["node", *args], check=False, capture_output=True, text=True, **kw)
        if proc.returncode >= 0:
            break
        print(f"bench: node died on signal {-proc.returncode}; running it again", file=sys.stderr)
    return proc


def run_driver(config: dict[str, Any], env: dict[str, str], timeout: float = 600) -> Any:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:  # a long setup: too big for argv
        json.dump(config, f)
        f.flush()
        proc = run_node([str(DRIVER), "@" + f.name], env=env, timeout=timeout, cwd=BENCH)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX) and proc.returncode == 0:
            return json.loads(line[len(RESULT_PREFIX) :])
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
    raise BenchError(f"node {DRIVER.name} ({config['exportName']}, {config['mode']}) "
                     f"exited with {proc.returncode}:\n{tail}")  # fmt: skip


def startup(dist: Distribution, *, cold: bool, second_load: bool,
            compile_cache: Path | None) -> StartupSample:  # fmt: skip
    """One fresh node process: loader call to first runPython("1+1") result."""
    if cold:
        evict_from_page_cache((dist.loader, *dist.core_files))
        compile_cache = None
    config = {"loader": str(dist.loader), "exportName": dist.export_name, "mode": "startup",
              "secondLoad": second_load}  # fmt: skip
    got = run_driver(config, node_env(compile_cache))
    second = got.get("secondMs")
    return StartupSample(
        first_ms=float(got["firstMs"]),
        second_ms=None if second is None else float(second),
        import_ms=float(got["importMs"]),
        info=str(got["info"]),
    )


def workload(dist: Distribution, setup: str, names: tuple[str, ...], reps: int,
             compile_cache: Path | None) -> WorkloadResult:  # fmt: skip
    """One fresh node process: load, define the workload, one untimed round, `reps` timed."""
    config = {"loader": str(dist.loader), "exportName": dist.export_name, "mode": "workload",
              "setup": setup, "names": list(names), "reps": reps}  # fmt: skip
    got = run_driver(config, node_env(compile_cache))
    timings = {name: [float(t) for t in got["timings"][name]] for name in names}
    return WorkloadResult(timings=timings, values=dict(got["values"]), info=str(got["info"]))


def memory(dist: Distribution, *, numpy: bool, compile_cache: Path | None) -> MemorySample:
    """One fresh node process: load, runPython("1+1"), then (numpy) import numpy and use it;
    the process's peak RSS and the wasm memory's size after each step."""
    config = {"loader": str(dist.loader), "exportName": dist.export_name, "mode": "memory",
              "numpy": numpy}  # fmt: skip
    got = run_driver(config, node_env(compile_cache))
    after = got.get("afterNumpy")
    return MemorySample(
        baseline_rss=int(got["baseline"]["peakRss"]),
        start_rss=int(got["afterStart"]["peakRss"]),
        start_wasm=int(got["afterStart"]["wasm"]),
        numpy_rss=None if after is None else int(after["peakRss"]),
        numpy_wasm=None if after is None else int(after["wasm"]),
        info=str(got["info"]),
    )
