"""Fixtures for the pinnace_host tests: test modules built from source (tests/host/modules/).

C sources are compiled with clang-19 for wasm32-wasi (Debian's wasi-libc and
libclang-rt-19-dev-wasm32, installed by build/setup-host.sh) into a cache directory keyed by
the source, flags and compiler, so a re-run reuses them. WAT sources are read as text.
Every test also gets its own empty compile cache (PINNACE_CACHE) unless it asks otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import pinnace_host

from .host_helpers import C_BUILDS, MODULES, HostLog, _build_dir, compile_c


@pytest.fixture(scope="session")
def wasm_dir() -> dict[str, Path]:
    """name -> compiled .wasm path for every C test module."""
    out_dir = _build_dir()
    return {
        name: compile_c(MODULES / f"{name}.c", flags, out_dir) for name, flags in C_BUILDS.items()
    }


@pytest.fixture(scope="session")
def lib_wasm(wasm_dir: dict[str, Path]) -> Path:
    return wasm_dir["lib"]


@pytest.fixture(scope="session")
def cmd_wasm(wasm_dir: dict[str, Path]) -> Path:
    return wasm_dir["cmd"]


@pytest.fixture(autouse=True)
def compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty compile cache for each test, and a cold in-process cache."""
    from pinnace_host._backends import _wt_engine

    root = tmp_path_factory.mktemp("pinnace-cache")
    old = os.environ.get("PINNACE_CACHE")
    os.environ["PINNACE_CACHE"] = str(root)
    _wt_engine.forget_compiled()
    try:
        yield root / "host-modules"
    finally:
        if old is None:
            del os.environ["PINNACE_CACHE"]
        else:
            os.environ["PINNACE_CACHE"] = old


@pytest.fixture
def host_log() -> HostLog:
    return HostLog()


@pytest.fixture
def lib(lib_wasm: Path, host_log: HostLog) -> pinnace_host.Module:
    return pinnace_host.load(lib_wasm, imports=host_log.imports())
