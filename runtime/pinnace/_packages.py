"""Installing packages from the lock file: closure, verification, extraction.

The JS loader only moves bytes (fetch, cache, compile side modules); everything that decides
*what* is installed and *whether* the bytes are right lives here, so that the synchronous path
(an import that fetches on the spot) and the asynchronous one (``loadPackage`` from JS) share it.

Bridge to the loader: ``_pinnace_packages.call(op, arg)`` (runtime/src/packages.c):

* ``"lock"``  -> the text of ``pinnace-lock.json`` ("" when the distribution has none)
* ``"mode"``  -> ``"sync"`` if the host can fetch synchronously, ``"jspi"`` if Python can
  suspend while the loader fetches (a browser's main thread with JSPI), else the reason it cannot
* ``"fetch"`` (JSON list of lock entries) -> JSON list of file paths, in the same order;
  raises OSError naming the package and URL on a failure.

and ``_pinnace_packages.suspend(op, arg)`` for the JSPI mode, which suspends Python until the
loader's asynchronous operation is done (loader-js/src/jspi.ts), or returns None where Python
cannot suspend (it was entered synchronously from JS):

* ``"fetch"`` -> like the synchronous one (downloads through the Cache API)
* ``"preload"`` (JSON list of installed shared libraries) -> "", once the loader has compiled
  them (a browser's main thread may not compile large modules synchronously in ``dlopen``)
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

# difflib, hashlib, shutil and zipfile are imported where used: this module is imported at
# startup (pinnace.importer, via a .pth file) and must stay cheap.

SITE_PACKAGES = f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"

_lock: dict[str, Any] | None = None
installed: set[str] = set()


class PackageError(ImportError):
    """A package could not be resolved, fetched, verified or installed."""


def _bridge(op: str, arg: str = "") -> str:
    import _pinnace_packages

    result: str = _pinnace_packages.call(op, arg)
    return result


def lock() -> dict[str, Any]:
    global _lock
    if _lock is None:
        text = _bridge("lock")
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
    raise PackageError(f"no package {name!r} in pinnace-lock.json{hint}")


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


def plan_json(names_json: str) -> str:
    """``plan`` for the JS loader: JSON in, JSON out."""
    return json.dumps(plan(json.loads(names_json)))


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
            f"{entry['sha256']} ({len(data)} bytes received); refusing to install it"
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
                raise PackageError(f"package {name}: {url}: corrupt member {bad}")
            zf.extractall(staging)
        try:
            for item in sorted(os.listdir(staging)):
                target = os.path.join(SITE_PACKAGES, item)
                if os.path.exists(target):
                    raise PackageError(f"package {name}: {item} already exists in site-packages")
                os.rename(os.path.join(staging, item), target)
                moved.append(target)
        except BaseException:
            remove_paths(moved)
            raise
    except zipfile.BadZipFile as e:
        raise PackageError(f"package {name}: {url} is not a valid wheel ({e})") from e
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


def install_files_json(items_json: str) -> str:
    """For the JS loader: ``[{"entry":…, "path":…, "url":…}]`` in dependency order; returns the
    JSON list of shared libraries to load.  Stops at the first failure (raising)."""
    libs: list[str] = []
    for item in json.loads(items_json):
        libs += install_file(item["entry"], item["path"], item["url"])
    return json.dumps(libs)


def _suspend(op: str, arg: str) -> str | None:
    import _pinnace_packages

    result: str | None = _pinnace_packages.suspend(op, arg)
    return result


def ensure(names: list[str], suspend: bool = False) -> bool:
    """Install ``names`` and their dependencies now, fetching through the loader: synchronously,
    or with ``suspend`` by suspending Python while the loader downloads (JSPI).  Returns False,
    having done nothing, where Python cannot suspend.  Raises PackageError (an ImportError)
    with the loader's message on failure."""
    todo = plan(names)
    if not todo:
        return True
    fetch = _suspend if suspend else _bridge
    try:
        text = fetch("fetch", json.dumps(todo))
        if text is None:
            return False
        paths = json.loads(text)
    except OSError as e:
        raise PackageError(str(e)) from None
    libs: list[str] = []
    try:
        for entry, item in zip(todo, paths):
            libs += install_file(entry, item["path"], item["url"])
    finally:
        for item in paths:  # files left by a failure part-way are removed
            if os.path.exists(item["path"]):
                os.unlink(item["path"])
    if suspend and libs:
        try:
            if _suspend("preload", json.dumps(libs)) is None:
                raise PackageError(
                    f"package {todo[-1]['name']}: could not suspend to load its .so files"
                )
        except OSError as e:
            raise PackageError(str(e)) from None
    return True
