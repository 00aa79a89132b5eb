"""The pinned toolchain: doctor, and smoke builds of a C program and a dlopen'ed side module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.hosts import BUILD


def pinnace(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ if env is None else env, PYTHONPATH=str(BUILD))
    return subprocess.run([sys.executable, "-m", "pinnace_build.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)  # fmt: skip


def test_doctor_reports_missing_pieces_with_the_fix(tmp_path: Path) -> None:
    res = pinnace("toolchain", "doctor", env=dict(os.environ, PINNACE_CACHE=str(tmp_path)))
    assert res.returncode == 1
    assert "MISSING emscripten 3.1.69" in res.stdout
    assert "MISSING binaryen 120" in res.stdout
    assert "To fix:\n  pinnace toolchain install" in res.stdout


def test_doctor_is_happy_with_the_installed_toolchain() -> None:
    res = pinnace("toolchain", "doctor")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "MISSING" not in res.stdout
    assert "emcc runs" in res.stdout and "3.1.69" in res.stdout


def test_env_prints_exports() -> None:
    res = pinnace("toolchain", "env")
    assert res.returncode == 0
    assert res.stdout.startswith("export EM_CONFIG=")


@pytest.fixture(scope="module")
def emenv() -> dict[str, str]:
    sys.path.insert(0, str(BUILD))
    from pinnace_build import toolchain

    tc = toolchain.find()
    if tc is None:
        pytest.fail("toolchain not installed: run `make toolchain`")
    return {**tc.env(), "EMCC": str(tc.emcc)}


def test_smoke_c_program(emenv: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "hello.c").write_text(
        '#include <stdio.h>\nint main(void){ printf("hello from wasm %d\\n", 6*7); return 3; }\n'
    )
    subprocess.run([emenv["EMCC"], "-O2", "hello.c", "-o", "hello.js"], cwd=tmp_path, env=emenv,
                   check=True)  # fmt: skip
    res = subprocess.run(["node", "hello.js"], cwd=tmp_path, capture_output=True, text=True)
    assert res.stdout == "hello from wasm 42\n"
    assert res.returncode == 3


def test_side_module_loaded_with_dlopen(emenv: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "side.c").write_text(
        "#include <stdio.h>\nint side_counter = 40;\n"
        'int side_add(int a, int b) { side_counter++; printf("side_add(%d,%d)\\n", a, b);'
        " return a + b + side_counter; }\n"
    )
    (tmp_path / "main.c").write_text(
        "#include <stdio.h>\n#include <dlfcn.h>\n"
        "int main(void) {\n"
        '  void *h = dlopen("./libside.so", RTLD_NOW);\n'
        '  if (!h) { printf("dlopen: %s\\n", dlerror()); return 1; }\n'
        '  int (*f)(int, int) = (int (*)(int, int))dlsym(h, "side_add");\n'
        '  if (!f) { printf("dlsym: %s\\n", dlerror()); return 1; }\n'
        '  printf("result=%d\\n", f(1, 2)); return 0;\n}\n'
    )
    cc = emenv["EMCC"]
    subprocess.run([cc, "-O2", "-fPIC", "-sSIDE_MODULE=1", "side.c", "-o", "libside.so"],
                   cwd=tmp_path, env=emenv, check=True)  # fmt: skip
    subprocess.run([cc, "-O2", "-sMAIN_MODULE=1", "-sNODERAWFS", "main.c", "-o", "main.js"],
                   cwd=tmp_path, env=emenv, check=True)  # fmt: skip
    res = subprocess.run(["node", "main.js"], cwd=tmp_path, capture_output=True, text=True)
    assert res.stdout == "side_add(1,2)\nresult=44\n", res.stderr
