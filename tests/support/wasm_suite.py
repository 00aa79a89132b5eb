"""Running a package's own test suite inside the wasm build (`pinnace python -m pytest
--pyargs`), with named modules and keyword deselections that each carry a reason."""

from __future__ import annotations

import os
import subprocess
from typing import TypeVar

from support.hosts import REPO

T = TypeVar("T")
PLUGINS = REPO / "tests" / "support" / "wasm_plugins"


def chosen(fast: T, full: T) -> T:
    """What to run (modules, markers): ``fast`` in `make test`, ``full`` in `make test-full`
    (PINNACE_TEST_FULL=1)."""
    return full if os.environ.get("PINNACE_TEST_FULL") == "1" else fast


def run_suite(modules: list[str], skips: dict[str, str], options: tuple[str, ...] = (),
              plugins: tuple[str, ...] = ()) -> str:
    """Run ``modules`` minus the tests matching any key of ``skips``; assert that they pass
    and return pytest's output.  ``plugins`` are modules of tests/support/wasm_plugins, loaded
    with ``-p``."""
    deselect = " or ".join(f"({k})" for k in skips)
    env = dict(os.environ, PYTHONPATH=str(PLUGINS)) if plugins else None
    res = subprocess.run(
        # -c /dev/null: the package's suite, not with this repository's pytest configuration
        # (pinnace python sees the host's files, pyproject.toml's addopts included)
        [str(REPO / ".venv/bin/pinnace"), "python", "-m", "pytest", "-c", "/dev/null", "-q",
         "-p", "no:cacheprovider", *(a for p in plugins for a in ("-p", p)),
         "--capture=sys", *options, "--pyargs", *modules, "-k", f"not ({deselect})"],
        capture_output=True, text=True, timeout=3000, env=env,
    )  # fmt: skip
    tail = res.stdout[-4000:] + res.stderr[-2000:]
    assert res.returncode == 0, tail
    assert " passed" in res.stdout, tail
    return res.stdout
