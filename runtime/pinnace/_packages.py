"""Installing packages from the lock file: closure, verification, extraction.

The JS loader only moves bytes (fetch, cache, compile side modules); everything that decides
*what* is installed and *whether* the bytes are right lives here, so that the synchronous path
(an import that fetches on the spot) and the asynchronous one (``loadPackage`` from JS) share it.

What it asks of the loader goes through pinnace._loader (the table of operations, and the
errors they end in, re-exported here).  The JS side calls ``plan``, ``install_fetched`` (and
pinnace.importer's ``scan_imports``) through the FFI.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any

from ._loader import FetchError, PackageError, _Awaited, _call, _suspend, fetch_url, mode, take_file

__all__ = ["FetchError", "PackageError", "ensure", "fetch_url", "install_fetched", "load",
           "mode", "plan", "take_file"]  # fmt: skip

# difflib, hashlib, shutil and zipfile are imported where used: this module is imported at
# startup (by pinnace.importer, which runtime/src/pinnace.c installs) and must stay cheap.

SITE_PACKAGES = f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
#: Where shared_library packages (``install_dir: "dynlib"``, e.g. libopenblas) go.  Extension
#: modules of other packages name such a library as a dynamic dependency by file name, and
#: Emscripten 3.1.69 finds it only among libraries loaded under exactly that name (never in the
#: file system): the loader loads it so (its "preload") right after it is installed.  Under
#: /lib, the one tree `pinnace python` does not mount from the host (it mounts /usr): a package
#: never writes into the host's file system.
DYNLIB_DIR = "/lib/dynlib"

_lock: dict[str, Any] | None = None
installed: set[str] = set()


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
    if e.get("install_dir") == "dynlib":
        libs = e.get("shared_libraries", [])
        return bool(libs) and all(os.path.exists(os.path.join(DYNLIB_DIR, so)) for so in libs)
    info = f"{name.replace('-', '_')}-{e['version']}.dist-info"
    return os.path.isdir(os.path.join(SITE_PACKAGES, info))


def closure(names: list[str]) -> list[str]:
    """Lock package names ``names`` and everything they depend on, dependencies first."""
    pkgs = packages()
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for dep in pkgs[name].get("depends", []):
            visit(dep)
        order.append(name)

    for n in names:
        visit(n)
    return order


def requirements(name: str) -> set[str]:
    """The lock packages ``name`` depends on, directly or not."""
    return set(closure([name])) - {name}


def plan(names: list[str]) -> list[dict[str, Any]]:
    """Lock entries to install for ``names`` (package or import names): the not yet installed
    part of their dependency closure, dependencies first."""
    pkgs = packages()
    return [pkgs[n] for n in closure([resolve(n) for n in names]) if not is_installed(n)]


def install_file(entry: dict[str, Any], path: str, url: str) -> list[str]:
    """Verify ``path`` against the lock and extract it into site-packages.  Returns the
    absolute paths of its shared libraries.  On any failure nothing of it stays installed."""
    return _extract(entry, read_verified(entry, path, url), url)[1]


def read_verified(entry: dict[str, Any], path: str, url: str) -> bytes:
    """The bytes of the downloaded file ``path`` (removed), if their sha256 is the lock's."""
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
    return data


def _extract(entry: dict[str, Any], data: bytes, url: str) -> tuple[list[str], list[str]]:
    """Install a verified file: the paths it created and the absolute paths of its shared
    libraries.  On any failure nothing of it stays installed."""
    name, sos = entry["name"], entry.get("shared_libraries", [])
    if entry.get("install_dir") == "dynlib":
        extract_libraries(name, data, url, sos)
        installed.add(name)
        libs = [os.path.join(DYNLIB_DIR, so) for so in sos]
        return libs, libs
    created = extract_wheel(name, data, url)  # invalidates importlib's caches
    installed.add(name)
    return created, [os.path.join(SITE_PACKAGES, so) for so in sos]


#: The most a package archive may unpack to, as its entries declare (what is written is held
#: to it: zipfile refuses data beyond a declared size).  The largest wheel shipped, SciPy,
#: unpacks to under 50 MiB; a zip bomb would fill the wasm heap.
MAX_UNPACKED_BYTES = 512 << 20


def _open_archive(name: str, data: bytes, url: str, what: str) -> Any:
    """``data`` as a ZipFile, refused (PackageError) if it declares more than
    MAX_UNPACKED_BYTES."""
    import io
    import zipfile

    zf = zipfile.ZipFile(io.BytesIO(data))
    total = sum(i.file_size for i in zf.infolist())
    if total > MAX_UNPACKED_BYTES:
        zf.close()
        raise PackageError(f"package {name}: {url} would unpack to {total} bytes, more than "
                           f"the {MAX_UNPACKED_BYTES} a {what} may", package=name, url=url)  # fmt: skip
    return zf


def _broken_archive(name: str, url: str, what: str, e: Exception) -> PackageError:
    """The PackageError for an archive that zipfile, zlib or the file system refused: a bad zip,
    a damaged member, entries that collide (a file where a directory must go), ..."""
    return PackageError(f"package {name}: {url} is not a valid {what} ({type(e).__name__}: {e})",
                        package=name, url=url)  # fmt: skip


def extract_libraries(name: str, data: bytes, url: str, libs: list[str]) -> None:
    """Extract the libraries ``libs`` (file names, as the lock lists them) of a shared_library
    package's zip into DYNLIB_DIR; nothing else of the zip is written anywhere."""
    try:
        with _open_archive(name, data, url, "zip") as zf:
            members = {os.path.basename(n): n for n in zf.namelist() if not n.endswith("/")}
            missing = [so for so in libs if "/" in so or so not in members]
            if missing or not libs:
                raise PackageError(f"package {name}: {url} lacks the libraries the lock names: "
                                   f"{', '.join(missing) or '(none named)'}", package=name,
                                   url=url)  # fmt: skip
            contents = {so: zf.read(members[so]) for so in libs}
    except (PackageError, MemoryError):
        raise
    except Exception as e:
        raise _broken_archive(name, url, "zip", e) from e
    os.makedirs(DYNLIB_DIR, exist_ok=True)
    for so, blob in contents.items():  # whole files only: a library counts as installed once there
        part = os.path.join(DYNLIB_DIR, f".{so}.part")
        try:
            with open(part, "wb") as f:
                f.write(blob)
            os.replace(part, os.path.join(DYNLIB_DIR, so))
        finally:
            if os.path.exists(part):
                os.unlink(part)


def extract_wheel(name: str, data: bytes, url: str) -> list[str]:
    """Extract the wheel ``data`` into site-packages through a staging directory; returns the
    top-level paths it created (and the files it added to a shared ``__pycache__``).  On any failure nothing of it stays installed.  Entries with
    absolute paths or ``..`` are extracted inside the staging directory (zipfile drops those
    parts), symlink entries become plain files and no permission bits are kept: nothing is
    written outside site-packages."""
    staging = os.path.join(SITE_PACKAGES, f".pinnace-staging-{name}")
    remove_paths([staging])  # a directory, or a file an entry named ".." made
    moved: list[str] = []
    try:
        with _open_archive(name, data, url, "wheel") as zf:
            bad = zf.testzip()
            if bad is not None:
                raise PackageError(f"package {name}: {url}: corrupt member {bad}", package=name,
                                   url=url)  # fmt: skip
            zf.extractall(staging)
        try:
            for item in _placed(staging):
                target = os.path.join(SITE_PACKAGES, item)
                if os.path.lexists(target):
                    raise PackageError(f"package {name}: {item} already exists in site-packages",
                                       package=name)  # fmt: skip
                os.rename(os.path.join(staging, item), target)
                moved.append(target)
        except BaseException:
            remove_paths(moved)
            raise
    except (PackageError, MemoryError):
        raise
    except Exception as e:
        raise _broken_archive(name, url, "wheel", e) from e
    finally:
        remove_paths([staging])  # a directory, or a file an entry named ".." made
    importlib_invalidate()
    return moved


def _placed(staging: str) -> list[str]:
    """What an extraction moves into site-packages: the staging directory's top-level entries,
    but the files of a top-level ``__pycache__`` one by one when site-packages has one already
    (the bytecode of top-level modules, such as six.py's, of several wheels)."""
    items = []
    for item in sorted(os.listdir(staging)):
        shared = os.path.join(SITE_PACKAGES, item)
        if item == "__pycache__" and os.path.isdir(shared) and not os.path.islink(shared):
            items += [f"{item}/{f}" for f in sorted(os.listdir(os.path.join(staging, item)))]
        else:
            items.append(item)
    return items


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
    first); returns the shared libraries they brought.  All or nothing: every file is checked
    against the lock before any is installed, and a failure part-way removes what this call
    installed (a package whose shared library is missing would not import).  Every file is
    removed either way."""
    items = list(fetched)
    verified: list[tuple[dict[str, Any], bytes, str]] = []
    try:
        for item in items:
            entry = packages()[item["name"]]
            verified.append((entry, read_verified(entry, item["path"], item["url"]), item["url"]))
    finally:
        for item in items:  # files left by a failure part-way are removed
            if os.path.exists(item["path"]):
                os.unlink(item["path"])
    done: list[tuple[str, list[str]]] = []
    libs: list[str] = []
    try:
        for entry, data, url in verified:
            created, entry_libs = _extract(entry, data, url)
            done.append((entry["name"], created))
            libs += entry_libs
    except BaseException:
        for name, created in reversed(done):
            remove_paths(created)
            installed.discard(name)
        raise
    return libs


def _take_interrupt(fetched: list[dict[str, str]]) -> None:
    """Raise here, before anything is installed, an interrupt that came during a synchronous
    download (left to the next bytecodes, it could land in a weakref callback that the garbage
    collector runs, where Python prints it as ignored and goes on); the downloaded files go."""
    from _pinnace_ffi import check_interrupt

    try:
        check_interrupt()
    except BaseException:
        for item in fetched:
            if os.path.exists(item["path"]):
                os.unlink(item["path"])
        raise


def ensure(names: list[str], suspend: bool = False) -> bool:
    """Install ``names`` and their dependencies now, fetching through the loader: synchronously,
    or with ``suspend`` by suspending Python while the loader downloads (JSPI).  Returns False,
    having done nothing, where Python cannot suspend.  Raises PackageError (an ImportError)
    naming the package and the URL on failure."""
    from _pinnace_ffi import to_js

    todo = [e["name"] for e in plan(names)]
    if not todo:
        return True
    if suspend:
        text = _suspend("fetch", todo)
        if text is None:
            return False
        fetched = json.loads(text)
    else:
        fetched = _call("fetch", to_js(todo)).to_py()
        _take_interrupt(fetched)
    libs = install_fetched(fetched)
    dynlibs = [p for p in libs if p.startswith(DYNLIB_DIR + "/")]
    if dynlibs and not suspend:  # loaded by file name now; extension modules at dlopen()
        _call("preload", to_js(dynlibs))
    if suspend and libs and _suspend("preload", libs) is None:
        raise PackageError(f"package {todo[-1]}: could not suspend to load its .so files",
                           package=todo[-1])  # fmt: skip
    return True
