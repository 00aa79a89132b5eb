"""Where compiled modules are kept: ``${PINNACE_CACHE:-~/.cache/pinnace}/host-modules/``.

Entries are keyed by the sha256 of the module bytes, the engine's name and version, and the
engine configuration, so a changed module, engine or config never reuses a stale entry.
``stats`` counts what happened in this process (observable by tests and users).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from pathlib import Path

stats: Counter[str] = Counter()  # "memory_hit", "disk_hit", "miss", "store", "corrupt"


def cache_root() -> Path:
    base = os.environ.get("PINNACE_CACHE") or os.path.join(Path.home(), ".cache", "pinnace")
    return Path(base) / "host-modules"


# The digests of the last few module byte strings, by identity (each entry holds its bytes, so
# an id is never reused while it is here): loading the same ModuleBytes again (pinnace_host.python
# runs one module many times) does not hash megabytes again.
_digests: dict[int, tuple[bytes, str]] = {}
DIGESTS_KEPT = 8


def _wasm_digest(wasm: bytes) -> str:
    held = _digests.get(id(wasm))
    if held is not None and held[0] is wasm:
        return held[1]
    digest = hashlib.sha256(wasm).hexdigest()
    if type(wasm) is not bytes:  # only immutable bytes may be known by identity
        return digest
    if len(_digests) >= DIGESTS_KEPT:
        for oldest in list(_digests)[:1]:
            _digests.pop(oldest, None)  # another thread may have taken it
    _digests[id(wasm)] = (wasm, digest)
    return digest


def cache_key(wasm: bytes, engine: str, config: str) -> str:
    digest = hashlib.sha256()
    for part in (engine.encode(), b"\0", config.encode(), b"\0", _wasm_digest(wasm).encode()):
        digest.update(part)
    return digest.hexdigest()


class DiskCache:
    """Compiled artifacts as ``<key>.<suffix>`` files in one directory, written atomically."""

    def __init__(self, directory: Path, suffix: str) -> None:
        self.directory = directory
        self.suffix = suffix

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.{self.suffix}"

    def lookup(self, key: str) -> Path | None:
        path = self.path(key)
        return path if path.is_file() else None

    def store(self, key: str, data: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=f".{self.suffix}")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.path(key))
        except BaseException:
            os.unlink(tmp)
            raise
        stats["store"] += 1
        return self.path(key)

    def discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
