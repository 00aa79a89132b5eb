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
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import cache_root

MARKER = ".complete"


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
        log(f"{self.name}: building into {out}")
        start = time.monotonic()
        build(out)
        (out / MARKER).write_text(json.dumps(self.inputs, sort_keys=True, indent=1, default=str))
        log(f"{self.name}: done in {time.monotonic() - start:.0f}s")


def log(msg: str) -> None:
    print(f"[pinnace] {msg}", file=sys.stderr, flush=True)


class BuildError(RuntimeError):
    pass


def run_logged(args: list[str], logfile: Path, **kw: Any) -> None:
    """Run a build command with its output appended to ``logfile``; on failure, raise with
    the command, the log's path and its last lines (compilers are chatty; errors are not lost)."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with logfile.open("a") as f:
        f.write(f"\n$ {' '.join(map(str, args))}\n")
        f.flush()
        res = subprocess.run(args, stdout=f, stderr=subprocess.STDOUT, **kw)
    if res.returncode != 0:
        tail = "\n".join(logfile.read_text(errors="replace").splitlines()[-40:])
        raise BuildError(
            f"{args[0]} failed with exit code {res.returncode}; full log: {logfile}\n{tail}"
        )
