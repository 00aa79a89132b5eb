"""``dist/pinnace-lock.json``: the one truth about which packages ship and what their bytes are.

The schema is pyodide-lock's (``info`` + ``packages``, each package with name, version,
file_name, install_dir, sha256, imports, depends, package_type, unvendored_tests), plus what
Pinnace's loader needs, under keys pyodide-lock readers ignore:

* ``size``: the file's length in bytes (progress totals before the first byte arrives);
* ``shared_libraries``: paths, inside the wheel, of its extension modules (``.so``): the loader
  compiles them (asynchronously where the host requires it) before Python dlopen()s them;
  for a ``shared_library`` package (a zip, ``install_dir: "dynlib"``, e.g. OpenBLAS), the
  libraries other modules name as dynamic dependencies (``libopenblas.so``), to be installed in
  ``DYNLIB_DIR`` and loaded under that bare name before any module that needs them;
* ``imported_by`` (stdlib pieces only, see stdlib_pieces.py): core modules whose import
  imports the piece, for the import pre-scan of ``runPythonAsync``.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from . import pyodide_root
from . import versions as V
from .recipes import Recipe

LOCK_NAME = "pinnace-lock.json"
# Where a shared_library package's files go (pyodide-lock's install_dir "dynlib").
DYNLIB_DIR = "/lib/dynlib"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wheel_entry(name: str, version: str, wheel: Path, imports: list[str], depends: list[str],
                package_type: str = "package", install_dir: str = "site") -> dict[str, Any]:  # fmt: skip
    """The lock entry of one wheel file (or shared library zip)."""
    with zipfile.ZipFile(wheel) as zf:
        libs = sorted(n for n in zf.namelist() if n.endswith(".so"))
    return {
        "name": name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": install_dir,
        "sha256": _sha256(wheel),
        "size": wheel.stat().st_size,
        "imports": imports,
        "depends": depends,
        "package_type": package_type,
        "unvendored_tests": False,
        "shared_libraries": libs,
    }


def entry(recipe: Recipe, wheel: Path) -> dict[str, Any]:
    if recipe.is_shared_library:
        return wheel_entry(recipe.name, recipe.version, wheel, list(recipe.imports),
                           list(recipe.depends), "shared_library", "dynlib")  # fmt: skip
    return wheel_entry(recipe.name, recipe.version, wheel, list(recipe.imports),
                       [*recipe.depends, *recipe.stdlib_depends])  # fmt: skip


def info() -> dict[str, str]:
    return {
        "arch": "wasm32",
        "abi_version": pyodide_root.ABI_VERSION,
        "platform": "emscripten_" + V.EMSCRIPTEN_VERSION.replace(".", "_"),
        "python": V.PYTHON_VERSION,
    }


def kept_entries(dest: Path, rebuilt: set[str]) -> list[dict[str, Any]]:
    """Entries of an existing lock in ``dest`` that stay valid: not rebuilt now, and their file
    still there with the same bytes (building one package keeps the others in the lock)."""
    path = dest / LOCK_NAME
    if not path.exists():
        return []
    old: dict[str, dict[str, Any]] = json.loads(path.read_text()).get("packages", {})
    return [
        e for name, e in old.items()
        if name not in rebuilt and (dest / e["file_name"]).exists()
        and _sha256(dest / e["file_name"]) == e["sha256"]
    ]  # fmt: skip


def write(dest: Path, built: list[tuple[Recipe, Path]],
          keep: list[dict[str, Any]] | None = None) -> Path:  # fmt: skip
    """Write the lock for ``built`` (recipe, wheel in dest) plus entries to ``keep``."""
    packages = {e["name"]: e for e in keep or []}
    packages.update({r.name: entry(r, wheel) for r, wheel in built})
    lock = {"info": info(), "packages": dict(sorted(packages.items()))}
    path = dest / LOCK_NAME
    path.write_text(json.dumps(lock, indent=1) + "\n")
    return path
