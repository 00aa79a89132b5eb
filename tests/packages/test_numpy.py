"""NumPy in wasm: a plain `import numpy` under node fetches it (lazily), and a named subset of
NumPy's own test suite passes inside the wasm build (`pinnace python -m pytest --pyargs`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.hosts import Node
from support.wasm_suite import run_suite


@pytest.fixture
def numpy_dist(dist: Path) -> Path:
    lock = json.loads((dist / "pinnace-lock.json").read_text())
    if "numpy" not in lock["packages"]:
        pytest.fail("numpy is not in dist/pinnace-lock.json: run `make dist`")
    return dist


def test_plain_import_numpy(node: Node, numpy_dist: Path) -> None:
    out = node.run(
        """
        const py = await loadPinnace({ packageCacheDir: null });
        console.log(py.runPython(`
import numpy as np
a = np.arange(12, dtype=np.float64).reshape(3, 4)
repr((np.__version__, float(a.sum()), round(float(np.linalg.det(np.eye(3) * 2)), 9), str(np.fft.fft([1, 0, 0, 0]).real)))
`));
        """
    )
    assert out.strip() == "('2.4.6', 66.0, 8.0, '[1. 1. 1. 1.]')"


# NumPy test modules run in wasm, and what is deselected, with the reason.
NUMPY_TESTS = [
    "numpy._core.tests.test_numeric",
    "numpy._core.tests.test_umath",
    "numpy.lib.tests.test_function_base",
    "numpy.linalg.tests.test_linalg",
    "numpy.fft.tests.test_pocketfft",
    "numpy.random.tests.test_generator_mt19937",
]
SKIPS = {
    "thread": "no threads in this build (CPython without pthreads)",
    "subprocess": "no subprocesses on emscripten",
    "longdouble": "long double is IEEE quad emulated in software; several precision tests assume x87",
    "fpe or floating_point_errors or seterr": "wasm has no floating-point exception flags",
    "memory or huge or large": "32-bit address space",
}


@pytest.mark.slow
def test_numpy_test_suite_subset(numpy_dist: Path) -> None:
    run_suite(NUMPY_TESTS, SKIPS, ("-x",))
