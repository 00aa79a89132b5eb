"""Fanning pinnace_host calls out to worker processes: the same 1,000 calls in one process,
through a ProcessPoolExecutor and through a Dask LocalCluster (2 worker processes), with the
module pickled to the workers (docs/host.md#modules-that-travel).

    python bench/host_fanout.py [--calls N] [--work W]

Each call runs a wasm loop of W iterations.  Reported: wall time of each way (the pool and the
cluster already started, their start-up separately) and the ratio to one process.  On 2 cores
the best a fan-out can do is 0.5x.  This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import time
from collections.abc import Callable

import pinnace_host

WAT = """
(module
  (func (export "spin") (param $n i32) (param $seed i32) (result i32)
    (local $acc i32)
    (local.set $acc (local.get $seed))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 1103515245)) (i32.const 12345)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
"""


def spin(module: pinnace_host.Module, work: int, seed: int) -> int:
    return int(module.exports.spin(work, seed))


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--work", type=int, default=2_000_000)
    args = parser.parse_args()
    module = pinnace_host.load(WAT)
    seeds = range(args.calls)
    expected = [spin(module, args.work, s) for s in seeds[:3]]
    rows: list[tuple[str, float, float | None]] = []

    one = timed(lambda: [spin(module, args.work, s) for s in seeds])
    rows.append(("one process", one, None))

    started = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(spin, [module] * 2, [1, 1], [0, 0]))  # started, module compiled there
        ready = time.perf_counter() - started
        results: list[int] = []
        took = timed(lambda: results.extend(pool.map(spin, [module] * args.calls,
                                                             [args.work] * args.calls, seeds, chunksize=25)))  # fmt: skip
    assert results[:3] == expected
    rows.append(("ProcessPoolExecutor(2), spawn", took, ready))

    import distributed

    started = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:  # fmt: skip
        client.gather(client.map(spin, [module] * 2, [1, 1], [0, 1], pure=False))
        ready = time.perf_counter() - started
        gathered: list[int] = []
        took = timed(lambda: gathered.extend(client.gather(client.map(
            spin, [module] * args.calls, [args.work] * args.calls, seeds, pure=False))))  # fmt: skip
    assert gathered[:3] == expected
    rows.append(("Dask LocalCluster, 2 worker processes", took, ready))

    print(f"{args.calls} calls of a {args.work:,}-iteration wasm loop; {os.cpu_count()} cores")
    print(f"{'':40} {'wall':>8} {'vs one':>7} {'start-up':>9}")
    for label, seconds, ready in rows:
        extra = f"{ready:8.2f}s" if ready is not None else ""
        print(f"{label:40} {seconds:7.2f}s {seconds / one:6.2f}x {extra:>9}")


if __name__ == "__main__":
    main()
