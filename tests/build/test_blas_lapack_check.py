"""recipes/scipy/check_blas_lapack_calls.py, the build-time check of f2py's calls into
libopenblas.so: a prototype with another number of arguments (SciPy's ?gees passed gfortran's
hidden string lengths) is reported; matching ones pass.  Against the real libopenblas.so of
dist/."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from support.hosts import REPO


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    path = REPO / "recipes" / "scipy" / "check_blas_lapack_calls.py"
    spec = importlib.util.spec_from_file_location("check_blas_lapack_calls", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def library(dist: Path, tmp_path: Path) -> Path:
    (zipped,) = dist.glob("libopenblas-*.zip")
    with zipfile.ZipFile(zipped) as zf:
        zf.extract("libopenblas.so", tmp_path)
    return tmp_path / "libopenblas.so"


SGEES = ("char*,char*,F_INT(*)(float*,float*),F_INT*,float*,F_INT*,F_INT*,float*,float*,float*,"
         "F_INT*,float*,F_INT*,F_INT*,F_INT*")  # fmt: skip


def test_a_call_with_hidden_lengths_is_reported(
    checker: ModuleType, library: Path, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "_flapackmodule.c").write_text(
        f"extern void F_FUNC(sgees,SGEES)({SGEES},F_INT,F_INT);\n"
        "extern float F_FUNC(sdot,SDOT)(F_INT*,float*,F_INT*,float*,F_INT*);\n"
    )
    problems = checker.check(build, library)
    assert len(problems) == 1 and problems[0].startswith("_flapackmodule.c: sgees_: called as (i32")
    assert problems[0].count("i32") == 17 + 15
    assert checker.main([str(build), str(library)]) == 1


def test_matching_prototypes_pass(checker: ModuleType, library: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "_flapackmodule.c").write_text(
        f"extern void F_FUNC(sgees,SGEES)({SGEES});\n"
        "extern void F_FUNC(dgesv,DGESV)(F_INT*,F_INT*,double*,F_INT*,F_INT*,double*,F_INT*,F_INT*);\n"
    )
    assert checker.check(build, library) == []
    # and a tree with no prototype at all is a failure of the check itself, not a pass
    (build / "_flapackmodule.c").write_text("int x;\n")
    assert checker.check(build, library) != []
