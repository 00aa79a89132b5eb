"""What `pinnace` prints while it works (build/pinnace_build/progress.py): plain `[pinnace]` lines
when stderr is not a terminal, progress bars in a terminal (a real pty), --quiet and --verbose,
and downloads from a local HTTP server (start and done lines with the size, a wrong sha256, a
connection cut mid-download).  Every run is a real process; every cache is a temporary one."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import BUILD
from support.servers import FaultyHandler, faulty_handler

SIZE = 3_500_000  # shown as "3.5 MB"
BAR = "\u2501"  # the glyph rich draws progress bars with
ESC = "\x1b"

DOWNLOAD = """\
import sys
from pathlib import Path
from pinnace_build.packages import download_verified
download_verified(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
"""

STEP = """\
import sys
from pinnace_build import progress
from pinnace_build.cache import Step, run_logged
progress.configure(sys.argv[1])
script = "echo compiling demo.c; echo 'demo.c:1: error: boom' >&2; exit " + sys.argv[2]
Step("demo", {"v": 1}).ensure(lambda out: run_logged(["sh", "-c", script], out / "build.log"))
"""


def environ(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PINNACE_PROGRESS", "FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")}  # fmt: skip
    return {**env, "PYTHONPATH": str(BUILD), "PINNACE_CACHE": str(cache), "TERM": "xterm",
            "PINNACE_SERVE_QUIET": "1", **extra}  # fmt: skip


def piped(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip


def in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run with stdout and stderr on a pty (100 columns); its exit code and what it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, env=env)  # fmt: skip
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 120
    try:
        while select.select([master], [], [], max(0.0, deadline - time.monotonic()))[0]:
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: the process closed the terminal
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
    return proc.wait(timeout=30), out.decode(errors="replace")


def step_dir(cache: Path, name: str = "demo") -> Path:
    (found,) = [p for p in cache.glob(f"{name}-*") if p.is_dir()]
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, type[FaultyHandler]]]:
    """A SIZE-byte file served on 127.0.0.1: its URL, its sha256, the server's handler."""
    root = tmp_path / "www"
    root.mkdir()
    data = os.urandom(SIZE)
    (root / "blob.tar.gz").write_bytes(data)
    handler = faulty_handler()
    srv = StaticServer(root)
    srv.httpd.RequestHandlerClass = functools.partial(handler, directory=str(root))
    srv.start()
    try:
        yield srv.url + "blob.tar.gz", hashlib.sha256(data).hexdigest(), handler
    finally:
        srv.stop()


def test_a_download_prints_a_start_and_a_done_line_with_its_size(
    served: tuple[str, str, type[FaultyHandler]], tmp_path: Path
) -> None:
    url, sha, _ = served
    dest = tmp_path / "blob.tar.gz"
    res = piped(["-c", DOWNLOAD, url, sha, str(dest)], environ(tmp_path / "cache"))
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    assert lines[0] == f"[pinnace] downloading {url} (3.5 MB)"
    assert re.fullmatch(r"\[pinnace\] downloaded blob\.tar\.gz: 3\.5 MB in [\d.]+s, [\d.]+ [kMG]?B/s",
                        lines[1]), lines  # fmt: skip
    assert len(lines) == 2
    assert ESC not in res.stderr and "\r" not in res.stderr and BAR not in res.stderr
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == sha


def test_a_wrong_sha256_is_a_clear_error(
    served: tuple[str, str, type[FaultyHandler]], tmp_path: Path
) -> None:
    url, sha, _ = served
    dest = tmp_path / "blob.tar.gz"
    res = piped(["-c", DOWNLOAD, url, "0" * 64, str(dest)], environ(tmp_path / "cache"))
    assert res.returncode == 1
    assert f"BuildError: {url}: sha256 {sha} does not match the recipe's {'0' * 64}" in res.stderr
    assert not dest.exists() and not dest.with_name(dest.name + ".part").exists()


def test_a_download_cut_short_fails_and_says_how_far_it_got(
    served: tuple[str, str, type[FaultyHandler]], tmp_path: Path
) -> None:
    url, sha, handler = served
    handler.cut.append("blob.tar.gz")  # headers and half the body, then the connection closes
    dest = tmp_path / "blob.tar.gz"
    res = piped(["-c", DOWNLOAD, url, sha, str(dest)], environ(tmp_path / "cache"))
    assert res.returncode == 1
    assert re.search(rf"\[pinnace\] download of {re.escape(url)} failed after [\d.]+s "
                     r"\(1\.8 MB of 3\.5 MB\)\n", res.stderr), res.stderr  # fmt: skip
    assert f"ConnectionError: {url}: the connection closed after 1750000 of 3500000 bytes" in res.stderr
    assert not dest.exists() and not dest.with_name(dest.name + ".part").exists()


def test_a_step_prints_a_start_and_a_finish_line(tmp_path: Path) -> None:
    res = piped(["-c", STEP, "normal", "0"], environ(tmp_path))
    assert res.returncode == 0, res.stderr
    out = step_dir(tmp_path)
    assert re.fullmatch(rf"\[pinnace\] demo: building into {re.escape(str(out))}\n"
                        r"\[pinnace\] demo: done in [\d.]+s\n", res.stderr), res.stderr  # fmt: skip
    assert "compiling demo.c" in (out / "build.log").read_text()  # the command's output: its log


def test_verbose_shows_the_commands_and_their_output(tmp_path: Path) -> None:
    res = piped(["-c", STEP, "verbose", "0"], environ(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "[pinnace] $ sh -c 'echo compiling demo.c;" in res.stderr
    assert "\ncompiling demo.c\ndemo.c:1: error: boom\n" in res.stderr
    assert ESC not in res.stderr


def test_quiet_shows_a_failed_step_with_the_compiler_output(tmp_path: Path) -> None:
    res = piped(["-c", STEP, "quiet", "3"], environ(tmp_path))
    assert res.returncode == 1
    assert res.stderr.startswith("[pinnace] demo: failed after "), res.stderr
    assert "building into" not in res.stderr
    assert "BuildError: sh failed with exit code 3; full log:" in res.stderr
    assert "compiling demo.c\ndemo.c:1: error: boom" in res.stderr  # the log's tail
    assert not (step_dir(tmp_path) / ".complete").exists()


@pytest.fixture
def cached_toolchain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache in which the toolchain's steps count as built (their markers, nothing else):
    `pinnace toolchain install` has nothing to do."""
    from pinnace_build import toolchain
    from pinnace_build.cache import MARKER

    if toolchain.llvm_version() is None:
        pytest.fail("LLVM is missing: run `bash build/setup-host.sh`")
    monkeypatch.setenv("PINNACE_CACHE", str(tmp_path))
    for step in (toolchain.emscripten_step(), toolchain.binaryen_step(), toolchain.emsdk_step()):
        step.path.mkdir(parents=True)
        (step.path / MARKER).write_text("{}")
    return tmp_path


def test_quiet_prints_nothing_for_a_command_with_nothing_to_do(cached_toolchain: Path) -> None:
    env = environ(cached_toolchain)
    cli = ["-m", "pinnace_build.cli"]
    normal = piped([*cli, "toolchain", "install"], env)
    assert normal.returncode == 0, normal.stderr
    emsdk = step_dir(cached_toolchain, "emsdk")
    assert normal.stderr == f"[pinnace] toolchain ready: EM_CONFIG={emsdk}/emscripten.config\n"
    for args in (["--quiet", "toolchain", "install"], ["toolchain", "install", "-q"]):
        quiet = piped([*cli, *args], env)
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", ""), args
    verbose = piped([*cli, "-v", "toolchain", "install"], env)
    for name in ("emscripten", "binaryen", "emsdk"):
        assert f"[pinnace] {name}: cached in {cached_toolchain}/{name}-" in verbose.stderr
    assert verbose.stderr.endswith(normal.stderr)


def test_a_terminal_shows_progress_bars(
    served: tuple[str, str, type[FaultyHandler]], tmp_path: Path
) -> None:
    url, sha, _ = served
    code = DOWNLOAD + STEP.replace("import sys\n", "sys.argv[1:] = ['normal', '0']\n", 1)
    rc, out = in_terminal(["-c", code, url, sha, str(tmp_path / "blob.tar.gz")],
                          environ(tmp_path / "cache"))  # fmt: skip
    assert rc == 0, out
    assert ESC + "[" in out and BAR in out
    assert re.search(r"blob\.tar\.gz.*/3\.5 MB", out), out  # the download's row: bytes of total
    assert re.search(r"demo\S* \S*0:00:\d\d", out), out  # the step's row: its elapsed time
    assert "[pinnace] " in out and "downloaded blob.tar.gz: 3.5 MB in" in out  # lines stay


def test_PINNACE_PROGRESS_chooses_the_mode(
    served: tuple[str, str, type[FaultyHandler]], tmp_path: Path
) -> None:
    url, sha, _ = served
    args = ["-c", DOWNLOAD, url, sha, str(tmp_path / "blob.tar.gz")]
    bars = piped(args, environ(tmp_path / "cache", PINNACE_PROGRESS="bars"))
    assert bars.returncode == 0 and BAR in bars.stderr and ESC in bars.stderr
    rc, plain = in_terminal(args, environ(tmp_path / "cache", PINNACE_PROGRESS="plain"))
    assert rc == 0 and plain.startswith(f"[pinnace] downloading {url} (3.5 MB)\r\n"), plain
    assert ESC not in plain and BAR not in plain
    bad = piped(["-m", "pinnace_build.cli", "toolchain", "env"],
                environ(tmp_path / "cache", PINNACE_PROGRESS="fancy"))  # fmt: skip
    assert bad.returncode == 2
    assert "PINNACE_PROGRESS='fancy': expected one of auto, bars, plain" in bad.stderr
