"""Installing packages from the lock file: closure, verification, extraction.

The JS loader only moves bytes (fetch, cache, compile side modules); everything that decides
*what* is installed and *whether* the bytes are right lives here, so that the synchronous path
(an import that fetches on the spot) and the asynchronous one (``loadPackage`` from JS) share it.

The loader's side is one table of operations (loader-js/src/packages/ops.ts), which ``OPS``
below mirrors: ``_pinnace_packages.ops()`` (runtime/src/packages.c) gives it to Python as a
JsProxy, whose ``sync`` operations Python calls and whose ``promise`` operations it awaits
through the FFI; ``_pinnace_packages.suspend(op, json)`` runs a ``suspend`` operation while
Python is suspended (JSPI, loader-js/src/jspi.ts), or returns None where Python cannot suspend
(it was entered synchronously from JS).  A JS error arrives as a JsException carrying the JS
error; ``_from_js`` turns the loader's PackageError and FetchError into the Python ones below,
field by field.  The JS side calls ``plan``, ``install_fetched`` (and pinnace.importer's
``scan_imports``) through the FFI.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator, Iterable
from typing import Any

# difflib, hashlib, shutil and zipfile are imported where used: this module is imported at
# startup (by pinnace.importer, which runtime/src/pinnace.c installs) and must stay cheap.

SITE_PACKAGES = f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"

#: The operations of the loader's table (loader-js/src/packages/ops.ts: PACKAGE_OPS) and the ways
#: Python reaches each: "sync" (called through the FFI), "promise" (a JS promise, awaited on the
#: asyncio loop), "suspend" (``_pinnace_packages.suspend``, JSPI).  loader-js/test/ops.test.ts
#: checks that both sides name the same.
OPS: dict[str, tuple[str, ...]] = {
    "lock": ("sync",),  # the lock file's text ("" when the distribution has none)
    "mode": ("sync",),  # "sync", "jspi", or the reason an import cannot fetch here
    "fetch": ("sync", "suspend"),  # package names -> [{name, path, url}] of temporary files
    "fetch_url": ("sync", "promise"),  # any URL -> the path of a temporary file
    "load": ("promise",),  # package names: installed the loader's way (loadPackage)
    "preload": ("suspend",),  # paths of installed side modules: compiled ahead of dlopen
    "resumed": ("sync",),  # Python runs again after a suspension (runtime/src/packages.c)
}

_lock: dict[str, Any] | None = None
_table: Any = None
installed: set[str] = set()


class FetchError(OSError):
    """The loader could not fetch ``url``; ``str()`` is the reason alone (``reason``), e.g.
    "HTTP 404 Not Found" or "network error (...)".  ``kind`` and ``status`` are the JS side's
    FetchFailure (loader-js/src/errors.ts): "http" (with the status), "network", "missing"
    (a local file that is not there) or "unreadable"."""

    def __init__(self, reason: str, url: str | None = None, kind: str | None = None,
                 status: int | None = None) -> None:  # fmt: skip
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.kind = kind
        self.status = status

    @property
    def not_found(self) -> bool:
        """Whether there is no such file (HTTP 404, or a missing local file)."""
        return self.kind == "missing" or (self.kind == "http" and self.status == 404)


class PackageError(ImportError):
    """A package could not be resolved, fetched, verified or installed.  ``package`` and
    ``url`` name what failed, where known, and ``failure`` is the FetchError when a fetch
    failed (the JS loader's PackageError has the same fields)."""

    def __init__(self, message: str, *, package: str | None = None, url: str | None = None,
                 failure: FetchError | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.package = package
        self.url = url
        self.failure = failure


def _field(js_error: Any, name: str) -> Any:
    try:
        return getattr(js_error, name)
    except AttributeError:
        return None


def _failure(js_error: Any, reason: str) -> FetchError | None:
    """The FetchError for the ``failure`` (a JS FetchFailure) of a JS error, if it has one."""
    f = _field(js_error, "failure")
    if f is None:
        return None
    return FetchError(reason, _field(js_error, "url"), _field(f, "kind"), _field(f, "status"))


def _from_js(exc: Any) -> BaseException:
    """The Python error for a JS error of the loader (a JsException), by its type and fields."""
    err = exc.js_error
    if exc.name == "PackageError":
        return PackageError(exc.message, package=_field(err, "package"), url=_field(err, "url"),
                            failure=_failure(err, exc.message))  # fmt: skip
    if exc.name == "FetchError":
        return _failure(err, _field(err, "reason") or exc.message) or FetchError(exc.message)
    return exc  # not the loader's: the JS error as it is


def _ops(way: str) -> Any:
    """One way of the loader's table (a JsProxy)."""
    global _table
    if _table is None:
        import _pinnace_packages

        from . import ffi  # JS errors become JsException once it is imported

        del ffi
        _table = _pinnace_packages.ops()
        if _table is None:
            raise PackageError("the Pinnace loader has not installed its package manager")
    return getattr(_table, way)


def _call(op: str, *args: Any) -> Any:
    """A "sync" operation of the loader; its errors as Python errors (``_from_js``)."""
    from .ffi import JsException

    assert "sync" in OPS[op], op
    try:
        return getattr(_ops("sync"), op)(*args)
    except JsException as e:
        raise _from_js(e) from None


def _suspend(op: str, value: Any) -> str | None:
    """A "suspend" operation: the JSON of its result, or None where Python cannot suspend."""
    import _pinnace_packages

    from .ffi import JsException

    assert "suspend" in OPS[op], op
    try:
        return _pinnace_packages.suspend(op, json.dumps(value))  # type: ignore[no-any-return]
    except JsException as e:
        raise _from_js(e) from None


class _Awaited:
    """A "promise" operation awaited on the asyncio loop; where the host fetches synchronously
    (``mode() == "sync"``) its "sync" twin, done at once."""

    def __init__(self, op: str, *args: Any) -> None:
        assert "promise" in OPS[op], op
        self.op, self.args = op, args

    def __await__(self) -> Generator[Any, Any, Any]:
        if "sync" in OPS[self.op] and mode() == "sync":
            return _call(self.op, *self.args)
        from .ffi import JsException

        try:
            promise = getattr(_ops("promise"), self.op)(*self.args)
            return (yield from promise.__await__())
        except JsException as e:
            raise _from_js(e) from None


def mode() -> str:
    """How an import fetches here: "sync", "jspi", or the reason it cannot (OPS["mode"])."""
    return str(_call("mode"))


def fetch_url(url: str) -> _Awaited:
    """Await the path of a temporary file holding the bytes at ``url`` (remove it when read);
    FetchError (an OSError) if they cannot be had."""
    return _Awaited("fetch_url", url)


async def load(names: list[str]) -> None:
    """Install lock packages (and their dependencies): at once where the host fetches
    synchronously, else the loader's way (``loadPackage``), awaited."""
    if not names:
        return
    if mode() == "sync":
        ensure(names)
        return
    from _pinnace_ffi import to_js

    await _Awaited("load", to_js(names))


def lock() -> dict[str, Any]:
    global _lock
    if _lock is None:
        text = _call("lock")
        _lock = json.loads(text) if text else {"info": {}, "packages": {}}
    return _lock


def packages() -> dict[str, dict[str, Any]]:
    return lock()["packages"]  # type: ignore[no-any-return]


def import_map(prescan: bool = False) -> dict[str, str]:
    """Top-level import name -> package name.  ``prescan``: also the core modules that import
    a stdlib piece as they are imported (its ``imported_by``, e.g. decimal -> _decimal)."""
    keys = ("imports", "imported_by") if prescan else ("imports",)
    return {imp: name for name, e in packages().items() for k in keys for imp in e.get(k, [])}


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def resolve(name: str) -> str:
    """A package name from a package or import name; PackageError listing close names."""
    pkgs = packages()
    if name in pkgs:
        return name
    canon = {_canonical(n): n for n in pkgs}
    if _canonical(name) in canon:
        return canon[_canonical(name)]
    imports = import_map()
    if name in imports:
        return imports[name]
    import difflib

    close = difflib.get_close_matches(name, sorted({*pkgs, *imports}), n=5, cutoff=0.6)
    hint = f"; close names: {', '.join(close)}" if close else ""
    raise PackageError(f"no package {name!r} in pinnace-lock.json{hint}", package=name)


def is_installed(name: str) -> bool:
    if name in installed:
        return True
    e = packages()[name]
    info = f"{name.replace('-', '_')}-{e['version']}.dist-info"
    return os.path.isdir(os.path.join(SITE_PACKAGES, info))


def plan(names: list[str]) -> list[dict[str, Any]]:
    """Lock entries to install for ``names`` (package or import names): the not yet installed
    part of their dependency closure, dependencies first."""
    pkgs = packages()
    order: list[dict[str, Any]] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for dep in pkgs[name].get("depends", []):
            visit(dep)
        if not is_installed(name):
            order.append(pkgs[name])

    for n in names:
        visit(resolve(n))
    return order


def install_file(entry: dict[str, Any], path: str, url: str) -> list[str]:
    """Verify ``path`` against the lock and extract it into site-packages.  Returns the
    absolute paths of its shared libraries.  On any failure nothing of it stays installed."""
    import hashlib

    name = entry["name"]
    try:
        with open(path, "rb") as f:
            data = f.read()
    finally:
        if os.path.exists(path):
            os.unlink(path)
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise PackageError(
            f"package {name}: {url} has sha256 {digest}, but pinnace-lock.json says "
            f"{entry['sha256']} ({len(data)} bytes received); refusing to install it",
            package=name,
            url=url,
        )
    extract_wheel(name, data, url)
    installed.add(name)
    importlib_invalidate()
    return [os.path.join(SITE_PACKAGES, so) for so in entry.get("shared_libraries", [])]


def extract_wheel(name: str, data: bytes, url: str) -> list[str]:
    """Extract the wheel ``data`` into site-packages through a staging directory; returns the
    top-level paths it created.  On any failure nothing of it stays installed."""
    import io
    import shutil
    import zipfile

    staging = os.path.join(SITE_PACKAGES, f".pinnace-staging-{name}")
    shutil.rmtree(staging, ignore_errors=True)
    moved: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise PackageError(f"package {name}: {url}: corrupt member {bad}", package=name,
                                   url=url)  # fmt: skip
            zf.extractall(staging)
        try:
            for item in sorted(os.listdir(staging)):
                target = os.path.join(SITE_PACKAGES, item)
                if os.path.exists(target):
                    raise PackageError(f"package {name}: {item} already exists in site-packages",
                                       package=name)  # fmt: skip
                os.rename(os.path.join(staging, item), target)
                moved.append(target)
        except BaseException:
            remove_paths(moved)
            raise
    except zipfile.BadZipFile as e:
        raise PackageError(f"package {name}: {url} is not a valid wheel ({e})", package=name,
                           url=url) from e  # fmt: skip
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    importlib_invalidate()
    return moved


def remove_paths(paths: list[str]) -> None:
    """Remove installed top-level files and directories (rolling back an extraction)."""
    import shutil

    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.unlink(path)
    importlib_invalidate()


def importlib_invalidate() -> None:
    import importlib

    importlib.invalidate_caches()


def install_fetched(fetched: Iterable[dict[str, str]]) -> list[str]:
    """Verify and install files the loader fetched (``[{"name", "path", "url"}]``, dependencies
    first); returns the shared libraries they brought.  Stops at the first failure (raising);
    every file is removed either way."""
    items = list(fetched)
    libs: list[str] = []
    try:
        for item in items:
            libs += install_file(packages()[item["name"]], item["path"], item["url"])
    finally:
        for item in items:  # files left by a failure part-way are removed
            if os.path.exists(item["path"]):
                os.unlink(item["path"])
    return libs


def ensure(names: list[str], suspend: bool = False) -> bool:
    """Install ``names`` and their dependencies now, fetching through the loader: synchronously,
    or with ``suspend`` by suspending Python while the loader downloads (JSPI).  Returns False,
    having done nothing, where Python cannot suspend.  Raises PackageError (an ImportError)
    naming the package and the URL on failure."""
    todo = [e["name"] for e in plan(names)]
    if not todo:
        return True
    if suspend:
        text = _suspend("fetch", todo)
        if text is None:
            return False
        fetched = json.loads(text)
    else:
        from _pinnace_ffi import to_js

        fetched = _call("fetch", to_js(todo)).to_py()
    libs = install_fetched(fetched)
    if suspend and libs and _suspend("preload", libs) is None:
        raise PackageError(f"package {todo[-1]}: could not suspend to load its .so files",
                           package=todo[-1])  # fmt: skip
    return True
