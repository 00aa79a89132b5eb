"""Building side by side: run jobs whose dependencies are done, up to ``jobs`` at a time.

Package builds are subprocesses (pyodide-build, meson, make), so threads are enough.  On this
project's 2-core machines two builds at once overlap one build's serial phases (configure,
downloads, pip, the final link) with another's compiles.  Of the jobs that are ready, the one
with the most jobs waiting on it (directly or not) starts first, so the long chain
(libopenblas -> numpy -> scipy -> scikit-learn) is never left for last.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


def default_jobs() -> int:
    """``PINNACE_BUILD_JOBS`` if set, else 2 (1 on a one-core machine)."""
    env = os.environ.get("PINNACE_BUILD_JOBS")
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ValueError(f"PINNACE_BUILD_JOBS={env!r}: expected a positive whole number")
        return int(env)
    return min(2, os.cpu_count() or 1)


def _waiting_on(deps: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """For each name, how many names depend on it, directly or not."""
    above: dict[str, set[str]] = {n: set() for n in deps}
    for name in deps:  # walk down from each name, marking it above everything it reaches
        stack = list(deps[name])
        while stack:
            d = stack.pop()
            if name not in above[d]:
                above[d].add(name)
                stack.extend(deps[d])
    return {n: len(s) for n, s in above.items()}


def run(names: Sequence[str], deps: Mapping[str, Sequence[str]], job: Callable[[str], T],
        jobs: int) -> dict[str, T]:  # fmt: skip
    """Run ``job(name)`` for every name once all of ``deps[name]`` have run, up to ``jobs`` at
    once; return the results by name.  If a job raises, no new job starts, the running ones
    finish, and the first error is raised."""
    pending = list(names)
    unknown = {d for n in names for d in deps[n]} - set(names)
    if unknown:
        raise ValueError(f"dependencies that are not among the jobs: {sorted(unknown)}")
    weight = _waiting_on({n: deps[n] for n in names})
    results: dict[str, T] = {}
    running: dict[Future[T], str] = {}
    error: BaseException | None = None
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while pending or running:
            ready = sorted((n for n in pending if all(d in results for d in deps[n])),
                           key=lambda n: -weight[n])  # fmt: skip
            while error is None and ready and len(running) < max(1, jobs):
                n = ready.pop(0)
                pending.remove(n)
                running[pool.submit(job, n)] = n
            if not running:
                break  # after an error: nothing left that may start
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for f in done:
                n = running.pop(f)
                exc = f.exception()
                if exc is None:
                    results[n] = f.result()
                elif error is None:
                    error = exc
    if error is not None:
        raise error
    if pending:  # nothing ran them: their dependencies wait on each other
        raise ValueError(f"dependency cycle among {sorted(pending)}")
    return results
