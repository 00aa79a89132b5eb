"""The small pure-Python workload: the same source runs in every distribution.

`setup_source()` defines one zero-argument function per mini-benchmark in `__main__`; the
driver then times `runPython("<name>()")` for each name in `NAMES`. Every function returns an
int or a float, so its result crosses the JS boundary the same way in every distribution and the
harness can check that all of them computed the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

NAMES = ("fib", "dict_str", "sort_floats", "json_roundtrip")


@dataclass(frozen=True)
class WorkloadSize:
    """How big each mini-benchmark is."""

    fib_n: int
    dict_iterations: int
    floats: int
    json_records: int

    def describe(self) -> dict[str, str]:
        """A short human label per mini-benchmark, for the report."""
        return {
            "fib": f"recursive fib({self.fib_n})",
            "dict_str": f"dict/str loop, {self.dict_iterations:,} iterations",
            "sort_floats": f"sort {self.floats:,} random floats",
            "json_roundtrip": f"json dumps+loads, {self.json_records:,} records",
        }


FULL = WorkloadSize(fib_n=30, dict_iterations=200_000, floats=200_000, json_records=20_000)
QUICK = WorkloadSize(fib_n=12, dict_iterations=2_000, floats=2_000, json_records=200)

_TEMPLATE = """
import json
import random


def _fib(n):
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def fib():
    return _fib({fib_n})


def dict_str():
    counts = {{}}
    for i in range({dict_iterations}):
        key = "k" + str(i % 1000) + "-" + format(i % 7, "x")
        counts[key] = counts.get(key, 0) + len(key)
    words = " ".join(sorted(counts)).upper().split()
    return sum(counts.values()) + len(words)


_rng = random.Random(1234)
_FLOATS = [_rng.random() for _ in range({floats})]


def sort_floats():
    data = sorted(_FLOATS)
    return data[len(data) // 2]


_DOC = [
    {{"id": i, "name": "item-" + str(i), "price": i * 0.25, "tags": ["a", "b", str(i % 10)],
      "ok": i % 3 == 0, "nested": {{"x": i, "y": [i, i + 1]}}}}
    for i in range({json_records})
]


def json_roundtrip():
    text = json.dumps(_DOC)
    back = json.loads(text)
    return len(text) + len(back)
"""


def setup_source(size: WorkloadSize) -> str:
    """The Python source that defines the mini-benchmarks at the given size."""
    return _TEMPLATE.format(
        fib_n=size.fib_n,
        dict_iterations=size.dict_iterations,
        floats=size.floats,
        json_records=size.json_records,
    )
