"""The package sets bench/wheel_transport.py serves: the wheels as dist/ ships them (deflated)
and the same wheels re-zipped ZIP_STORED, with precompressed copies beside the stored ones.

A stored wheel holds the very members of the shipped one, in the same order, with the same
names, dates, attributes, extra fields and comments; only the compression method differs (and
so the offsets). RECORD is unchanged: it hashes the members, not the archive. Each set is a
folder a loader can use as its indexURL: copies of the core files (with dist/'s own `.br`/`.gz`,
the same in both sets), the wheels of the packages asked for and their dependencies, and a
pinnace-lock.json naming just those, its sha256 and size the set's own files.

Brotli at quality 11 takes minutes on the stored SciPy wheel, so the compressed copies are kept
in ${PINNACE_CACHE:-~/.cache/pinnace}/bench/wheel-transport/, named by the sha256 of the bytes
they were made from (the re-zip is deterministic: the same wheel gives the same stored bytes).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-untyped]

CORE = ("pinnace.mjs", "pinnace.asm.mjs", "pinnace.asm.wasm", "python313.zip")
LOCK = "pinnace-lock.json"
# The settings of build/pinnace_build/dist.py's precompress (and bench/core_sizes.py).
GZIP_LEVEL = 9
BROTLI_QUALITY = 11
ENCODINGS = {".br": "brotli q11", ".gz": "gzip -9"}
DEFLATED, STORED = "deflated", "stored"


def cache_dir() -> Path:
    env = os.environ.get("PINNACE_CACHE")
    root = Path(env) if env else Path.home() / ".cache" / "pinnace"
    return root.expanduser() / "bench" / "wheel-transport"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def closure(packages: dict[str, Any], names: list[str]) -> list[str]:
    """``names`` and everything the lock says they depend on, dependencies first."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for dep in packages[name].get("depends", []):
            visit(str(dep).lower())
        order.append(name)

    for name in names:
        visit(name)
    return order


def restore(src: Path, dest: Path) -> None:
    """Write ``src``'s members to ``dest`` uncompressed (ZIP_STORED), all else kept."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            out = zipfile.ZipInfo(info.filename, info.date_time)
            out.compress_type = zipfile.ZIP_STORED
            out.comment = info.comment
            out.extra = info.extra
            out.create_system = info.create_system
            out.create_version = info.create_version
            out.internal_attr = info.internal_attr
            out.external_attr = info.external_attr
            zout.writestr(out, zin.read(info))
        zout.comment = zin.comment


def _compress(job: tuple[str, str, str]) -> None:
    src, suffix, dest = job
    data = Path(src).read_bytes()
    if suffix == ".br":
        out = brotli.compress(data, quality=BROTLI_QUALITY)
    else:
        out = gzip.compress(data, GZIP_LEVEL, mtime=0)
    tmp = Path(f"{dest}.{os.getpid()}.tmp")
    tmp.write_bytes(out)
    tmp.replace(dest)


def precompress(files: list[Path], log: Any = print) -> None:
    """Put ``X.br`` and ``X.gz`` beside each of ``files``, from the cache or made (in parallel,
    the largest first) and cached."""
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    digests = {f: sha256(f) for f in files}
    jobs = [(str(f), suffix, str(cache / f"{digests[f]}{suffix}"))
            for f in sorted(files, key=lambda p: -p.stat().st_size)
            for suffix in ENCODINGS if not (cache / f"{digests[f]}{suffix}").is_file()]  # fmt: skip
    if jobs:
        log(f"compressing {len(jobs)} file(s) ({', '.join(ENCODINGS.values())}; brotli q11 "
            "takes minutes on the big stored wheels, cached by sha256 in " + str(cache) + ")")
        with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
            list(pool.map(_compress, jobs))
    for f in files:
        for suffix in ENCODINGS:
            shutil.copyfile(cache / f"{digests[f]}{suffix}", f.with_name(f.name + suffix))


def _core(dist: Path, dest: Path) -> None:
    for name in CORE:
        for suffix in ("", *ENCODINGS):
            if (dist / (name + suffix)).is_file():
                shutil.copyfile(dist / (name + suffix), dest / (name + suffix))


def _write_lock(lock: dict[str, Any], names: list[str], dest: Path) -> None:
    packages = {}
    for name in names:
        entry = dict(lock["packages"][name])
        wheel = dest / entry["file_name"]
        entry["sha256"], entry["size"] = sha256(wheel), wheel.stat().st_size
        packages[name] = entry
    (dest / LOCK).write_text(json.dumps({"info": lock["info"], "packages": packages}, indent=1) + "\n")


def make_sets(dist: Path, root: Path, wanted: list[str], log: Any = print) -> dict[str, Path]:
    """Two sets under ``root`` for the packages ``wanted`` (and their dependencies): the shipped
    wheels, and the stored re-zips with their ``.br``/``.gz``; {set name: folder}."""
    lock = json.loads((dist / LOCK).read_text())
    names = closure(lock["packages"], wanted)
    sets = {DEFLATED: root / DEFLATED, STORED: root / STORED}
    for folder in sets.values():
        folder.mkdir(parents=True)
        _core(dist, folder)
    stored = []
    for name in names:
        file_name = lock["packages"][name]["file_name"]
        shutil.copyfile(dist / file_name, sets[DEFLATED] / file_name)
        restore(dist / file_name, sets[STORED] / file_name)
        stored.append(sets[STORED] / file_name)
    precompress(stored, log)
    for folder in sets.values():
        _write_lock(lock, names, folder)
    return sets


def variant(stored: Path, dest: Path, keep: tuple[str, ...]) -> Path:
    """A folder of links to ``stored``'s files where the wheels keep only the precompressed
    copies of ``keep`` (e.g. (".gz",): a server with gzip copies only; (): none at all)."""
    dest.mkdir()
    wheels = {f.name for f in wheel_files(stored)}
    for f in stored.iterdir():
        dropped = f.suffix in ENCODINGS and f.suffix not in keep and f.stem in wheels
        if not dropped:
            (dest / f.name).symlink_to(f)
    return dest


def wheel_files(folder: Path) -> list[Path]:
    """The package files a set's lock names, in lock order."""
    lock = json.loads((folder / LOCK).read_text())
    return [folder / e["file_name"] for e in lock["packages"].values()]


def same_members(a: Path, b: Path) -> bool:
    """Whether two archives hold the same members, in the same order, with the same bytes,
    dates and attributes."""
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        ia, ib = za.infolist(), zb.infolist()
        return len(ia) == len(ib) and all(
            (x.filename, x.date_time, x.external_attr, x.CRC, x.file_size)
            == (y.filename, y.date_time, y.external_attr, y.CRC, y.file_size)
            and za.read(x) == zb.read(y)
            for x, y in zip(ia, ib)
        )  # fmt: skip
