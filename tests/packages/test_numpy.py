"""NumPy in wasm: a plain `import numpy` under node fetches it (lazily), and a named subset of
NumPy's own test suite passes inside the wasm build (`pinnace python -m pytest --pyargs`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.hosts import Node
from support.pkgdist import dist_with
from support.wasm_suite import run_suite


@pytest.fixture
def numpy_dist(dist: Path) -> Path:
    return dist_with(dist, ["numpy"])


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


def test_numpy_calls_openblas(node: Node, numpy_dist: Path) -> None:
    """A plain `import numpy` also fetches libopenblas (numpy's BLAS and LAPACK) and loads it."""
    out = node.run(
        """
        const py = await loadPinnace({ packageCacheDir: null });
        console.log(py.runPython(`
import ctypes, os
import numpy as np
blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
lib = ctypes.CDLL("libopenblas.so")
lib.openblas_get_config.restype = ctypes.c_char_p
a = np.array([[3.0, 1.0], [1.0, 2.0]])
repr((blas["name"], blas["version"], os.path.exists("/lib/dynlib/libopenblas.so"),
      lib.openblas_get_config().decode().split()[:2], (a @ a).tolist(),
      np.linalg.solve(a, [9.0, 8.0]).tolist(), np.linalg.eigvalsh(a).round(6).tolist()))
`));
        """
    )
    assert out.strip() == repr(
        ("scipy-openblas", "0.3.31", True, ["OpenBLAS", "0.3.31"], [[10.0, 5.0], [5.0, 5.0]],
         [2.0, 3.0], [1.381966, 3.618034])
    )  # fmt: skip


LINALG_ERRORS = """
import warnings
import numpy as np
from numpy.linalg import LinAlgError

def raises(f):
    try:
        f()
    except (LinAlgError, FloatingPointError) as e:
        return f"{type(e).__name__}: {e}"
    return "no error"

stack = np.zeros((4, 2, 2))
stack[...] = [[1.0, 2.0], [3.0, 4.0]]
stack[1] = [[1.0, 1.0], [1.0, 1.0]]  # one singular matrix in a stack
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    quotient = (np.array([7, 8]) // 0).tolist()
result = [
    raises(lambda: np.linalg.inv(np.zeros((3, 3)))),
    raises(lambda: np.linalg.cholesky(-np.eye(3))),
    raises(lambda: np.linalg.solve(np.ones((2, 2)), [1.0, 2.0])),
    raises(lambda: np.linalg.inv(stack)),
    np.linalg.inv([[2.0, 0.0], [0.0, 4.0]]).tolist(),  # no flag left over from the errors
    quotient, [str(w.message) for w in caught],
]
with np.errstate(divide="raise"):
    result.append(raises(lambda: np.array([1]) // 0))
result.append(raises(lambda: np.array([1]) // 0))  # errstate is back to warn
"""


def test_numpy_reports_linalg_errors_and_its_own_floating_point_flags(
    node: Node, numpy_dist: Path
) -> None:
    """wasm has no floating-point status flags: numpy keeps the ones it raises itself in
    software (recipes/numpy/patches/0002), so a failed LAPACK call raises LinAlgError (not NaNs)
    and np.errstate sees integer division by zero, as on other platforms."""
    out = node.run(
        f"""
        const py = await loadPinnace({{ packageCacheDir: null }});
        py.runPython({json.dumps(LINALG_ERRORS)});
        console.log(py.runPython("repr(result)"));
        """
    )
    assert out.strip().splitlines()[-1] == repr(
        [
            "LinAlgError: Singular matrix",
            "LinAlgError: Matrix is not positive definite",
            "LinAlgError: Singular matrix",
            "LinAlgError: Singular matrix",
            [[0.5, 0.0], [0.0, 0.25]],
            [0, 0],
            ["divide by zero encountered in floor_divide"],
            "FloatingPointError: divide by zero encountered in floor_divide",
            "no error",
        ]
    )


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
