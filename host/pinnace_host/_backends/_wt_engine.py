"""wasmtime engines (one per configuration), the epoch ticker, and compilation with the cache."""

from __future__ import annotations

import importlib.metadata
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import wasmtime
from wasmtime import _bindings as ffi

from .. import _cache
from .._errors import InvalidModule

TICK_SECONDS = 0.002  # epoch granularity for timeouts and cancellation
# How deep wasm code may recurse, by default: wasmtime's own default, 512 KiB.  It runs on the
# calling thread's native stack, which may be small (2 MiB for threads when `ulimit -s` is
# unlimited): only a thread known to be larger may run a larger wasm stack (CPython for WASI
# wants 8 MiB: pinnace_host.python runs it on a thread of its own).
MAX_WASM_STACK = 512 << 10
WASMTIME_VERSION = importlib.metadata.version("wasmtime")


@dataclass(frozen=True)
class EngineConfig:
    fuel: bool
    stack: int = MAX_WASM_STACK  # max_wasm_stack: a run-time setting, not part of compiled code

    def fingerprint(self) -> str:
        return f"epoch=1;fuel={int(self.fuel)}"


class Ticker:
    """Advances an engine's epoch every ``TICK_SECONDS`` while any call is being watched."""

    def __init__(self, engine: wasmtime.Engine) -> None:
        self._engine = engine
        self._users = 0
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pinnace-host-epoch", daemon=True
                )
                self._thread.start()
            else:
                self._wake.notify()

    def release(self) -> None:
        with self._lock:
            self._users -= 1

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._users == 0:
                    self._wake.wait()
            time.sleep(TICK_SECONDS)
            self._engine.increment_epoch()


@dataclass
class Engine:
    config: EngineConfig
    engine: wasmtime.Engine
    ticker: Ticker


_engines: dict[EngineConfig, Engine] = {}
_engines_lock = threading.Lock()
_compiled: OrderedDict[str, wasmtime.Module] = OrderedDict()
MEMORY_CACHE_ENTRIES = 64


def engine_for(config: EngineConfig) -> Engine:
    with _engines_lock:
        if config not in _engines:
            cfg = wasmtime.Config()
            cfg.epoch_interruption = True
            cfg.consume_fuel = config.fuel
            if config.stack > MAX_WASM_STACK:
                # wasmtime refuses (by aborting the process) a wasm stack above its async
                # stack size (2 MiB by default)
                ffi.wasmtime_config_async_stack_size_set(cfg.ptr(), config.stack + (1 << 20))
                cfg.max_wasm_stack = config.stack
            engine = wasmtime.Engine(cfg)
            _engines[config] = Engine(config, engine, Ticker(engine))
        return _engines[config]


def compile_module(
    engine: Engine, wasm: bytes, cache: bool | str | Path
) -> tuple[wasmtime.Module, str]:
    """Compile ``wasm`` (or reuse it from the process or disk cache); return it and the status."""
    if cache is False:
        return _compile(engine, wasm), "off"
    key = _cache.cache_key(wasm, f"wasmtime-{WASMTIME_VERSION}", engine.config.fingerprint())
    # compiled code belongs to one Engine (engines differ in their stack size too): in memory,
    # each engine has its own entries; on disk the code is the same for all of them
    memory_key = f"{key}:{engine.config.stack}"
    if memory_key in _compiled:
        _cache.stats["memory_hit"] += 1
        _compiled.move_to_end(memory_key)
        return _compiled[memory_key], "memory"
    directory = _cache.cache_root() if cache is True else Path(cache)
    disk = _cache.DiskCache(directory, "cwasm")
    path = disk.lookup(key)
    if path is not None:
        try:
            module = wasmtime.Module.deserialize_file(engine.engine, str(path))
        except wasmtime.WasmtimeError:
            _cache.stats["corrupt"] += 1  # unreadable entry: recompile and replace it below
            disk.discard(key)
        else:
            _cache.stats["disk_hit"] += 1
            _remember(memory_key, module)
            return module, "disk"
    _cache.stats["miss"] += 1
    module = _compile(engine, wasm)
    disk.store(key, bytes(module.serialize()))
    _remember(memory_key, module)
    return module, "compiled"


def _remember(key: str, module: wasmtime.Module) -> None:
    _compiled[key] = module
    while len(_compiled) > MEMORY_CACHE_ENTRIES:
        _compiled.popitem(last=False)


def _compile(engine: Engine, wasm: bytes) -> wasmtime.Module:
    try:
        return wasmtime.Module(engine.engine, wasm)
    except wasmtime.WasmtimeError as exc:
        raise InvalidModule(f"invalid wasm module: {exc}") from None


def forget_compiled() -> None:
    """Drop the in-process cache (the disk cache stays): the next load reads from disk."""
    _compiled.clear()
