"""``.wasm`` files imported like extension modules (docs/host.md#wasm-as-an-import).

    import pinnace_host.importer
    pinnace_host.importer.install()
    import mylib            # finds mylib.wasm on sys.path
    mylib.add(2, 3)

After :func:`install`, ``import NAME`` that no other finder resolves looks for ``NAME.wasm`` in
each folder of ``sys.path`` (in a package's folders for ``package.NAME``) and loads it with
:func:`pinnace_host.load`: the module's function exports are its attributes (typed, with the
same string/bytes convention and errors as ``load``), ``memory`` its exported memory, and
``__wasm__`` the :class:`pinnace_host.Module`.  The options given to ``install`` (backend, WASI
grant, limits, cache) apply to every module it loads.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._api import Cache, Imports, load
from ._limits import Limits
from ._wasi import Wasi

__all__ = ["WasmFinder", "install", "uninstall"]


class WasmFinder(importlib.abc.MetaPathFinder):
    """Finds ``NAME.wasm`` on ``sys.path`` (or in a package's folders) for ``import NAME``."""

    def __init__(self, **options: Any) -> None:
        self.options = options

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:  # fmt: skip
        name = fullname.rpartition(".")[2]
        for folder in sys.path if path is None else path:
            candidate = Path(folder or os.curdir) / f"{name}.wasm"
            if candidate.is_file():
                return importlib.machinery.ModuleSpec(fullname, _WasmLoader(candidate, self.options),
                                                      origin=str(candidate))  # fmt: skip
        return None


class _WasmLoader(importlib.abc.Loader):
    def __init__(self, path: Path, options: dict[str, Any]) -> None:
        self.path = path
        self.options = options

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # a plain module object

    def exec_module(self, module: types.ModuleType) -> None:
        wasm = load(self.path, **self.options)
        module.__file__ = str(self.path)
        module.__wasm__ = wasm  # type: ignore[attr-defined]
        names = [n for n in wasm.exports if not n.startswith("__") and n != "memory"]
        for export in names:  # (names Python gives modules, and memory, are not overwritten)
            setattr(module, export, wasm.exports[export])
        module.memory = wasm.memory  # type: ignore[attr-defined]
        module.__all__ = names  # type: ignore[attr-defined]
        module.__doc__ = f"{self.path.name}, loaded by pinnace_host ({wasm.backend}): exports {', '.join(names)}"


_installed: WasmFinder | None = None


def install(*, backend: str = "wasmtime", wasi: Wasi | None = None, limits: Limits | None = None,
            imports: Imports | None = None, cache: Cache = True) -> WasmFinder:  # fmt: skip
    """Let ``import NAME`` load ``NAME.wasm`` from ``sys.path`` (after every other finder);
    calling it again replaces the options.  Returns the finder."""
    global _installed
    uninstall()
    _installed = WasmFinder(backend=backend, wasi=wasi, limits=limits, imports=imports, cache=cache)
    sys.meta_path.append(_installed)
    return _installed


def uninstall() -> None:
    """Stop finding ``.wasm`` files (modules imported already stay)."""
    global _installed
    if _installed is not None and _installed in sys.meta_path:
        sys.meta_path.remove(_installed)
    _installed = None
