"""numpy's linear algebra against the same operations through scipy.linalg, which calls
OpenBLAS (libopenblas.so), in one process of the wasm build:

    .venv/bin/pinnace python bench/numpy_blas.py

Prints numpy's BLAS (from numpy.show_config) and a tab-separated table (best of 7, ms).  Run with
numpy built without BLAS (its own loops and lapack-lite), it measured what numpy on OpenBLAS
would gain; run with the numpy of today's lock (on OpenBLAS), it shows that numpy's calls now
reach OpenBLAS's speed.  docs/scipy-stack.md ("NumPy on OpenBLAS") has both tables and the
decision.  A benchmark, not a test."""

from collections.abc import Callable

import numpy as np
import scipy.linalg as sl
from best_of import best
from scipy.linalg import blas


def main() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 300))
    b = rng.standard_normal((300, 300))
    af, bf = np.asfortranarray(a), np.asfortranarray(b)
    v = rng.standard_normal(1_000_000)
    w = rng.standard_normal(1_000_000)
    m = rng.standard_normal((150, 150))
    s = m @ m.T + 150 * np.eye(150)
    rows: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("matmul 300x300", lambda: a @ b, lambda: blas.dgemm(1.0, af, bf)),
        ("dot 1e6", lambda: v @ w, lambda: blas.ddot(v, w)),
        ("solve 300x300", lambda: np.linalg.solve(a, b), lambda: sl.solve(a, b, check_finite=False)),
        ("inv 300x300", lambda: np.linalg.inv(a), lambda: sl.inv(a, check_finite=False)),
        ("svd 150x150", lambda: np.linalg.svd(m),
         lambda: sl.svd(m, check_finite=False, lapack_driver="gesdd")),
        ("eigh 150x150", lambda: np.linalg.eigh(s), lambda: sl.eigh(s, check_finite=False)),
        ("cholesky 150x150", lambda: np.linalg.cholesky(s),
         lambda: sl.cholesky(s, lower=True, check_finite=False)),
    ]  # fmt: skip
    assert np.allclose(a @ b, blas.dgemm(1.0, af, bf))  # the same result both ways
    numpy_blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(f"numpy {np.__version__}, BLAS: {numpy_blas['name']} {numpy_blas.get('version', '')}")
    print("operation\tnumpy ms\tscipy.linalg (OpenBLAS) ms\tscipy.linalg / numpy")
    for name, numpy_way, openblas_way in rows:
        t1, t2 = best(numpy_way, 7), best(openblas_way, 7)
        print(f"{name}\t{t1:.2f}\t{t2:.2f}\t{t2 / t1:.2f}")


main()
