"""``pinnace python``: the wasm CPython under node, as a command-line Python.

``pinnace python [-c CODE | -m MOD | FILE] [ARGS...]`` passes everything through to the
interpreter: argv, stdin, stdout, stderr and the exit code behave like a native ``python``.
CPython's test package is the stdlib piece ``test`` of dist/: ``pinnace python -m test``
fetches it from dist/ on first import, like any lazily fetched package.
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


def main(argv: list[str]) -> int:
    """Replace this process with node: signals (Ctrl-C) and the exit status are node's."""
    cmd = command(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
