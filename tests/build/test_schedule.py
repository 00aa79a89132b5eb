"""Package builds side by side (build/pinnace_build/schedule.py): a job starts only after its
dependencies, independent jobs overlap, the longest chain starts first, a failure stops new
jobs and is raised."""

from __future__ import annotations

import threading
import time

import pytest

from pinnace_build import schedule

# The shape of the real lock: a long chain and short independent packages.
DEPS = {
    "libopenblas": [], "numpy": ["libopenblas"], "scipy": ["numpy", "libopenblas"],
    "scikit-learn": ["scipy", "numpy"], "six": [], "pytz": [], "libpng": [],
    "freetype": ["libpng"],
}  # fmt: skip


class Recorder:
    """A job that records when each name started and ended, and how many ran at once."""

    def __init__(self, fail: str | None = None) -> None:
        self.events: list[tuple[str, str]] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()
        self.fail = fail

    def __call__(self, name: str) -> str:
        with self.lock:
            self.events.append(("start", name))
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)  # long enough for another job to start beside it
        with self.lock:
            self.running -= 1
            self.events.append(("end", name))
        if name == self.fail:
            raise RuntimeError(f"{name} failed")
        return name.upper()


def test_dependencies_first_and_side_by_side() -> None:
    rec = Recorder()
    results = schedule.run(list(DEPS), DEPS, rec, jobs=2)
    assert results == {n: n.upper() for n in DEPS}
    for name, deps in DEPS.items():
        start = rec.events.index(("start", name))
        assert all(rec.events.index(("end", d)) < start for d in deps), name
    assert rec.most == 2
    # the chain's head goes first: three packages wait on libopenblas
    assert rec.events[0] == ("start", "libopenblas")


def test_one_job_at_a_time() -> None:
    rec = Recorder()
    schedule.run(list(DEPS), DEPS, rec, jobs=1)
    assert rec.most == 1


def test_a_failure_stops_what_has_not_started() -> None:
    rec = Recorder(fail="libopenblas")  # the first to start, alone with jobs=1
    with pytest.raises(RuntimeError, match="libopenblas failed"):
        schedule.run(list(DEPS), DEPS, rec, jobs=1)
    assert rec.events == [("start", "libopenblas"), ("end", "libopenblas")]  # six etc. never
    rec = Recorder(fail="numpy")
    with pytest.raises(RuntimeError, match="numpy failed"):
        schedule.run(list(DEPS), DEPS, rec, jobs=2)
    started = {n for kind, n in rec.events if kind == "start"}
    assert "scipy" not in started and "scikit-learn" not in started
    # whatever had started ran to its end (a build is not cut off half-way)
    assert {n for kind, n in rec.events if kind == "end"} == started


def test_unknown_dependency_and_cycle() -> None:
    with pytest.raises(ValueError, match="not among the jobs"):
        schedule.run(["a"], {"a": ["b"]}, str, jobs=2)
    with pytest.raises(ValueError, match="cycle"):
        schedule.run(["a", "b"], {"a": ["b"], "b": ["a"]}, str, jobs=2)


def test_jobs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINNACE_BUILD_JOBS", "3")
    assert schedule.default_jobs() == 3
    monkeypatch.setenv("PINNACE_BUILD_JOBS", "zero")
    with pytest.raises(ValueError, match="PINNACE_BUILD_JOBS"):
        schedule.default_jobs()
