"""scikit-learn in wasm (issue 11): `from sklearn.linear_model import LogisticRegression` with
nothing declared first fetches scikit-learn, SciPy, OpenBLAS, NumPy, joblib, threadpoolctl and
narwhals; models fit and predict; `n_jobs=-1` runs serially without warnings (there are no
threads or processes); and a named part of scikit-learn's own test suite passes inside the wasm
build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.hosts import Node
from support.pkgdist import dist_with
from support.wasm_suite import chosen, run_suite

CHAIN = {"numpy", "libopenblas", "scipy", "scikit-learn", "joblib", "threadpoolctl", "narwhals"}

FIT = """
import warnings
warnings.simplefilter("error")  # any warning (a worker that failed to start, ...) fails here
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.model_selection import cross_val_score, train_test_split
from joblib import Parallel, delayed
X, y = load_iris(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=y)
logreg = LogisticRegression(max_iter=500).fit(Xtr, ytr).score(Xte, yte)
forest = RandomForestClassifier(n_estimators=20, n_jobs=-1, random_state=0).fit(Xtr, ytr).score(Xte, yte)
cv = cross_val_score(LogisticRegression(max_iter=500), X, y, cv=3, n_jobs=-1).mean()
km = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X)
squares = Parallel(n_jobs=-1)(delayed(pow)(i, 2) for i in range(5))
result = [bool(logreg > 0.9), bool(forest > 0.85), bool(cv > 0.9), sorted(set(km.labels_.tolist())), squares]
"""


@pytest.fixture
def sklearn_dist(dist: Path) -> Path:
    return dist_with(dist, CHAIN)


def test_plain_import_fits_models_serially_without_warnings(node: Node, sklearn_dist: Path) -> None:
    out = node.run(
        """
        const warnings = [];
        const py = await loadPinnace({ packageCacheDir: null, stderr: (l) => warnings.push(l) });
        py.runPython(__CODE__);
        console.log(py.runPython("repr(result)"));
        console.log(py.runPython("import sys\\nrepr(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'joblib', 'threadpoolctl', 'narwhals') if m in sys.modules))"));
        console.log(JSON.stringify(warnings));
        """.replace("__CODE__", json.dumps(FIT))
    )
    lines = out.strip().splitlines()
    assert lines[0] == "[True, True, True, [0, 1, 2], [0, 1, 4, 9, 16]]"
    assert lines[1] == "['joblib', 'narwhals', 'numpy', 'scipy', 'sklearn', 'threadpoolctl']"
    assert lines[2] == "[]"


# scikit-learn's own tests, run inside the wasm build: SKLEARN_TESTS in `make test`,
# SKLEARN_TESTS_FULL in `make test-full`.  Lists and counts: docs/packages.md.
SKLEARN_TESTS = [
    "sklearn.tree.tests.test_tree",
    "sklearn.cluster.tests.test_k_means",
    "sklearn.metrics.tests.test_classification",
]
SKLEARN_TESTS_FULL = [
    *SKLEARN_TESTS,
    "sklearn.linear_model.tests.test_logistic",
    "sklearn.linear_model.tests.test_base",
    "sklearn.linear_model.tests.test_ridge",
    "sklearn.ensemble.tests.test_forest",
    "sklearn.preprocessing.tests.test_data",
    "sklearn.decomposition.tests.test_pca",
    "sklearn.model_selection.tests.test_split",
    "sklearn.neighbors.tests.test_neighbors",
    "sklearn.svm.tests.test_svm",
    "sklearn.metrics.tests.test_regression",
]
SKLEARN_SKIPS = {
    "thread or Thread or parallel or Parallel or n_jobs or joblib": "no threads or processes in this build",
    "subprocess": "no subprocesses on emscripten",
    "memory or memmap": "32-bit address space; memory-mapped joblib pools need processes",
}


@pytest.mark.slow
def test_sklearn_test_suite(sklearn_dist: Path) -> None:
    run_suite(chosen(SKLEARN_TESTS, SKLEARN_TESTS_FULL), SKLEARN_SKIPS)
