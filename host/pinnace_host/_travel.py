"""Modules that travel (docs/host.md#modules-that-travel): a ``Module`` pickles as where its
code comes from and how it was loaded, never as its running state.

A module loaded from a file pickles as the file's absolute path and the sha256 of its code (the
file must be there, unchanged, where it is unpickled: a shared folder, the same machine); one
loaded from bytes or WAT text pickles with its wasm bytes.  The backend, WASI grant, limits,
imports (by reference, as pickle sends functions) and cache setting go along.  Unpickling loads
a fresh instance, its compiled code from the process's or the disk cache when there: a pool of
worker processes compiles a module once per machine, not once per task.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import InvalidModule
from ._limits import Limits
from ._source import ModuleBytes, Source, looks_like_wat, read_source
from ._wasi import Dir, Wasi

if TYPE_CHECKING:
    from ._module import Module


@dataclass(frozen=True)
class Origin:
    """How a Module was loaded: enough to load the same module again in another process."""

    digest: str | None  # sha256 of the file's wasm, checked where it is unpickled (None: bytes)
    name: str
    path: str | None  # the file it was read from, or None (then wasm holds the bytes)
    wasm: bytes | None
    backend: str
    wasi: Wasi | None
    limits: Limits
    imports: Mapping[str, Mapping[str, Any]]
    cache: bool | str


def digest(wasm: bytes) -> str:
    return hashlib.sha256(wasm).hexdigest()


def origin_of(source: Source, module: ModuleBytes, backend: str, wasi: Wasi | None, limits: Limits,
              imports: Mapping[str, Mapping[str, Any]], cache: bool | Path) -> Origin:  # fmt: skip
    from_file = isinstance(source, os.PathLike) or (isinstance(source, str) and not looks_like_wat(source))
    path = str(Path(source).resolve()) if from_file else None  # type: ignore[arg-type]
    if wasi is not None and wasi.dirs:  # relative folders mean the same wherever it is unpickled
        dirs = {guest: Dir(Path(d.path).resolve(), d.writable) if isinstance(d, Dir) else str(Path(d).resolve())
                for guest, d in wasi.dirs.items()}  # fmt: skip
        wasi = dataclasses.replace(wasi, dirs=dirs)
    where = cache if isinstance(cache, bool) else str(Path(cache).resolve())
    # the digest only for a file (bytes travel as themselves): loading pays no hash otherwise
    return Origin(digest(module.wasm) if path else None, module.name, path, None if path else module.wasm,
                  backend, wasi, limits, dict(imports), where)  # fmt: skip


def source_of(origin: Origin) -> ModuleBytes:
    """The module's code where it is unpickled: the bytes it carried, or its file (checked)."""
    if origin.path is None:
        assert origin.wasm is not None
        return ModuleBytes(origin.wasm, origin.name)
    try:
        module = read_source(origin.path)
    except OSError as exc:
        raise InvalidModule(
            f"the pickled module's file {origin.path} cannot be read here ({exc.strerror or exc}); "
            "a module loaded from bytes carries its code when pickled"
        ) from None
    now = digest(module.wasm)
    if now != origin.digest:
        raise InvalidModule(f"the pickled module's file {origin.path} has changed since it was loaded "
                            f"(sha256 {str(origin.digest)[:12]}… then, {now[:12]}… now)")  # fmt: skip
    return module


def restore(origin: Origin) -> Module:
    """Unpickling a Module: load it again, as it was loaded."""
    from ._api import instantiate

    return instantiate(origin, source_of(origin))
