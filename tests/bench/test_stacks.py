"""The package-stack benchmark scripts run end to end in the wasm build (not how fast anything
is): the workloads of bench/stacks.py check their own answers and report every operation, and
bench/numpy_blas.py compares numpy's and OpenBLAS's results before timing them."""

from __future__ import annotations

import json
from pathlib import Path

from support.hosts import REPO, run_pinnace_python


def test_scipy_workload_runs_in_wasm(dist: Path) -> None:
    res = run_pinnace_python([str(REPO / "bench" / "scipy_workload.py")])
    assert res.returncode == 0, res.stderr.decode()[-3000:]
    got = json.loads(res.stdout.decode().strip().splitlines()[-1])
    assert sorted(got) == [
        "eig 300x300",
        "solve 300x300",
        "sparse solve, 10,000 unknowns",
        "svd 300x300",
    ]
    assert all(v > 0 for v in got.values())


def test_pandas_workload_runs_in_wasm(dist: Path) -> None:
    res = run_pinnace_python([str(REPO / "bench" / "pandas_workload.py")])
    assert res.returncode == 0, res.stderr.decode()[-3000:]
    got = json.loads(res.stdout.decode().strip().splitlines()[-1])
    assert sorted(got) == ["groupby sum/mean", "merge + groupby", "pivot_table",
                           "read_csv, 200k rows", "to_csv, 200k rows", "tz_convert + month"]  # fmt: skip
    assert all(v > 0 for v in got.values())


def test_matplotlib_workload_runs_in_wasm(dist: Path) -> None:
    res = run_pinnace_python([str(REPO / "bench" / "matplotlib_workload.py")])
    assert res.returncode == 0, res.stderr.decode()[-3000:]
    got = json.loads(res.stdout.decode().strip().splitlines()[-1])
    assert sorted(got) == ["constrained 2x2 grid", "contourf 200x200", "image + colour bar",
                           "line, 10k points + text", "savefig png", "savefig svg",
                           "scatter, 5k points"]  # fmt: skip
    assert all(v > 0 for v in got.values())


def test_numpy_blas_comparison_runs_in_wasm(dist: Path) -> None:
    res = run_pinnace_python([str(REPO / "bench" / "numpy_blas.py")])
    assert res.returncode == 0, res.stderr.decode()[-3000:]
    lines = res.stdout.decode().strip().splitlines()
    assert lines[0] == "numpy 2.4.6, BLAS: scipy-openblas 0.3.31"  # numpy on libopenblas
    rows = [line.split("\t") for line in lines[2:]]
    assert [r[0] for r in rows] == ["matmul 300x300", "dot 1e6", "solve 300x300", "inv 300x300",
                                    "svd 150x150", "eigh 150x150", "cholesky 150x150"]  # fmt: skip
    assert all(float(r[1]) > 0 and float(r[2]) > 0 for r in rows)
