"""Lazy per-import fetching: a ``sys.meta_path`` finder for the packages in the lock file.

``import numpy`` with numpy in ``pinnace-lock.json`` but not installed: the finder asks the
loader to fetch it (and its dependencies) synchronously, verifies and installs it, then lets
the regular path finder import it. This works wherever the host can fetch synchronously (Node,
Electron's main process, Web Workers). On a browser's main thread with JSPI, Python suspends
while the loader downloads instead, in code that the asyncio loop runs (``runPythonAsync``,
tasks). Elsewhere the loader installs packages before the code runs (``runPythonAsync`` scans
the code's imports; ``loadPackage`` names them), and an import it could not foresee raises an
ImportError saying what to do. The finder sits at the end of ``sys.meta_path``: installed
packages and the stdlib never reach it.

Stdlib pieces (sqlite3, lzma, _decimal, test: fetched separately, see docs/packages.md) are
lock packages too.  The core stdlib probes some of them as it is imported (``shutil`` and
``zipfile`` try ``import lzma``): fetching then would download lzma for every ``import
shutil``.  So an import *by a core stdlib module* gets a stand-in module instead, which fetches
and imports the real one on its first attribute access (``zipfile.lzma.LZMACompressor``).
A stand-in's ``__path__`` fetches when the import system asks for it to import a submodule
(zoneinfo imports ``tzdata.zoneinfo`` only when a zone is not on the system, and wasm has none).
Imports by any other code (yours, a package's, ``runPython``'s) fetch at once, with one
exception: what a lock package imports *while it is itself being imported*, of a lock package
it does not depend on, is an availability probe (``import sklearn`` tries ``import pandas``,
``import pandas`` tries ``import pytz``), answered as if that package were not installed, as it
would be natively; once the package is imported, its imports fetch (a feature that imports its
optional dependency when it is used).  ``decimal``
uses ``_decimal`` as it is imported (``from _decimal import *``), so that fetches right away;
where it cannot (a browser's main thread outside the pre-scan), decimal falls back to its
pure-Python twin ``_pydecimal``, as CPython does when ``_decimal`` is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder
from types import FrameType, ModuleType

from . import _packages, _state

_IMPORT_MACHINERY = ("<frozen importlib.", _state.STDLIB_DIR + "importlib/")


def _imported_by_core_stdlib(frame: FrameType | None) -> bool:
    """Whether the import ``frame`` (the importing code's) runs is made by a module of the core
    stdlib (not by the runtime, which runs your code, nor by code outside the stdlib archive)."""
    if frame is None:
        return False
    filename = frame.f_code.co_filename
    return filename.startswith(_state.STDLIB_DIR) and not filename.startswith(_state.RUNTIME_DIR)


def _importer_frame() -> FrameType | None:
    """The frame of the code that runs the import being resolved (past this module and the
    import system)."""
    frame: FrameType | None = sys._getframe(1)
    here = _importer_frame.__code__.co_filename
    while frame is not None and (frame.f_code.co_filename == here
                                 or frame.f_code.co_filename.startswith(_IMPORT_MACHINERY)):
        frame = frame.f_back
    return frame


def _is_optional_probe(frame: FrameType | None, package: str) -> bool:
    """Whether ``frame`` importing ``package`` is an availability probe: an import, made while a
    lock package is itself being imported, of a lock package it does not depend on (not
    fetched)."""
    if frame is None:
        return False
    top = str(frame.f_globals.get("__name__", "")).partition(".")[0]
    importer = _packages.import_map().get(top)
    if importer is None or importer == package or not _packages.is_installed(importer):
        return False
    spec = getattr(sys.modules.get(top), "__spec__", None)
    if not getattr(spec, "_initializing", False):  # imported already: a feature's own import
        return False
    return package not in _packages.requirements(importer)


def _fetch(fullname: str, package: str) -> None:
    """Install ``package`` (which provides ``fullname``) now, or raise an ImportError saying
    how to load it when this host cannot fetch during an import."""
    mode = _packages.mode()
    if mode not in ("sync", "jspi"):
        raise _cannot_fetch(fullname, package, mode)
    if not _packages.ensure([package], suspend=mode == "jspi"):
        raise _cannot_fetch(fullname, package, NOT_SUSPENDABLE)


NOT_SUSPENDABLE = (
    "Python was called synchronously from JS here (runPython, or a JS callback), and only "
    "code that the asyncio loop runs (runPythonAsync, tasks) can wait for a download"
)


def _cannot_fetch(fullname: str, package: str, reason: str) -> ImportError:
    """The ImportError of a lock package this host cannot fetch now.  Its ``package`` (as a
    PackageError's) tells it from a module that does not exist: the stdlib's codec search
    (build/stdlib-patches/encodings.patch) lets it through instead of "unknown encoding"."""
    err = ImportError(
        f"No module named {fullname!r}: it is in package {package!r}, which is not "
        f"installed, and this host cannot fetch it during an import ({reason}). "
        f"Load it first: `await pinnace.loadPackage({package!r})` in JS, or run the code "
        "with `await pinnace.runPythonAsync(code)`, which installs the packages the "
        "code imports before running it.",
        name=fullname,
    )
    err.package = package  # type: ignore[attr-defined]
    return err


def _is_probe(attr: str) -> bool:
    """Dunders other than __all__ (which `from x import *` reads) do not fetch: code that walks
    sys.modules asks every module for __path__ or __file__ (importlib while creating the
    stand-in, regrtest, pickle), and must not download the pieces it comes across.  But
    __path__ asked by the import system to import a submodule (``tzdata.zoneinfo``) does."""
    if attr == "__path__":
        caller = sys._getframe(2)  # past __getattr__ and _is_probe
        return caller.f_code.co_name != "_find_and_load_unlocked"
    return attr.startswith("__") and attr.endswith("__") and attr != "__all__"


class _StandIn(ModuleType):
    """A not yet fetched module, imported by the core stdlib: its first attribute access
    fetches and imports the real module (which replaces it in sys.modules), takes a copy of its
    namespace and forwards what it lacks to it."""

    def __getattr__(self, attr: str) -> object:
        d = self.__dict__
        real = d.get("__pinnace_real__")
        if real is None and (not d.get("__pinnace_ready__") or _is_probe(attr)):
            raise AttributeError(attr)
        if real is None:
            name = self.__name__
            if sys.modules.get(name) is self:
                del sys.modules[name]  # a failure below leaves no stand-in behind
            try:
                _fetch(name, d["__pinnace_package__"])
            except ImportError as exc:  # raised here: the frames below are the runtime's
                raise exc.with_traceback(None)  # noqa: B904 (the same exception, not a new one)
            import importlib

            real = d["__pinnace_real__"] = importlib.import_module(name)
            # A copy of its namespace: `from x import *` reads __dict__ when there is no
            # __all__, and dunders every module has (__doc__, __spec__) are never forwarded.
            d.update(real.__dict__)
        return getattr(real, attr)


class _StandInLoader:  # a loader (importlib.abc would import typing)
    def __init__(self, package: str) -> None:
        self.package = package

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = _StandIn(spec.name)
        module.__dict__["__pinnace_package__"] = self.package
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__["__pinnace_ready__"] = True


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
        frame = _importer_frame()
        if _imported_by_core_stdlib(frame):
            return ModuleSpec(fullname, _StandInLoader(package))  # type: ignore[arg-type]
        if _is_optional_probe(frame, package):
            return None  # not installed, as far as the probing package can tell
        self._busy.add(fullname)
        try:
            _fetch(fullname, package)
        except (ImportError, KeyboardInterrupt) as exc:  # raised here: the frames below are
            # the runtime's (an interrupt is taken when Python runs again after a download)
            raise exc.with_traceback(None)  # noqa: B904 (the same exception, not a new one)
        finally:
            self._busy.discard(fullname)
        return PathFinder.find_spec(fullname, path, target)


def imported_names(source: str) -> list[str]:
    """Top-level names of the modules ``source`` imports (absolute imports), in the order first
    seen; SyntaxError if it does not parse."""
    import ast

    names: dict[str, None] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update((a.name.split(".")[0], None) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names[node.module.split(".")[0]] = None
    return list(names)


def scan_imports(source: str) -> list[str]:
    """Top-level names of the modules ``source`` imports that the lock knows and that are not
    installed (the pre-scan that runs before ``runPythonAsync``)."""
    try:
        names = imported_names(source)
    except SyntaxError:
        return []  # running the code reports it
    imports = _packages.import_map(prescan=True)
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
