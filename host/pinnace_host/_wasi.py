"""Backend-neutral WASI configuration (``Wasi``, ``Dir``) and the result of a command run."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Dir:
    """A host directory granted to the guest; read-only unless ``writable=True``."""

    path: str | os.PathLike[str]
    writable: bool = False


@dataclass(frozen=True)
class Wasi:
    """What a WASI module may see. Nothing is granted unless listed here.

    - ``args``: the arguments after the program name (argv[0] is the module's file name).
    - ``env``: the whole environment (the host's is never inherited).
    - ``stdin``: the bytes the guest reads from standard input (empty by default).
    - ``dirs``: ``{guest_path: host_path}`` (read-only) or ``{guest_path: Dir(path, writable=True)}``.
    - ``capture_output``: collect stdout/stderr as bytes (``True``) or pass them through to this
      process's stdout/stderr (``False``).
    - ``max_output``: bytes of each captured stream kept (None: all); the rest is dropped and a
      line at the end says so, so a module printing without end cannot fill the host's memory.
    """

    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: bytes = b""
    dirs: Mapping[str, str | os.PathLike[str] | Dir] = field(default_factory=dict)
    capture_output: bool = True
    max_output: int | None = None

    def grants(self) -> list[tuple[str, Path, bool]]:
        """``(guest_path, host_path, writable)`` for each granted directory; checks they exist."""
        out = []
        for guest, spec in self.dirs.items():
            grant = spec if isinstance(spec, Dir) else Dir(spec)
            host = Path(grant.path).resolve()
            if not host.is_dir():
                raise NotADirectoryError(f"Wasi dirs[{guest!r}]: {host} is not a directory")
            if not guest.startswith("/"):
                raise ValueError(f"Wasi dirs: guest path {guest!r} must be absolute")
            out.append((guest, host, grant.writable))
        return out


@dataclass(frozen=True)
class Completed:
    """The result of ``pinnace_host.run``: the exit code and, when captured, the output."""

    exit_code: int
    stdout: bytes | None
    stderr: bytes | None
