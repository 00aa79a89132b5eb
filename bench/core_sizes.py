"""Bytes on the wire: raw, gzip -9 and brotli quality 11 sizes of a distribution's core files.

Both compressions are done here, from the files, with the same settings for every
distribution (the precompressed copies a distribution ships are not used). Brotli at quality
11 takes tens of seconds on a 10 MB wasm, so results are cached by the file's sha256 and the
compressor settings in ${PINNACE_CACHE:-~/.cache/pinnace}/bench/sizes.json.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import brotli

GZIP_LEVEL = 9
BROTLI_QUALITY = 11
BROTLI_WINDOW = 22  # the brotli library's default lgwin
SETTINGS = f"gzip{GZIP_LEVEL}-brotli{BROTLI_QUALITY}w{BROTLI_WINDOW}-v1"


@dataclass(frozen=True)
class FileSize:
    name: str
    raw: int
    gzip: int
    brotli: int


def _cache_file() -> Path:
    env = os.environ.get("PINNACE_CACHE")
    root = Path(env) if env else Path.home() / ".cache" / "pinnace"
    return root.expanduser() / "bench" / "sizes.json"


def _compressed_sizes(data: bytes) -> tuple[int, int]:
    gz = len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
    br = len(brotli.compress(data, quality=BROTLI_QUALITY, lgwin=BROTLI_WINDOW))
    return gz, br


def _measure_one(path: str) -> tuple[str, int, int, int]:
    data = Path(path).read_bytes()
    gz, br = _compressed_sizes(data)
    return hashlib.sha256(data).hexdigest(), len(data), gz, br


def measure(files: list[Path]) -> list[FileSize]:
    """The sizes of each file, compressing (in parallel) only what the cache does not know."""
    cache_path = _cache_file()
    try:
        cache: dict[str, list[int]] = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    todo = [p for p in files if f"{SETTINGS}:{digests[p]}" not in cache]
    todo.sort(key=lambda p: p.stat().st_size, reverse=True)  # the big ones first, in parallel
    if todo:
        with ProcessPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1)) as pool:
            for digest, raw, gz, br in pool.map(_measure_one, [str(p) for p in todo]):
                cache[f"{SETTINGS}:{digest}"] = [raw, gz, br]
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, indent=0, sort_keys=True))
        tmp.replace(cache_path)
    sizes = []
    for p in files:
        raw, gz, br = cache[f"{SETTINGS}:{digests[p]}"]
        sizes.append(FileSize(p.name, raw, gz, br))
    return sizes
