"""The sandbox's started interpreter: ``python-snapshot.wasm`` (pinnace_host.python's warm runs).

* ``wasi-sandbox``: ``runtime/wasi/sandbox.c`` linked with the WASI build's libpython as a
  reactor (``python-sandbox.wasm``: ``pinnace_start`` initialises CPython and imports the
  runner, ``runtime/wasi/_pinnace_sandbox.py``; ``pinnace_run`` runs one program); then started
  once under wasmtime with the stdlib granted as the sandbox grants it, and saved as a module
  that begins there (wasm_snapshot.py).  Instantiating ``python-snapshot.wasm`` is a started
  interpreter: no CPython start-up per run.

The snapshot is made with ``PYTHONHASHSEED=0``: every copy has the same, known string hash seed
(a copy only ever hashes its own program's data).  It is not byte-for-byte the same on every
build: about a hundred bytes differ between two starts (values read from the clocks during
start-up); the step is keyed by its inputs, so a cached snapshot is reused as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import wasmtime

from . import cpython, cpython_wasi, wasm_snapshot
from .cache import BuildError, Step, file_digest, log, run_logged
from .paths import REPO

SOURCES = REPO / "runtime" / "wasi"
RUNNER = "_pinnace_sandbox.py"
SNAPSHOT = "python-snapshot.wasm"
GUEST_RUNTIME = "/pinnace-runtime"  # where the runner is granted while the snapshot is made
EXPORTS = ["malloc", "free"]  # the host's allocator for pinnace_run's request (docs/host.md)
START_EXPORTS = {"_initialize", "pinnace_start"}  # done in the snapshot: not the copies'


def step() -> Step:
    return Step("wasi-sandbox", {
        "install": cpython_wasi.install_step().key,
        "sandbox.c": file_digest(SOURCES / "sandbox.c"),
        "runner": file_digest(SOURCES / RUNNER),
        "snapshot": file_digest(Path(wasm_snapshot.__file__)),
        "v": 1,
    })  # fmt: skip


def _link(builddir: Path, out: Path) -> Path:
    names = ["CC", "LINKCC", "PY_CFLAGS", "PY_CORE_LDFLAGS", "LIBRARY", "LIBS", "MODLIBS", "SYSLIBS", "srcdir"]
    v = cpython.make_vars(builddir, names)
    logfile = out / "build.log"
    obj = out / "sandbox.o"
    run_logged([*v["CC"].split(), *v["PY_CFLAGS"].split(), f"-I{v['srcdir']}/Include", f"-I{builddir}",
                "-c", str(SOURCES / "sandbox.c"), "-o", str(obj)], logfile, cwd=builddir)  # fmt: skip
    wasm = out / "python-sandbox.wasm"
    exports = [f"-Wl,--export={name}" for name in EXPORTS]
    run_logged([*v["LINKCC"].split(), *v["PY_CORE_LDFLAGS"].split(), "-mexec-model=reactor", *exports,
                "-o", str(wasm), str(obj), v["LIBRARY"], *v["LIBS"].split(), *v["MODLIBS"].split(),
                *v["SYSLIBS"].split()], logfile, cwd=builddir)  # fmt: skip
    return wasm


def _start(installed: Path, out: Path) -> wasmtime.WasiConfig:
    runtime = out / "runtime"
    runtime.mkdir()
    shutil.copyfile(SOURCES / RUNNER, runtime / RUNNER)
    wasi = wasmtime.WasiConfig()
    wasi.env = [("PYTHONPATH", GUEST_RUNTIME), ("PYTHONHASHSEED", "0")]
    wasi.preopen_dir(str(installed / "lib"), f"{cpython_wasi.PREFIX}/lib", False)  # read-only
    wasi.preopen_dir(str(runtime), GUEST_RUNTIME, False)
    wasi.stderr_file = str(out / "start.log")
    return wasi


def _build(out: Path) -> None:
    installed = cpython_wasi.build()
    wasm = _link(cpython_wasi.build_dir(), out)
    log("wasi-sandbox: starting the interpreter once and saving it")

    def start(store: wasmtime.Store, instance: wasmtime.Instance) -> None:
        exports = instance.exports(store)
        for name in ("_initialize", "pinnace_start"):
            func = exports[name]
            assert isinstance(func, wasmtime.Func)
            status = func(store)
            if status not in (None, 0):
                raise BuildError(f"wasi-sandbox: {name} returned {status}: {(out / 'start.log').read_text()}")

    snap = wasm_snapshot.snapshot(wasm.read_bytes(), start, _start(installed, out), START_EXPORTS)
    (out / SNAPSHOT).write_bytes(snap)
    shutil.rmtree(out / "runtime")


def build() -> Path:
    """The folder holding ``python-snapshot.wasm`` (and the reactor it was made from)."""
    return step().ensure(_build)
