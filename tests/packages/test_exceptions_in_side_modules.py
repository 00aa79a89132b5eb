"""C++ exceptions and C's setjmp/longjmp inside side modules (SciPy's pybind11, Boost and HiGHS
code throws and catches; its callbacks and qhull longjmp), built with the flags every package
is built with (pyodide_root.CFLAGS_BASE, CXXFLAGS_BASE, LDFLAGS_BASE: WebAssembly exception
handling) and loaded into the main module (linked with link.EH_FLAGS) by `pinnace python`.
Before both sides agreed on exception handling, a `throw` ended the whole process."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from support.hosts import run_pinnace_python

CXX = r"""
#include <stdexcept>
#include <string>
struct Guard { int *n; ~Guard() { ++*n; } };  // a destructor that must run while unwinding
static void deep(int x, int *n) { Guard g{n}; if (x) throw std::invalid_argument("bad " + std::to_string(x)); }
extern "C" int caught(int x) {
  int unwound = 0;
  try { deep(x, &unwound); return 0; }
  catch (const std::invalid_argument &e) { return 100 * unwound + (int)std::string(e.what()).size(); }
}
"""
C_SETJMP = r"""
#include <setjmp.h>
static jmp_buf env;
static void fail(int code) { longjmp(env, code); }
int jumps(int code) {
  int got = setjmp(env);
  if (got) return 1000 + got;
  fail(code);
  return 0;
}
"""
USE = """
import ctypes
cxx = ctypes.CDLL("{dir}/libcxx.so")
c = ctypes.CDLL("{dir}/libsjlj.so")
print(cxx.caught(0), cxx.caught(7), c.jumps(5), [cxx.caught(i) for i in range(3)])
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pinnace_build import pyodide_root, toolchain

    tc = toolchain.find()
    if tc is None:
        pytest.fail("toolchain not installed: run `make toolchain`")
    d = tmp_path_factory.mktemp("eh")
    (d / "t.cpp").write_text(CXX)
    (d / "s.c").write_text(C_SETJMP)
    cflags = shlex.split(pyodide_root.CFLAGS_BASE)
    cxxflags = shlex.split(pyodide_root.CXXFLAGS_BASE)
    ldflags = [*shlex.split(pyodide_root.LDFLAGS_BASE), "-sSIDE_MODULE=1", "-Wl,--fatal-warnings"]
    for cmd in (
        [str(tc.emroot / "em++"), *cflags, *cxxflags, *ldflags, "t.cpp", "-o", "libcxx.so"],
        [str(tc.emcc), *cflags, *ldflags, "s.c", "-o", "libsjlj.so"],
    ):
        res = subprocess.run(cmd, cwd=d, env=tc.env(), capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
    return d


def test_cxx_exceptions_and_longjmp_in_side_modules(built: Path) -> None:
    res = run_pinnace_python(["-c", USE.format(dir=built)])
    assert res.returncode == 0, res.stderr.decode()
    # caught(7): one destructor ran while unwinding (100) + len("bad 7") (5)
    assert res.stdout.decode().split() == ["0", "105", "1005", "[0,", "105,", "105]"]
