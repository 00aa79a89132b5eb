"""The import pre-scan of ``runPythonAsync`` (pinnace.importer.scan_imports), natively."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pinnace import _packages, importer

from support.native_runtime import LoaderStandIn, lock_of

Runtime = Callable[[dict[str, Any]], LoaderStandIn]

LOCK = lock_of(
    {"name": "numpy", "version": "2.4.6"},
    {"name": "scikit-learn", "version": "1.9.1", "imports": ["sklearn"]},
    {"name": "_decimal", "version": "3.13.5", "imports": ["_decimal"], "imported_by": ["decimal"]},
)  # fmt: skip


def test_scan_finds_every_kind_of_import(native_runtime: Runtime) -> None:
    native_runtime(LOCK)
    code = (
        "import os, numpy.linalg as la\n"
        "def f():\n    from sklearn.linear_model import LogisticRegression\n"
        "from decimal import Decimal\n"
        "from . import sibling\n"  # relative: never a lock package
    )
    assert importer.scan_imports(code) == ["_decimal", "numpy", "scikit-learn"]


def test_scan_leaves_out_installed_packages(native_runtime: Runtime, tmp_path: Path) -> None:
    native_runtime(LOCK)
    (tmp_path / "site-packages" / "numpy-2.4.6.dist-info").mkdir()
    assert importer.scan_imports("import numpy, sklearn") == ["scikit-learn"]
    assert not _packages.is_installed("scikit-learn")


def test_scan_of_code_that_does_not_parse_is_empty(native_runtime: Runtime) -> None:
    native_runtime(LOCK)
    assert importer.scan_imports("import numpy\ndef (") == []  # running it reports the error
