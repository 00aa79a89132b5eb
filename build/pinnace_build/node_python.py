"""``pinnace python``: the wasm CPython under node, as a command-line Python.

``pinnace python [-c CODE | -m MOD | FILE] [ARGS...]`` passes everything through to the
interpreter: argv, stdin, stdout, stderr and the exit code behave like a native ``python``.
When CPython's test package was built (the cpython-wasm cache step), it is appended to
``PYTHONPATH`` so that ``pinnace python -m test`` runs CPython's regression tests.
"""

from __future__ import annotations

import os
import shutil
import sys

from .paths import DIST

# wasm frames live on node's native stack; deep Python recursion needs more than the default.
NODE_FLAGS = ["--stack-size=4000"]


def command(argv: list[str]) -> list[str]:
    entry = DIST / "pinnace-python.mjs"
    if not entry.exists():
        raise SystemExit("pinnace python: dist/ is not built; run: make dist")
    node = shutil.which("node")
    if node is None:
        raise SystemExit("pinnace python: node is not on PATH")
    return [node, *NODE_FLAGS, str(entry), *argv]


def environment() -> dict[str, str]:
    from . import cpython, toolchain

    env = dict(os.environ)
    tc = toolchain.find()
    build = cpython.find(tc) if tc else None
    tests = build.builddir / "testlib" if build else None
    if tests is not None and tests.is_dir():
        parts = [p for p in [env.get("PYTHONPATH"), str(tests)] if p]
        env["PYTHONPATH"] = os.pathsep.join(parts)
    return env


def main(argv: list[str]) -> int:
    """Replace this process with node: signals (Ctrl-C) and the exit status are node's."""
    cmd = command(argv)
    env = environment()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
