"""A linear-algebra workload run unchanged in wasm (`pinnace python`) and natively by
bench/stacks.py: solve, eig and svd of 300x300, and a sparse solve (a 2-D Poisson problem
on a 100x100 grid).  Prints one JSON line: operation -> best of 5, in ms."""

import json

import numpy as np
import scipy.linalg as sl
import scipy.sparse as sp
from best_of import best
from scipy.sparse.linalg import spsolve


def poisson(n: int) -> sp.csc_matrix:
    one = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    return sp.csc_matrix(sp.kronsum(one, one))


rng = np.random.default_rng(0)
a = rng.standard_normal((300, 300))
b = rng.standard_normal(300)
lap = poisson(100)
rhs = np.ones(lap.shape[0])
assert np.allclose(a @ sl.solve(a, b), b) and np.allclose(lap @ spsolve(lap, rhs), rhs)
print(
    json.dumps(
        {
            "solve 300x300": best(lambda: sl.solve(a, b)),
            "eig 300x300": best(lambda: sl.eig(a)),
            "svd 300x300": best(lambda: sl.svd(a)),
            "sparse solve, 10,000 unknowns": best(lambda: spsolve(lap, rhs)),
        }
    )
)
