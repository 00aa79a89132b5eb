"""The compiled-module cache: keyed by module hash, engine version and config; observable."""

from __future__ import annotations

from pathlib import Path

import pinnace_host
from pinnace_host import Limits, _cache
from pinnace_host._backends import _wt_engine

from .host_helpers import HostLog, wat


def test_second_load_comes_from_disk(
    lib_wasm: Path, host_log: HostLog, compile_cache: Path
) -> None:
    first = pinnace_host.load(lib_wasm, imports=host_log.imports())
    assert first.cache_status == "compiled"
    entries = list(compile_cache.glob("*.cwasm"))
    assert len(entries) == 1
    stamp = entries[0].stat().st_mtime_ns

    _wt_engine.forget_compiled()  # as a new process would
    hits = _cache.stats["disk_hit"]
    second = pinnace_host.load(lib_wasm, imports=host_log.imports())
    assert second.cache_status == "disk"
    assert _cache.stats["disk_hit"] == hits + 1
    assert entries[0].stat().st_mtime_ns == stamp  # read, not rewritten
    assert list(compile_cache.glob("*.cwasm")) == entries

    third = pinnace_host.load(lib_wasm, imports=host_log.imports())
    assert third.cache_status == "memory"
    for module in (first, second, third):  # identical results whichever way it was loaded
        assert module.exports.upper("cache", returns=str) == "CACHE"
        assert module.exports.mul64(-3, 2**33) == -3 * 2**33
        assert module.exports.deep(-5) == -44


def test_key_covers_module_engine_and_config(compile_cache: Path) -> None:
    pinnace_host.load(wat("numbers"))
    pinnace_host.load(wat("numbers"), limits=Limits(fuel=1000))  # another engine config
    pinnace_host.load(wat("bump"))  # another module
    pinnace_host.load(wat("numbers"), limits=Limits(timeout=1, memory=1 << 20))  # same config
    assert len(list(compile_cache.glob("*.cwasm"))) == 3
    key = _cache.cache_key(b"\0asm", "wasmtime-1", "a")
    assert key != _cache.cache_key(b"\0asm", "wasmtime-2", "a")
    assert key != _cache.cache_key(b"\0asm", "wasmtime-1", "b")


def test_cache_off_and_custom_directory(tmp_path: Path, compile_cache: Path) -> None:
    assert pinnace_host.load(wat("numbers"), cache=False).cache_status == "off"
    assert not compile_cache.exists()
    module = pinnace_host.load(wat("numbers"), cache=tmp_path / "mine")
    assert module.cache_status == "compiled"
    assert len(list((tmp_path / "mine").glob("*.cwasm"))) == 1


def test_corrupt_entry_is_recompiled(compile_cache: Path) -> None:
    pinnace_host.load(wat("numbers"))
    (entry,) = compile_cache.glob("*.cwasm")
    entry.write_bytes(b"garbage")
    _wt_engine.forget_compiled()
    corrupt = _cache.stats["corrupt"]
    module = pinnace_host.load(wat("numbers"))
    assert module.cache_status == "compiled" and _cache.stats["corrupt"] == corrupt + 1
    assert module.exports.add(1, 2) == 3
    assert entry.read_bytes() != b"garbage"


def test_default_directory_follows_pinnace_cache(compile_cache: Path) -> None:
    assert _cache.cache_root() == compile_cache
