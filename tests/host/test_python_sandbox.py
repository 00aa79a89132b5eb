"""pinnace_host.python.run: Python code in a fresh sandbox (CPython for WASI under wasmtime),
granted nothing but what the call names; limits stop it; its errors are its own output."""

from __future__ import annotations

import concurrent.futures
import functools
import multiprocessing
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pinnace_build import cli as build_cli
from pinnace_host import Completed, Dir, Limits, MemoryLimitExceeded, OutOfFuel, Timeout, python


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox-compile-cache")


@pytest.fixture(autouse=True)
def compile_cache(shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Instead of tests/host's empty compile cache per test: every test here runs the same two
    modules (CPython for WASI and its snapshot), compiled once for this file."""
    monkeypatch.setenv("PINNACE_CACHE", str(shared_cache))
    return shared_cache / "host-modules"


@pytest.fixture(scope="module")
def home() -> Path:
    """dist/wasi: made by `make dist` (`pinnace build cpython-wasi`, cached), where run() finds it."""
    assert build_cli.main(["build", "cpython-wasi"]) == 0
    found = python.home()
    assert (found / python.SNAPSHOT).is_file()
    return found


def ok(done: Completed) -> str:
    assert (done.exit_code, done.stderr) == (0, b""), done.stderr
    assert done.stdout is not None
    return done.stdout.decode()


def test_output_args_stdin_and_the_stdlib(home: Path) -> None:
    code = ("import sys, json, re, decimal\n"
            "data = json.loads(sys.stdin.read())\n"
            "print(sys.platform, sys.argv[1:], re.sub('a', 'b', data['s']), decimal.Decimal('1.1') * 3)")  # fmt: skip
    assert ok(python.run(code, args=["x", "y"], stdin=b'{"s": "banana"}')) == "wasi ['x', 'y'] bbnbnb 3.3\n"


def test_an_exception_is_its_traceback_and_exit_code_1(home: Path) -> None:
    done = python.run("def f():\n    1 / 0\nf()")
    assert done.exit_code == 1 and done.stdout == b""
    assert done.stderr is not None
    err = done.stderr.decode()
    assert err.startswith("Traceback (most recent call last):") and err.endswith("ZeroDivisionError: division by zero\n")
    assert 'File "<string>", line 2, in f' in err


def test_sys_exit_and_deep_recursion_are_the_codes_own(home: Path) -> None:
    assert python.run("import sys; sys.exit(3)").exit_code == 3
    deep = python.run('import json; json.loads("[" * 100000 + "]" * 100000)')
    assert deep.exit_code == 1 and deep.stderr is not None and b"RecursionError" in deep.stderr


def test_nothing_is_inherited_or_reachable(home: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host file")
    code = ("import os, socket\n"
            "print(sorted(k for k in os.environ if not k.startswith('PYTHON')))\n"
            f"for p in ['/etc/passwd', {str(secret)!r}]:\n"
            "    try: open(p)\n"
            "    except OSError as e: print(type(e).__name__)\n"
            "try: socket.create_connection(('127.0.0.1', 9))\n"
            "except Exception as e: print('socket', type(e).__name__)")  # WASI has no network: fails one way or another  # fmt: skip
    out = ok(python.run(code, env={"ONLY": "1"})).splitlines()
    assert out[0] == "['ONLY']"
    assert out[1:3] == ["FileNotFoundError", "FileNotFoundError"]
    assert out[3].startswith("socket ")


def test_granted_folders_and_files(home: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "in.txt").write_text("granted")
    outside = tmp_path / "outside.txt"
    outside.write_text("not granted")
    (shared / "link").symlink_to(outside)  # a symlink out of the grant
    code = ("def attempt(what, f):\n"
            "    try: print(what, f())\n"
            "    except OSError as e: print(what, type(e).__name__)\n"
            "attempt('read', lambda: open('/data/in.txt').read())\n"
            "attempt('dotdot', lambda: open('/data/../data/../outside.txt').read())\n"
            "attempt('symlink', lambda: open('/data/link').read())\n"
            "attempt('write', lambda: open('/data/new.txt', 'w'))\n"
            "attempt('file', lambda: open('/inputs/a/b.csv').read())\n"
            "attempt('file-write', lambda: open('/inputs/c.txt', 'w'))\n"
            "attempt('tmp', lambda: open('/tmp/scratch', 'w').write('x'))")  # fmt: skip
    out = ok(python.run(code, dirs={"/data": shared}, files={"/inputs/a/b.csv": b"1,2"})).splitlines()
    assert out == ["read granted", "dotdot PermissionError", "symlink PermissionError", "write PermissionError",
                   "file 1,2", "file-write PermissionError", "tmp 1"]  # fmt: skip
    assert not (shared / "new.txt").exists()
    written = ok(python.run("open('/out/r.txt', 'w').write('done')", dirs={"/out": Dir(shared, writable=True)}))
    assert written == "" and (shared / "r.txt").read_text() == "done"


def test_limits_stop_it(home: Path) -> None:
    with pytest.raises(Timeout):
        python.run("while True: pass", limits=Limits(timeout=0.5))
    with pytest.raises(OutOfFuel):
        python.run("while True: pass", limits=Limits(fuel=50_000_000))
    grown = python.run("x = bytearray(200 * 2**20)", limits=Limits(memory=64 * 2**20))
    assert grown.exit_code == 1 and grown.stderr is not None and grown.stderr.endswith(b"MemoryError\n")
    with pytest.raises(MemoryLimitExceeded):  # too little to start CPython at all
        python.run("pass", limits=Limits(memory=4 * 2**20))


def test_packages_from_the_lock_and_a_local_wheel(home: Path, tmp_path: Path) -> None:
    wheel = tmp_path / "greet-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("greet.py", "def hello(who):\n    return f'hello {who}'\n")
    out = ok(python.run("import six, greet; print(six.PY3, greet.hello('sandbox'))", packages=["six", wheel]))
    assert out == "True hello sandbox\n"
    with pytest.raises(ValueError, match="compiled"):
        python.run("import numpy", packages=["numpy"])
    assert b"ModuleNotFoundError" in (python.run("import six").stderr or b"")  # only when asked for


def test_bad_arguments_are_clear(home: Path) -> None:
    with pytest.raises(ValueError, match="absolute"):
        python.run("pass", files={"rel.txt": b""})
    with pytest.raises(ValueError, match="sandbox's own"):
        python.run("pass", dirs={"/usr/local/lib": "/tmp"})
    with pytest.raises(FileNotFoundError, match="cpython-wasi"):
        python.run("pass", python_home="/nonexistent")


def test_many_runs_in_a_row_do_not_leak(home: Path) -> None:
    python.run("pass")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(60):
        assert ok(python.run(f"print({i} * 2)")) == f"{i * 2}\n"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 150, f"peak RSS grew {grown_mb:.0f} MB over 60 runs"


def cli(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pinnace_host", "python", *argv], input=stdin,
                          capture_output=True, timeout=120)  # fmt: skip


def test_the_command_line(home: Path, tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text("import sys\nprint(sys.argv, sys.stdin.read().upper(), open('/in/data.txt').read())\n"
                      "sys.exit(4)\n")  # fmt: skip
    (tmp_path / "data.txt").write_text("granted")
    done = cli(str(script), "a", "--dir", f"/in={tmp_path}", stdin=b"piped")
    assert (done.returncode, done.stdout) == (4, b"['/main/job.py', 'a'] PIPED granted\n"), done.stderr
    failed = cli("-c", "import six; print(six.PY3); 1/0", "--package", "six")
    assert failed.returncode == 1 and failed.stdout == b"True\n"
    assert failed.stderr.endswith(b"ZeroDivisionError: division by zero\n")
    stopped = cli("-c", "while True: pass", "--timeout", "0.5")
    assert stopped.returncode == 1 and b"Timeout" in stopped.stderr


PROGRAMS = {
    "output": ("import sys, os; print(sys.argv, sorted(os.environ), sys.path[0] == '')", {}),
    "traceback": ("def f(x):\n    return 1 / x\nf(0)", {}),
    "exit message": ("import sys; sys.exit('bye')", {}),
    "syntax": ("1 +", {}),
    "stdin and files": ("import sys; print(sys.stdin.read(), open('/in/a.txt').read())",
                        {"stdin": b"piped", "files": {"/in/a.txt": b"file"}}),
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_started_interpreter_gives_what_a_cold_start_gives(home: Path, name: str) -> None:
    code, given = PROGRAMS[name]
    warm = python.run(code, args=["a"], env={"E": "1"}, **given)  # type: ignore[arg-type]
    cold = python.run(code, args=["a"], env={"E": "1"}, cold=True, **given)  # type: ignore[arg-type]
    assert warm == cold


def test_scripts_the_same_warm_and_cold(home: Path, tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text("import sys\nprint(__file__, sys.argv, sys.path[0])\nraise ValueError('x')\n")
    warm, cold = python.run_file(script, args=["1"]), python.run_file(script, args=["1"], cold=True)
    assert warm == cold and warm.exit_code == 1
    assert warm.stdout == b"/main/job.py ['/main/job.py', '1'] /main\n"


def test_copies_share_nothing(home: Path) -> None:
    first = ok(python.run("import random; open('/tmp/mark', 'w').write('x'); print(random.random())"))
    second = ok(python.run("import os, random; print(os.path.exists('/tmp/mark'), random.random())"))
    assert second.split()[0] == "False" and second.split()[1] != first.strip()


def test_runs_in_worker_processes_with_their_limits(home: Path) -> None:
    """python.run is a plain function of picklable values: a process pool fans it out, and a
    limit stops the code in the worker and arrives here as its exception."""
    limits = Limits(timeout=2.0)
    codes = [f"print({n} ** 2)" for n in range(6)]
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as pool:
        done = list(pool.map(functools.partial(python.run, limits=limits), codes))
        assert [d.stdout for d in done] == [f"{n ** 2}\n".encode() for n in range(6)]
        with pytest.raises(Timeout):
            pool.submit(python.run, "while True: pass", limits=Limits(timeout=0.5)).result()


@pytest.mark.parametrize("cold", [False, True])
def test_a_timeout_ends_a_sleep_too(home: Path, cold: bool) -> None:
    """A guest waiting (time.sleep, select) waits in the host: the timeout still ends it, and the
    output printed until then comes with the exception."""
    with pytest.raises(Timeout) as stopped:
        python.run("print('before', flush=True)\nimport time\ntime.sleep(10**6)", limits=Limits(timeout=0.5), cold=cold)
    assert stopped.value.stdout == b"before\n"
    slept = ok(python.run("import time\nt = time.monotonic()\ntime.sleep(0.2)\nprint(time.monotonic() - t >= 0.2)",
                          limits=Limits(timeout=5), cold=cold))  # fmt: skip
    assert slept == "True\n"  # a sleep shorter than the limit sleeps its whole time


def test_output_is_capped(home: Path) -> None:
    done = python.run("import sys\nfor _ in range(100): sys.stdout.write('x' * 10000)", max_output=50_000)
    assert done.stdout is not None and done.stdout.startswith(b"x" * 50_000)
    assert done.stdout.endswith(b"\n[output truncated: more than 50000 bytes]\n") and len(done.stdout) < 50_100


def test_the_end_of_a_program_is_cpythons(home: Path, tmp_path: Path) -> None:
    """atexit runs, unclosed files are flushed, __builtins__ is the module, PYTHONPATH counts:
    the same warm and cold."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "helper.py").write_text("VALUE = 7\n")
    code = ("import atexit, helper, io, sys\n"
            "atexit.register(print, 'bye')\n"
            "f = open('/out/data.txt', 'w'); f.write('kept')\n"
            "print(__builtins__.len('abc'), helper.VALUE)")  # fmt: skip
    for cold in (False, True):
        out = tmp_path / f"out-{cold}"
        out.mkdir()
        done = python.run(code, dirs={"/out": Dir(out, writable=True), "/lib": lib}, env={"PYTHONPATH": "/lib"},
                          cold=cold)  # fmt: skip
        assert ok(done) == "3 7\nbye\n"
        assert (out / "data.txt").read_text() == "kept"
    assert python.run("raise KeyboardInterrupt").exit_code == 130
    assert python.run("import sys; sys.exit(2**100)").exit_code == 1


def test_more_bad_arguments(home: Path) -> None:
    with pytest.raises(ValueError, match="put it in a folder"):
        python.run("pass", files={"/x.txt": b"hi"})
    with pytest.raises(ValueError, match="sandbox's own"):
        python.run("pass", dirs={"//usr/local/lib": "/tmp"})
    with pytest.raises(ValueError, match="env"):
        python.run("pass", env={"A=B": "1"})


def test_a_home_without_a_lock_runs_code_without_packages(home: Path, tmp_path: Path) -> None:
    """python_home may be any folder with python.wasm and lib/ (e.g. the build's cache folder):
    the lock is read only when packages are asked for by name."""
    copy = tmp_path / "wasi"
    copy.mkdir()
    (copy / "python.wasm").symlink_to(home / "python.wasm")
    (copy / "lib").symlink_to(home / "lib")
    assert ok(python.run("print('no lock needed')", python_home=copy)) == "no lock needed\n"
    with pytest.raises(FileNotFoundError, match="need the lock"):
        python.run("pass", python_home=copy, packages=["six"])
