"""Sandboxed Python: run Python code in CPython for WASI (``pinnace build cpython-wasi``) under
wasmtime, with nothing granted but what the call names (docs/host.md "Sandboxed Python").

    from pinnace_host import Limits, python
    done = python.run("import sys; print(sum(map(int, sys.argv[1:])))", args=["1", "2"],
                      limits=Limits(timeout=5))
    done.exit_code, done.stdout   # (0, b"3\\n")

What the code sees: the standard library (read-only), a private ``/tmp`` (writable, gone after
the run), the ``files`` it is given (read-only), the host folders ``dirs`` grants (read-only
unless ``Dir(path, writable=True)``), the environment ``env`` (nothing inherited), ``stdin``,
and the pure-Python ``packages`` named (wheels on ``sys.path``).  No network, no processes,
no threads.  An exception in the code is its traceback on ``stderr`` and exit code 1; the
limits raise ``OutOfFuel``, ``Timeout`` and ``MemoryLimitExceeded``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from ._errors import Exit, WasmError
from ._limits import Limits
from ._poll import clock_time_get, poll_oneoff_until
from ._source import ModuleBytes, read_source
from ._wasi import Completed, Dir, Wasi

SNAPSHOT = "python-snapshot.wasm"  # the interpreter started once (build/pinnace_build/wasi_sandbox.py)
GUEST_LIB = "/usr/local/lib"  # where python.wasm looks for its stdlib (its configure prefix)
GUEST_TMP = "/tmp"
GUEST_PACKAGES = "/packages"
RESERVED = (GUEST_LIB, GUEST_TMP, GUEST_PACKAGES)
# CPython for WASI sizes its C recursion limit (5000) for an 8 MiB wasm stack; that stack lives
# on the native stack of the thread running it, so each run gets a thread with room to spare.
WASM_STACK = 8 << 20
MAX_OUTPUT = 16 << 20  # bytes of each output stream a run keeps, by default
THREAD_STACK = 3 * WASM_STACK

HomeArg = str | os.PathLike[str] | None


def home(given: HomeArg = None) -> Path:
    """The folder holding ``python.wasm`` and ``lib/`` (``dist/wasi`` of a build): ``given``,
    else ``$PINNACE_WASI_PYTHON``, else the source tree's ``dist/wasi``."""
    candidates = [given, os.environ.get("PINNACE_WASI_PYTHON"), Path(__file__).resolve().parents[2] / "dist" / "wasi"]
    for folder in (Path(c) for c in candidates if c):
        if (folder / "python.wasm").is_file() and (folder / "lib").is_dir():
            return folder
        if given is not None:
            break
    where = given or os.environ.get("PINNACE_WASI_PYTHON") or candidates[2]
    raise FileNotFoundError(f"no CPython for WASI in {where} (python.wasm and lib/): "
                            "build it with `pinnace build cpython-wasi` or set PINNACE_WASI_PYTHON")  # fmt: skip


def _guest(path: str, what: str) -> PurePosixPath:
    p = PurePosixPath("/" + path.lstrip("/")) if path.startswith("/") else PurePosixPath(path)
    if not p.is_absolute() or ".." in p.parts or len(p.parts) < 2:
        raise ValueError(f"{what} {path!r}: expected an absolute guest path below /, without '..'")
    if any(p == PurePosixPath(r) or PurePosixPath(r) in p.parents for r in RESERVED if r != GUEST_TMP):
        raise ValueError(f"{what} {path!r}: {GUEST_LIB} and {GUEST_PACKAGES} are the sandbox's own")
    return p


def _lock_wheels(names: Iterable[str], index: Path) -> list[Path]:
    """The wheels of ``names`` and their dependencies in the lock at ``index``, pure-Python only."""
    lock_file = index / "pinnace-lock.json"
    if not lock_file.is_file():
        raise FileNotFoundError(f"packages by name need the lock {lock_file}")
    packages = json.loads(lock_file.read_text())["packages"]
    found: dict[str, Path] = {}
    todo = [n.lower().replace("_", "-") for n in names]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        entry = packages.get(name)
        if entry is None:
            raise ValueError(f"no package {name!r} in {lock_file}")
        if not entry["file_name"].endswith("-none-any.whl"):
            raise ValueError(f"{name} is compiled ({entry['file_name']}): the sandbox takes pure-Python wheels")
        found[name] = index / entry["file_name"]
        todo.extend(entry.get("depends", []))
    return list(found.values())


def _stage(root: Path, files: Mapping[str, bytes], dirs: Mapping[str, object],
           packages: Sequence[str | os.PathLike[str]], index: Path) -> tuple[dict[str, Dir], list[str]]:  # fmt: skip
    """Write ``files`` and the wheels under ``root``; the grants and the wheels' guest paths."""
    grants: dict[str, Dir] = {GUEST_TMP: Dir(root / "tmp", writable=True)}
    (root / "tmp").mkdir()
    for guest in dirs:
        if str(_guest(guest, "dirs")) == GUEST_TMP:
            raise ValueError(f"dirs {guest!r}: {GUEST_TMP} is the sandbox's own")
    for path, data in files.items():
        p = _guest(path, "files")
        if not isinstance(data, bytes | bytearray):
            raise TypeError(f"files[{path!r}] must be bytes, not {type(data).__name__}")
        if len(p.parts) < 3:
            raise ValueError(f"files {path!r}: put it in a folder (e.g. /data/{p.name}): a grant is a folder")
        top = "/" + p.parts[1]
        if any(top == g or g.startswith(top + "/") or top.startswith(g + "/") for g in dirs):
            raise ValueError(f"files {path!r}: inside a folder that dirs grants from the host")
        if top != GUEST_TMP:
            grants.setdefault(top, Dir(root / "files" / p.parts[1]))
        host = root / ("tmp" if top == GUEST_TMP else f"files/{p.parts[1]}") / Path(*p.parts[2:])
        host.parent.mkdir(parents=True, exist_ok=True)
        host.write_bytes(bytes(data))
    names = [p for p in packages if isinstance(p, str) and not p.endswith(".whl")]
    wheels = _lock_wheels(names, index) if names else []
    wheels += [Path(p) for p in packages if not (isinstance(p, str) and not p.endswith(".whl"))]
    on_path = []
    if wheels:
        (root / "packages").mkdir()
        grants[GUEST_PACKAGES] = Dir(root / "packages")
        for wheel in wheels:
            _place(wheel, root / "packages" / wheel.name)
            on_path.append(f"{GUEST_PACKAGES}/{wheel.name}")
    return grants, on_path


def _place(wheel: Path, dest: Path) -> None:
    """``wheel`` at ``dest`` inside the grant: a hard link (no bytes copied), or a copy where the
    folders are on different file systems.  Not a symlink: that would lead out of the grant."""
    try:
        os.link(wheel, dest)
    except OSError:
        shutil.copyfile(wheel, dest)


def run(
    code: str,
    *,
    args: Sequence[str] = (),
    stdin: bytes = b"",
    files: Mapping[str, bytes] | None = None,
    dirs: Mapping[str, str | os.PathLike[str] | Dir] | None = None,
    env: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    packages: Sequence[str | os.PathLike[str]] = (),
    python_home: HomeArg = None,
    cold: bool = False,
    max_output: int | None = MAX_OUTPUT,
) -> Completed:
    """Run ``code`` (as ``python -c``) in a fresh sandbox and return its exit code and output.

    ``args``: ``sys.argv[1:]``.  ``files``: ``{guest_path: bytes}``, read-only (under ``/tmp``:
    writable).  ``dirs``: host folders, ``{guest_path: host_path}`` read-only or
    ``{guest_path: Dir(host_path, writable=True)}``.  ``env``: the whole environment.
    ``packages``: names in the build's lock (pure-Python wheels, with their dependencies) or
    paths of local ``.whl`` files.  ``python_home``: the folder of ``python.wasm`` (see ``home``).
    ``cold``: start CPython for this run (``python.wasm``) instead of copying the interpreter
    started once (``python-snapshot.wasm``, used when the folder has it).  ``max_output``: bytes
    of stdout and of stderr kept (the rest is dropped, and a last line says so); None keeps all.
    """
    request = {"code": code, "script": None, "args": list(args)}
    return _sandbox(request, stdin, files or {}, dirs or {}, env or {}, limits, packages, python_home, cold,
                    max_output)  # fmt: skip


def run_file(
    path: str | os.PathLike[str],
    *,
    args: Sequence[str] = (),
    stdin: bytes = b"",
    files: Mapping[str, bytes] | None = None,
    dirs: Mapping[str, str | os.PathLike[str] | Dir] | None = None,
    env: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    packages: Sequence[str | os.PathLike[str]] = (),
    python_home: HomeArg = None,
    cold: bool = False,
    max_output: int | None = MAX_OUTPUT,
) -> Completed:
    """``run`` for a script on the host (``python FILE``): a read-only copy of it is the
    sandbox's ``/main/<name>``, its tracebacks name that file."""
    script = Path(path)
    guest = f"/main/{script.name}"
    given = {**(files or {}), guest: script.read_bytes()}
    request = {"code": None, "script": guest, "args": list(args)}
    return _sandbox(request, stdin, given, dirs or {}, env or {}, limits, packages, python_home, cold, max_output)


def _sandbox(request: dict[str, Any], stdin: bytes, files: Mapping[str, bytes],
             dirs: Mapping[str, str | os.PathLike[str] | Dir], env: Mapping[str, str], limits: Limits | None,
             packages: Sequence[str | os.PathLike[str]], python_home: HomeArg, cold: bool,
             max_output: int | None) -> Completed:  # fmt: skip
    py = home(python_home)
    for key, value in env.items():
        if not key or "=" in key or "\0" in key or "\0" in value:
            raise ValueError(f"env {key!r}: a name without '=' or NUL, and a value without NUL")
    warm = None if cold else _module_bytes(py / SNAPSHOT)
    with tempfile.TemporaryDirectory(prefix="pinnace-sandbox-") as tmp:
        grants, on_path = _stage(Path(tmp), files, dirs, packages, py.parent)
        for guest, spec in dirs.items():
            grants[str(_guest(guest, "dirs"))] = spec if isinstance(spec, Dir) else Dir(spec)
        grants[GUEST_LIB] = Dir(py / "lib")
        environment = {"PYTHONDONTWRITEBYTECODE": "1", **env}
        if on_path:
            environment["PYTHONPATH"] = ":".join([*on_path, *filter(None, [environment.get("PYTHONPATH")])])
        if warm is not None:  # the started interpreter: the runner applies argv, env and path
            given = [p for p in env.get("PYTHONPATH", "").split(":") if p]
            request = {**request, "env": environment, "path": [*on_path, *given]}
            wasi = Wasi(env=environment, stdin=stdin, dirs=grants, max_output=max_output)
            payload = json.dumps(request).encode()
            return _on_big_stack(lambda: _execute(warm, wasi, limits or Limits(), payload))
        program = ["-c", request["code"]] if request["code"] is not None else [request["script"]]
        wasi = Wasi(args=(*program, *request["args"]), env=environment, stdin=stdin, dirs=grants,
                    max_output=max_output)  # fmt: skip
        cold_module = _module_bytes(py / "python.wasm")
        assert cold_module is not None  # home() found it
        return _on_big_stack(lambda: _execute(cold_module, wasi, limits or Limits(), None))


def _module_bytes(path: Path) -> ModuleBytes | None:
    """The module at ``path`` (None if there is none), read once while the file is unchanged."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    found = _modules.get(key)
    if found is None:
        found = read_source(path)
        for stale in [k for k in list(_modules) if k[0] == key[0]]:  # an older copy of this file
            _modules.pop(stale, None)
        _modules[key] = found
    return found


_modules: dict[tuple[str, int, int], ModuleBytes] = {}


def _execute(module: ModuleBytes, wasi: Wasi, limits: Limits, request: bytes | None) -> Completed:
    """Run ``module``: its ``_start`` (a cold start), or ``pinnace_run(request)`` in a copy of the
    started interpreter.  A limit or a trap leaves with what the program had printed
    (``error.stdout``, ``error.stderr``)."""
    from ._backends.wasmtime import WasmtimeInstance

    deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
    waits = {"poll_oneoff": poll_oneoff_until(deadline, limits.timeout), "clock_time_get": clock_time_get}
    imports = {"wasi_snapshot_preview1": waits}
    instance = WasmtimeInstance(module, wasi=wasi, limits=limits, imports=imports, cache=True, stack=WASM_STACK)
    try:
        if request is None:
            instance.export("_start").invoke((), None, None)
            code = 0
        else:
            code = int(instance.export("pinnace_run").invoke((request,), None, None))
    except Exit as exit:  # sys.exit in a cold start; os._exit, or CPython ending the process
        code = exit.exit_code
    except WasmError as error:
        error.stdout, error.stderr = instance.stdout, instance.stderr
        raise
    finally:
        instance.close()
    return Completed(code, instance.stdout, instance.stderr)


def _on_big_stack(work: Callable[[], Completed]) -> Completed:
    """``work()`` on a thread whose native stack holds the interpreter's wasm stack."""
    outcome: list[Completed | BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as e:  # re-raised in the caller's thread
            outcome.append(e)

    with _stack_size_lock:
        previous = threading.stack_size(THREAD_STACK)
        try:
            thread = threading.Thread(target=target, name="pinnace-python-sandbox")
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0].with_traceback(None)
    return outcome[0]


_stack_size_lock = threading.Lock()
