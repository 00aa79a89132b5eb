"""The timing helper of the benchmark scripts that run inside the wasm build (`pinnace python
bench/...`) and natively: the best of n runs."""

import time
from collections.abc import Callable


def best(f: Callable[[], object], n: int = 5) -> float:
    """The fastest of n runs of f, in ms."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times) * 1000
