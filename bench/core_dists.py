"""The distributions being compared: where each one's loader and core files are.

"Core" means the files a page downloads to run `1+1`: the loader, the Emscripten glue, the
wasm main module, the stdlib archive, and (Pyodide) the lock file it fetches at startup.
Pyodide comes from npm, pinned in bench/package.json; `ensure_npm_deps` installs it with
`npm ci` when bench/node_modules is missing or stale.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PINNACE_DIST = REPO / "dist"
PYODIDE_DIR = BENCH / "node_modules" / "pyodide"


@dataclass(frozen=True)
class Distribution:
    """One distribution under test."""

    name: str  # the column title's stem, e.g. "Pinnace"
    version: str
    loader: Path  # the ES module exporting `export_name`
    export_name: str
    core_files: tuple[Path, ...]

    def missing(self) -> list[Path]:
        return [p for p in (self.loader, *self.core_files) if not p.is_file()]

    @property
    def lock(self) -> Path | None:
        return next((f for f in self.core_files if f.name.endswith("-lock.json")), None)

    def package_files(self, package: str) -> list[Path] | None:
        """Where the files `import package` needs (its wheel and its dependencies', as the
        distribution's lock names them) would be; None when no lock names `package`."""
        if self.lock is None or not self.lock.is_file():
            return None
        packages: dict[str, Any] = json.loads(self.lock.read_text())["packages"]
        needs: list[str] = []
        todo = [package]
        while todo:
            name = todo.pop(0)
            if name not in packages:
                return None
            if name not in needs:
                needs.append(name)
                todo.extend(str(d).lower() for d in packages[name].get("depends", []))
        return [self.lock.parent / str(packages[name]["file_name"]) for name in needs]


def pinnace(dist: Path = PINNACE_DIST) -> Distribution:
    files: tuple[str, ...] = ("pinnace.mjs", "pinnace.asm.mjs", "pinnace.asm.wasm", "python313.zip")
    if (dist / "pinnace-lock.json").is_file():  # fetched at startup when the dist has packages
        files += ("pinnace-lock.json",)
    return Distribution(
        name="Pinnace",
        version=_pinnace_version(),
        loader=dist / "pinnace.mjs",
        export_name="loadPinnace",
        core_files=tuple(dist / f for f in files),
    )


def pyodide(package: Path = PYODIDE_DIR) -> Distribution:
    files = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
             "pyodide-lock.json")  # fmt: skip
    version = json.loads((package / "package.json").read_text())["version"]
    return Distribution(
        name="Pyodide",
        version=str(version),
        loader=package / "pyodide.mjs",
        export_name="loadPyodide",
        core_files=tuple(package / f for f in files),
    )


def _pinnace_version() -> str:
    for line in (REPO / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    return "?"


def pinned_pyodide_version() -> str:
    """The exact Pyodide version bench/package.json pins."""
    manifest = json.loads((BENCH / "package.json").read_text())
    return str(manifest["devDependencies"]["pyodide"])


def ensure_npm_deps() -> None:
    """`npm ci` in bench/ unless node_modules already holds every package bench/package.json
    pins (Pyodide; PyScript's core for bench/page_startup.py) at its pinned version."""
    pinned = json.loads((BENCH / "package.json").read_text())["devDependencies"]
    for name, version in pinned.items():
        manifest = BENCH / "node_modules" / name / "package.json"
        if not manifest.is_file() or json.loads(manifest.read_text()).get("version") != version:
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)
            return
