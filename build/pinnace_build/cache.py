"""Content-keyed build steps.

Every expensive step (unpack the toolchain, build binaryen, build CPython, ...) produces a
directory ``<cache>/<name>-<key>`` where ``key`` hashes everything that determines its output:
pinned versions, source hashes, flags, and the keys of the steps it consumes.  A directory
counts as built only once its ``.complete`` marker exists; an interrupted build is wiped and
redone.  Steps build in place (not in a temporary directory) because toolchains embed their
absolute paths.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shlex
import shutil
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import progress
from .paths import cache_root

MARKER = ".complete"
_seen: set[Path] = set()  # the built steps that were found in the cache


def content_key(inputs: Any) -> str:
    """A short stable hash of JSON-able inputs."""
    blob = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(root: Path, pattern: str = "**/*") -> str:
    """Hash of the relative names and contents of the files under ``root``."""
    h = hashlib.sha256()
    for p in sorted(root.glob(pattern)):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Step:
    """One cached build step."""

    name: str
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return content_key({"step": self.name, **self.inputs})

    @property
    def path(self) -> Path:
        return cache_root() / f"{self.name}-{self.key}"

    def is_built(self) -> bool:
        return (self.path / MARKER).exists()

    def invalidate(self) -> None:
        """Forget the built output so that the next ensure() builds it again."""
        (self.path / MARKER).unlink(missing_ok=True)

    def ensure(self, build: Callable[[Path], object]) -> Path:
        """Return the step's directory, building it with ``build(path)`` if needed.

        Builds of the same step from several processes (two checkouts sharing one cache) are
        serialised by a lock file: the second waits and then finds the step built."""
        out = self.path
        if self.is_built():
            if out not in _seen:  # said once: some steps are asked for once per package
                _seen.add(out)
                progress.detail(f"{self.name}: cached in {out}")
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out.with_name(out.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.is_built():
                return out
            self._build(out, build)
        return out

    def _build(self, out: Path, build: Callable[[Path], object]) -> None:
        if out.exists():
            log(f"{self.name}: removing incomplete {out}")
            shutil.rmtree(out)
        out.mkdir(parents=True)
        with progress.step(self.name, f"building into {out}"):
            build(out)
            (out / MARKER).write_text(json.dumps(self.inputs, sort_keys=True, indent=1,
                                                 default=str))  # fmt: skip


def log(msg: str) -> None:
    """``[pinnace] msg`` on stderr, unless ``--quiet`` (see progress.py)."""
    progress.log(msg)


class BuildError(RuntimeError):
    pass


def run_logged(args: list[str], logfile: Path, **kw: Any) -> None:
    """Run a build command with its output appended to ``logfile`` (and shown with
    ``--verbose``); on failure, raise with the command, the log's path and its last lines
    (compilers are chatty; errors are not lost)."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    progress.command(args, kw.get("cwd"))
    with logfile.open("ab") as f:
        f.write(f"\n$ {shlex.join(map(str, args))}\n".encode())
        f.flush()
        if progress.level() == progress.VERBOSE:
            returncode = _tee(args, f, **kw)
        else:
            returncode = subprocess.run(args, stdout=f, stderr=subprocess.STDOUT, **kw).returncode
    if returncode != 0:
        raise BuildError(f"{args[0]} failed with exit code {returncode}; full log: {logfile}\n"
                         f"{log_tail(logfile)}")  # fmt: skip


def _tee(args: list[str], f: IO[bytes], **kw: Any) -> int:
    """Run ``args`` with its output written to ``f`` and shown line by line."""
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            f.write(line)
            progress.output(line.decode(errors="replace").rstrip("\r\n"))
    return proc.returncode


def log_tail(logfile: Path, lines: int = 40) -> str:
    return "\n".join(logfile.read_text(errors="replace").splitlines()[-lines:])


def download_to(url: str, dest: Path, timeout: float) -> str:
    """Download ``url`` into ``dest`` (a partial file is removed), reporting progress (see
    progress.py); return the sha256 of what was written."""
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, dest.open("wb") as f:
            length = resp.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            with progress.download(url, total) as advance:
                got = 0
                for chunk in iter(lambda: resp.read(1 << 16), b""):
                    h.update(chunk)
                    f.write(chunk)
                    got += len(chunk)
                    advance(len(chunk))
                if total is not None and got != total:  # http.client does not check it
                    raise ConnectionError(f"{url}: the connection closed after {got} of "
                                          f"{total} bytes")  # fmt: skip
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return h.hexdigest()
