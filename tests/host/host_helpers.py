"""Helpers shared by the pinnace_host tests (imported by conftest.py and the test files)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

MODULES = Path(__file__).parent / "modules"
CLANG = os.environ.get("PINNACE_WASI_CC", "clang-19")
C_BUILDS = {
    "lib": ["-O2", "-mexec-model=reactor"],
    "cmd": ["-O2"],
}


def _clang_version() -> str:
    if shutil.which(CLANG) is None:
        pytest.fail(
            f"{CLANG} not found: run build/setup-host.sh (clang-19, wasi-libc, "
            "libclang-rt-19-dev-wasm32)",
            pytrace=False,
        )
    return subprocess.run([CLANG, "--version"], capture_output=True, text=True, check=True).stdout


USER_CACHE = os.environ.get("PINNACE_CACHE") or os.path.join(Path.home(), ".cache", "pinnace")


def _build_dir() -> Path:
    base = USER_CACHE
    return Path(base) / "host-test-modules"


def compile_c(source: Path, flags: list[str], out_dir: Path) -> Path:
    """Compile ``source`` to wasm32-wasi (cached by content, flags and compiler)."""
    key = hashlib.sha256(
        source.read_bytes() + "\0".join(flags).encode() + _clang_version().encode()
    ).hexdigest()[:16]
    out = out_dir / f"{source.stem}-{key}.wasm"
    if not out.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        cmd = [CLANG, "--target=wasm32-wasi", *flags, str(source), "-o", str(tmp)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed:\n{done.stderr}", pytrace=False)
        tmp.replace(out)
    return out


def wat(name: str) -> str:
    """The WAT text of tests/host/modules/NAME.wat."""
    return (MODULES / f"{name}.wat").read_text()


class HostLog:
    """The env.log / env.twice imports lib.c needs, recording what the guest sent."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def log(self, message: str) -> None:
        self.messages.append(message)

    @staticmethod
    def twice(x: int) -> int:
        return 2 * x

    def imports(self) -> dict[str, dict[str, object]]:
        return {"env": {"log": self.log, "twice": self.twice}}
