"""pinnace_host call overhead, instantiation and a string round trip, beside wasmtime-py.

    python bench/host_calls.py [--calls N] [--repeat R]

Per-call cost of an exported add(i32, i32) -> i32 through
  1. pinnace_host: module.exports.add(1, 2)
  2. wasmtime-py: Func.__call__ (func(store, 1, 2))
  3. wasmtime-py's unchecked call: wasmtime_func_call_unchecked through its ctypes bindings,
     arguments preset in a raw value array (the floor for any ctypes-based host)
reported as the best of R runs of N calls, with ratios; then load/instantiate time (compiled,
from the disk cache, from the in-process cache) and a str -> str round trip.
This is a benchmark, not a test: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import tempfile
import time
from collections.abc import Callable

import wasmtime
from wasmtime import _bindings as ffi

import pinnace_host
from pinnace_host._backends import _wt_engine

WAT = """
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  ;; a bump allocator that starts over whenever nothing is live
  (func $alloc (export "alloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $ptr))
  (func (export "dealloc") (param i32 i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $next (i32.const 1024)))))
  ;; upper-case ASCII into a fresh buffer, returned as (ptr << 32) | len
  (func (export "upper") (param $ptr i32) (param $len i32) (result i64)
    (local $out i32) (local $i i32) (local $c i32)
    (local.set $out (call $alloc (local.get $len)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $c (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
        (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
      (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $c))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
            (i64.extend_i32_u (local.get $len)))))
"""


def best_per_call(fn: Callable[[], object], calls: int, repeat: int) -> float:
    """Best (lowest) microseconds per call over ``repeat`` runs of ``calls`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def best_once(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    calls, repeat = options.calls, options.repeat

    with tempfile.TemporaryDirectory() as cache_dir:
        os.environ["PINNACE_CACHE"] = cache_dir
        module = pinnace_host.load(WAT)
        add = module.exports.add
        assert add(1, 2) == 3

        engine = wasmtime.Engine()
        store = wasmtime.Store(engine)
        instance = wasmtime.Instance(store, wasmtime.Module(engine, WAT), [])
        func = instance.exports(store)["add"]
        assert isinstance(func, wasmtime.Func)
        raw = (ffi.wasmtime_val_raw_t * 2)()
        raw[0].i32, raw[1].i32 = 1, 2
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        args = (store._context(), ctypes.byref(func._func), raw, 2, ctypes.byref(trap))
        unchecked = ffi._wasmtime_func_call_unchecked

        ours = best_per_call(lambda: add(1, 2), calls, repeat)
        checked = best_per_call(lambda: func(store, 1, 2), max(calls // 10, 1000), repeat)
        floor = best_per_call(lambda: unchecked(*args), calls, repeat)

        wasm = bytes(wasmtime.wat2wasm(WAT))

        def cold() -> object:
            return pinnace_host.load(wasm, cache=False)

        def from_disk() -> object:
            _wt_engine.forget_compiled()
            return pinnace_host.load(wasm)

        def from_memory() -> object:
            return pinnace_host.load(wasm)

        pinnace_host.load(wasm)  # fill the disk cache
        compile_us = best_once(cold, repeat)
        disk_us = best_once(from_disk, repeat)
        memory_us = best_once(from_memory, repeat)
        text = "hello, pinnace host"
        assert module.exports.upper(text, returns=str) == text.upper()
        string_us = best_per_call(
            lambda: module.exports.upper(text, returns=str), max(calls // 10, 1000), repeat
        )

    print(
        f"# pinnace_host call benchmark (python {platform.python_version()}, "
        f"wasmtime-py {_wt_engine.WASMTIME_VERSION}, {platform.machine()})"
    )
    print(f"calls per run: {calls}, runs: {repeat} (best run reported)")
    print()
    print("| path | us per add(1, 2) | vs pinnace_host |")
    print("| --- | --- | --- |")
    print(f"| pinnace_host `module.exports.add` | {ours:.2f} | 1.00x |")
    print(f"| wasmtime-py `Func.__call__` | {checked:.2f} | {checked / ours:.2f}x |")
    print(f"| wasmtime-py unchecked call (raw ctypes floor) | {floor:.2f} | {floor / ours:.2f}x |")
    print()
    print("| operation | us |")
    print("| --- | --- |")
    print(f"| load + instantiate, compiling (cache=False) | {compile_us:.0f} |")
    print(f"| load + instantiate, compiled code from the disk cache | {disk_us:.0f} |")
    print(f"| load + instantiate, compiled code from the in-process cache | {memory_us:.0f} |")
    print(f"| str round trip `upper({text!r}, returns=str)` | {string_us:.2f} |")
    goal = "met" if ours <= 3.0 else "NOT met"
    print()
    print(f"goal: a call costs no more than 3 us: {goal} ({ours:.2f} us)")


if __name__ == "__main__":
    main()
