"""Package recipes: ``recipes/<name>/meta.yaml`` in pyodide-build's schema, read as data.

Only what Pinnace's own build needs is interpreted here (name, version, source, ``build.type``,
run and host requirements, top-level import names); building a recipe from source is
pyodide-build's job (see packages.py).  ``build.type: shared_library`` makes a C library that is
a package of its own (OpenBLAS): pyodide-build zips what its script puts in ``$DISTDIR``, and
what the script installs into the host prefix ``$WASM_LIBRARY_DIR`` (headers, the library,
pkg-config files) is handed to the recipes that list it under ``requirements.host``.
``build.type: static_library`` makes a C library that ships in no package: its script installs
headers, ``.a`` archives and ``.pc`` files into the host prefix only, and the packages that list
it under ``requirements.host`` link it into their own modules (freetype into matplotlib and
Pillow).  A recipe whose source URL is a ``.whl`` is a pure-Python package taken as
that wheel, verified against its sha256 and shipped unchanged, or with the recipe's
``source.patches`` applied (wheelpatch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .cache import tree_digest
from .paths import RECIPES


class RecipeError(ValueError):
    pass


@dataclass(frozen=True)
class Recipe:
    name: str
    version: str
    directory: Path
    url: str
    sha256: str
    depends: tuple[str, ...]
    imports: tuple[str, ...]
    summary: str
    patches: tuple[Path, ...] = ()
    package_type: str = "package"
    host_depends: tuple[str, ...] = ()
    disabled: bool = False
    # stdlib pieces (stdlib_pieces.py) its modules import as they are imported: in the lock's
    # depends, so they are fetched with it (``requirements: stdlib:``, a Pinnace key)
    stdlib_depends: tuple[str, ...] = ()

    @property
    def is_wheel(self) -> bool:
        """A prebuilt pure-Python wheel (taken as is) rather than a source build."""
        return self.url.endswith(".whl")

    @property
    def is_shared_library(self) -> bool:
        """A C library shipped as a package of its own (a zip of .so files, no Python)."""
        return self.package_type == "shared_library"

    @property
    def is_static_library(self) -> bool:
        """A C library linked into the packages built against it; it ships in no package."""
        return self.package_type == "static_library"

    @property
    def is_library(self) -> bool:
        """A C library (static or shared): its build keeps the host prefix it installed."""
        return self.is_shared_library or self.is_static_library

    @property
    def build_depends(self) -> tuple[str, ...]:
        """Everything that must be built first: run and host requirements, in order, once."""
        return tuple(dict.fromkeys((*self.depends, *self.host_depends)))

    @property
    def digest(self) -> str:
        """Content key of the recipe directory (meta.yaml, patches, extra files)."""
        return tree_digest(self.directory)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise RecipeError(f"expected a list of strings, got {value!r}")


PACKAGE_TYPES = ("package", "shared_library", "static_library")


def load(directory: Path) -> Recipe:
    meta = directory / "meta.yaml"
    try:
        data = yaml.safe_load(meta.read_text())
        pkg, src = data["package"], data.get("source") or {}
        name, version = str(pkg["name"]), str(pkg["version"])
        url, sha256 = str(src["url"]), str(src["sha256"])
    except (KeyError, TypeError, yaml.YAMLError) as e:
        raise RecipeError(f"{meta}: not a valid recipe ({e!r})") from e
    if name != directory.name:
        raise RecipeError(f"{meta}: package.name {name!r} differs from its directory name")
    if not isinstance(pkg["version"], str):  # YAML reads 3.20 as the float 3.2
        raise RecipeError(f"{meta}: package.version {pkg['version']!r} is not a string: "
                          f"quote it ('{pkg['version']}')")  # fmt: skip
    missing = [p for p in _as_list(src.get("patches")) if not (directory / p).is_file()]
    if missing:
        raise RecipeError(f"{meta}: source.patches names missing files: {', '.join(missing)}")
    reqs = data.get("requirements") or {}
    package_type = str((data.get("build") or {}).get("type", "package"))
    if package_type not in PACKAGE_TYPES:
        raise RecipeError(f"{meta}: build.type {package_type!r} is not one of {PACKAGE_TYPES}")
    # A library has no Python imports; a package is imported by its name by default.
    default_imports = [name] if package_type == "package" else []
    imports = _as_list(pkg.get("top-level")) or default_imports
    return Recipe(
        name=name,
        version=version,
        directory=directory,
        url=url,
        sha256=sha256,
        depends=tuple(_as_list(reqs.get("run"))),
        imports=tuple(imports),
        summary=str((data.get("about") or {}).get("summary", "")),
        patches=tuple(directory / p for p in _as_list(src.get("patches"))),
        package_type=package_type,
        host_depends=tuple(_as_list(reqs.get("host"))),
        disabled=bool(pkg.get("_disabled", False)),
        stdlib_depends=tuple(_as_list(reqs.get("stdlib"))),
    )


def load_all(root: Path = RECIPES) -> dict[str, Recipe]:
    found = {d.name: load(d) for d in sorted(root.iterdir()) if (d / "meta.yaml").exists()}
    for r in found.values():
        for dep in r.build_depends:
            if dep not in found:
                raise RecipeError(f"recipe {r.name} depends on {dep!r}, which has no recipe")
    return found


def default_set(recipes: dict[str, Recipe]) -> list[str]:
    """What ``pinnace build packages`` (and ``make dist``) builds without names: every recipe
    but those marked ``package: {_disabled: true}`` (pyodide-build's flag; a recipe that is
    not yet verified to build), which build only when named."""
    return sorted(name for name, r in recipes.items() if not r.disabled)


def closure(recipes: dict[str, Recipe], names: list[str]) -> list[Recipe]:
    """The named recipes and everything they depend on (to run or to build), dependencies
    first."""
    order: list[Recipe] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name not in recipes:
            close = [n for n in recipes if n.startswith(name[:3])]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise RecipeError(f"no recipe named {name!r}{hint}")
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise RecipeError(f"dependency cycle: {' -> '.join((*path, name))}")
        state[name] = "visiting"
        for dep in recipes[name].build_depends:
            visit(dep, (*path, name))
        state[name] = "done"
        order.append(recipes[name])

    for n in names:
        visit(n, ())
    return order
