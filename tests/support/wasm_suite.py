"""Running a package's own test suite inside the wasm build (`pinnace python -m pytest
--pyargs`), with named modules and keyword deselections that each carry a reason."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import TypeVar

from support.hosts import REPO

T = TypeVar("T")
PLUGINS = REPO / "tests" / "support" / "wasm_plugins"


def chosen(fast: T, full: T) -> T:
    """What to run (modules, markers): ``fast`` in `make test`, ``full`` in `make test-full`
    (PINNACE_TEST_FULL=1)."""
    return full if os.environ.get("PINNACE_TEST_FULL") == "1" else fast


def run_suite(modules: list[str], skips: dict[str, str], options: tuple[str, ...] = (),
              plugins: tuple[str, ...] = (), cwd: Path | None = None,
              exact: dict[str, str] | None = None, pyargs: bool = True) -> str:  # fmt: skip
    """Run ``modules`` minus the tests matching any key of ``skips`` (``-k`` expressions) and
    those named in ``exact`` (test names with their parameters, e.g. ``test_figure[png]``,
    where a ``-k`` word would match the whole module ``test_figure.py``); assert that they pass
    and return pytest's output.  ``plugins`` are modules of tests/support/wasm_plugins, loaded
    with ``-p``.  ``modules`` are importable module names, or with ``pyargs=False`` test files
    under ``cwd`` (a suite that is not in its package, e.g. Pillow's, read from its sdist).
    ``cwd``: where pytest runs, and where suites write their files (matplotlib's
    result_images); default a fresh temporary directory, never the repository."""
    deselect = " or ".join(f"({k})" for k in skips)
    if exact:
        plugins = (*plugins, "deselect_exact")
    env = dict(os.environ, PYTHONPATH=str(PLUGINS)) if plugins else None
    if exact and env is not None:
        env["PINNACE_DESELECT"] = "\n".join(exact)
    with tempfile.TemporaryDirectory(prefix="pinnace-suite-") as tmp:
        res = subprocess.run(
            # -c /dev/null: the package's suite, not with this repository's pytest configuration
            # (pinnace python sees the host's files, pyproject.toml's addopts included)
            [str(REPO / ".venv/bin/pinnace"), "python", "-m", "pytest", "-c", "/dev/null", "-q",
             "-p", "no:cacheprovider", *(a for p in plugins for a in ("-p", p)),
             "--capture=sys", *options, *(("--pyargs",) if pyargs else ()), *modules,
             *(("-k", f"not ({deselect})") if skips else ())],
            capture_output=True, text=True, timeout=3000, env=env,
            cwd=cwd or tmp,
        )  # fmt: skip
    tail = res.stdout[-4000:] + res.stderr[-2000:]
    assert res.returncode == 0, tail
    assert " passed" in res.stdout, tail
    return res.stdout
