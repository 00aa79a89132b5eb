"""Bytecode in the wheels that dist/ ships.

A wheel holds ``.py`` sources; without bytecode, every page load compiles every module it
imports again (CPython in the browser keeps no ``__pycache__`` between loads): 2.7 of the 7.6 s
of a first ``import matplotlib.pyplot`` were compiling (docs/matplotlib.md).  So each wheel gets
its modules' bytecode beside their sources, compiled once here by the native build python of
the same CPython (wheel_bytecode.py; the stdlib archive is made the same way, stdlib.py).

One content-keyed step per wheel, ``pyc-<name>``, keyed by the wheel's sha256 and the build
python: adding bytecode never rebuilds a package, and a rebuilt package gets new bytecode.
The wheel keeps its file name; the lock's sha256 is that of the wheel with bytecode.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from . import cpython
from .cache import BuildError, Step, file_digest

SITE_PACKAGES = "/lib/python3.13/site-packages"  # where the runtime installs wheels
SCRIPT = Path(__file__).with_name("wheel_bytecode.py")


def step(wheel: Path) -> Step:
    return Step(f"pyc-{wheel.name.split('-')[0].lower()}",
                {"wheel": file_digest(wheel), "python": cpython.native_step().key,
                 "script": file_digest(SCRIPT), "v": 1})  # fmt: skip


def with_bytecode(wheel: Path) -> Path:
    """The wheel ``wheel`` with its modules' bytecode added (cached)."""

    def build(out: Path) -> None:
        res = subprocess.run([str(cpython.build_python()), "-I", str(SCRIPT), str(wheel),
                              str(out / wheel.name), SITE_PACKAGES],
                             capture_output=True, text=True)  # fmt: skip
        (out / "bytecode.log").write_text(res.stderr)
        if res.returncode != 0:
            raise BuildError(f"{wheel.name}: adding bytecode failed:\n{res.stderr[-3000:]}")

    return step(wheel).ensure(build) / wheel.name
