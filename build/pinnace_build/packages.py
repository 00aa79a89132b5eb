"""Building packages from recipes into wheels: ``pinnace build packages [NAMES...|all]``.

Each package is one content-keyed step (see cache.py), built in dependency order:

* ``pkg-<name>`` for a recipe whose source is a PyPI sdist (or a local path): pyodide-build
  0.39.2 (``pyodide build-recipes-no-deps``) against our own root (pyodide_root.py).  Its
  key covers the recipe directory, our CPython build, the toolchain, pyodide-build and the keys
  of the package's dependencies.
* ``wheel-<name>`` for a recipe whose source is a ``.whl``: the wheel itself, downloaded and
  checked against the recipe's sha256, with the recipe's ``source.patches`` applied if it has
  any (wheelpatch.py).

Then the wheels are copied into ``dist/`` and ``dist/pinnace-lock.json`` is written
(lockfile.py).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import urllib.request
from pathlib import Path

from . import cpython, lockfile, pyodide_root, recipes, toolchain, wheelpatch
from .cache import BuildError, Step, log
from .paths import DIST
from .recipes import Recipe

DOWNLOAD_TIMEOUT = 120


def download_verified(url: str, sha256: str, dest: Path) -> Path:
    """Download ``url`` to ``dest`` and refuse it unless its sha256 matches."""
    log(f"downloading {url}")
    h = hashlib.sha256()
    tmp = dest.with_name(dest.name + ".part")
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp, tmp.open("wb") as f:
        for chunk in iter(lambda: resp.read(1 << 20), b""):
            h.update(chunk)
            f.write(chunk)
    if h.hexdigest() != sha256:
        tmp.unlink()
        raise BuildError(f"{url}: sha256 {h.hexdigest()} does not match the recipe's {sha256}")
    tmp.rename(dest)
    return dest


class Builder:
    def __init__(self) -> None:
        self.recipes = recipes.load_all()
        self._pb: pyodide_root.PyodideBuild | None = None
        self._keys: dict[str, str] = {}

    def pyodide(self) -> pyodide_root.PyodideBuild:
        if self._pb is None:
            tc = toolchain.require()
            self._pb = pyodide_root.ensure(tc, cpython.build(tc))
        return self._pb

    def step(self, r: Recipe) -> Step:
        if r.is_wheel:
            return Step(f"wheel-{r.name}", {"recipe": r.digest, "v": 1})
        tc = toolchain.require()
        return Step(
            f"pkg-{r.name}",
            {
                "recipe": r.digest,
                "root": pyodide_root.root_step(tc, cpython.build(tc)).key,
                "pyodide_build": pyodide_root.venv_step().key,
                "deps": {d: self._keys[d] for d in r.depends},
                "v": 1,
            },
        )

    def _build_wheel(self, r: Recipe, out: Path) -> None:
        wheel = download_verified(r.url, r.sha256, out / r.url.rsplit("/", 1)[1])
        if r.patches:
            wheelpatch.patch_wheel(wheel, list(r.patches))

    def _build_source(self, r: Recipe, out: Path) -> None:
        pb = self.pyodide()
        work = out / "recipes"
        shutil.copytree(r.directory, work / r.name)
        log(f"{r.name}: pyodide-build (log: {work / r.name / 'build.log'})")
        res = subprocess.run(
            [str(pb.cli), "build-recipes-no-deps", r.name, "--recipe-dir", str(work)],
            cwd=out, env=pb.env(), capture_output=True, text=True,
        )  # fmt: skip
        (out / "pyodide-build.log").write_text(res.stdout + res.stderr)
        wheels = sorted((work / r.name / "dist").glob("*.whl"))
        if res.returncode != 0 or len(wheels) != 1:
            tail = "\n".join((res.stdout + res.stderr).splitlines()[-40:])
            raise BuildError(f"{r.name}: pyodide-build failed (log {out / 'pyodide-build.log'})\n"
                             f"{tail}")  # fmt: skip
        shutil.move(wheels[0], out / wheels[0].name)
        shutil.rmtree(work / r.name / "build", ignore_errors=True)

    def build(self, r: Recipe) -> Path:
        """The built wheel of one recipe (its dependencies must have been built first)."""
        step = self.step(r)
        self._keys[r.name] = step.key
        fn = self._build_wheel if r.is_wheel else self._build_source
        out = step.ensure(lambda out: fn(r, out))
        wheels = sorted(out.glob("*.whl"))
        if len(wheels) != 1:
            raise BuildError(f"{r.name}: expected one wheel in {out}, found {wheels}")
        return wheels[0]


def build(names: list[str] | None = None, dest: Path = DIST) -> Path:
    """Build the named packages (all recipes if None) and their dependencies into ``dest``;
    write ``dest/pinnace-lock.json`` for every wheel now in ``dest``'s package set."""
    b = Builder()
    order = recipes.closure(b.recipes, names if names else sorted(b.recipes))
    built: list[tuple[Recipe, Path]] = []
    for r in order:
        built.append((r, b.build(r)))
    dest.mkdir(parents=True, exist_ok=True)
    for _, wheel in built:
        target = dest / wheel.name
        if not target.exists() or target.stat().st_size != wheel.stat().st_size:
            shutil.copy2(wheel, target)
    lock = lockfile.write(
        dest,
        [(r, dest / w.name) for r, w in built],
        keep=lockfile.kept_entries(dest, {r.name for r, _ in built}),
    )
    log(f"packages ready: {len(built)} wheels, lock {lock}")
    return lock
