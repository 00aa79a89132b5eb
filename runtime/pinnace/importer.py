"""Lazy per-import fetching: a ``sys.meta_path`` finder for the packages in the lock file.

``import numpy`` with numpy in ``pinnace-lock.json`` but not installed: the finder asks the
loader to fetch it (and its dependencies) synchronously, verifies and installs it, then lets
the regular path finder import it.  This works wherever the host can fetch synchronously
(Node, Electron's main process, Web Workers).  Elsewhere (a browser's main thread) the
loader installs packages before the code runs (``runPythonAsync`` scans the code's imports;
``loadPackage`` names them), and an import it could not foresee raises an ImportError saying
what to do.  The finder sits at the end of ``sys.meta_path``: installed packages and the stdlib
never reach it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType

from . import _packages


class LockFinder:
    """Finds packages that the lock file knows and that are not installed yet."""

    def __init__(self) -> None:
        self._busy: set[str] = set()

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:  # fmt: skip
        if path is not None or fullname in self._busy:
            return None  # submodules are found by their package's __path__
        package = _packages.import_map().get(fullname)
        if package is None or _packages.is_installed(package):
            return None
        mode = _packages._bridge("mode")
        if mode != "sync":
            raise ImportError(
                f"No module named {fullname!r}: it is in package {package!r}, which is not "
                f"installed, and this host cannot fetch it during an import ({mode}). "
                f"Load it first: `await pinnace.loadPackage({package!r})` in JS, or run the code "
                "with `await pinnace.runPythonAsync(code)`, which installs the packages the "
                "code imports before running it.",
                name=fullname,
            )
        self._busy.add(fullname)
        try:
            _packages.ensure([package])
            return PathFinder.find_spec(fullname, path, target)
        finally:
            self._busy.discard(fullname)


def scan_imports(source: str) -> list[str]:
    """Top-level names of the modules ``source`` imports that the lock knows and that are not
    installed (the pre-scan that runs before ``runPythonAsync``)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # running the code reports it
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    imports = _packages.import_map()
    wanted = {imports[n] for n in names if n in imports}
    return sorted(p for p in wanted if not _packages.is_installed(p))


def install() -> LockFinder:
    """Put the finder on sys.meta_path (once)."""
    for f in sys.meta_path:
        if isinstance(f, LockFinder):
            return f
    finder = LockFinder()
    sys.meta_path.append(finder)
    return finder
