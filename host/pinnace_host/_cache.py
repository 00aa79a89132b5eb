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


def cache_key(wasm: bytes, engine: str, config: str) -> str:
    digest = hashlib.sha256()
    for part in (engine.encode(), b"\0", config.encode(), b"\0", wasm):
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
