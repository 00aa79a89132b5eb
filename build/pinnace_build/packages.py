"""Building packages from recipes into wheels: ``pinnace build packages [NAMES...|all]``.

Each package is one content-keyed step (see cache.py), built once its dependencies are, two
builds side by side by default (schedule.py; ``--jobs``, ``PINNACE_BUILD_JOBS``):

* ``pkg-<name>`` for a recipe whose source is a PyPI sdist (or a local path): pyodide-build
  0.39.2 (``pyodide build-recipes-no-deps``) against our own root (pyodide_root.py).  Its
  key covers the recipe directory, our CPython build, the toolchain, pyodide-build and the keys
  of the package's dependencies (run and host requirements).  The build sees its host
  requirements in its own host prefix (hostprefix.py).  A ``shared_library`` recipe yields a
  zip of its ``.so`` files and keeps the prefix its script installed (``prefix/``) for the
  recipes built against it; a ``static_library`` recipe yields only that prefix (its archives
  are linked into the packages built against it, and it has no entry in the lock).
* ``wheel-<name>`` for a recipe whose source is a ``.whl``: the wheel itself, downloaded and
  checked against the recipe's sha256, with the recipe's ``source.patches`` applied if it has
  any (wheelpatch.py).

Each wheel then gets its modules' bytecode (bytecode.py, a step of its own).  Then the wheels
(and shared libraries' zips) are copied into ``dist/`` and ``dist/pinnace-lock.json`` is written
(lockfile.py).
"""

from __future__ import annotations

import shutil
import threading
import zipfile
from pathlib import Path

import yaml

from . import (
    bytecode,
    cpython,
    dist,
    hostprefix,
    lockfile,
    pyodide_root,
    recipes,
    schedule,
    stdlib_pieces,
    toolchain,
    wheelpatch,
)
from .cache import BuildError, Step, download_to, log, log_tail, run_logged
from .paths import DIST, cache_root
from .recipes import Recipe

DOWNLOAD_TIMEOUT = 120


def download_verified(url: str, sha256: str, dest: Path) -> Path:
    """Download ``url`` to ``dest`` and refuse it unless its sha256 matches."""
    tmp = dest.with_name(dest.name + ".part")
    got = download_to(url, tmp, DOWNLOAD_TIMEOUT)
    if got != sha256:
        tmp.unlink()
        raise BuildError(f"{url}: sha256 {got} does not match the recipe's {sha256}")
    tmp.rename(dest)
    return dest


class Builder:
    def __init__(self) -> None:
        self.recipes = recipes.load_all()
        self._pb: pyodide_root.PyodideBuild | None = None
        self._keys: dict[str, str] = {}
        self._artifacts: dict[str, Path] = {}
        self._pb_lock = threading.Lock()  # builds run side by side (schedule.py)

    def pyodide(self) -> pyodide_root.PyodideBuild:
        with self._pb_lock:
            if self._pb is None:
                tc = toolchain.require()
                self._pb = pyodide_root.ensure(tc, cpython.build(tc))
            return self._pb

    def plan(self, order: list[Recipe]) -> None:
        """Compute every step's key (dependencies first), before any build starts."""
        pieces = {p.name for p in stdlib_pieces.PIECES}
        for r in order:
            unknown = sorted(set(r.stdlib_depends) - pieces)
            if unknown:
                raise recipes.RecipeError(f"recipe {r.name}: requirements.stdlib names "
                                          f"{unknown}, which are not stdlib pieces "
                                          f"({', '.join(sorted(pieces))})")  # fmt: skip
            self._keys[r.name] = self.step(r).key

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
                "deps": {d: self._keys[d] for d in r.build_depends},
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
        _without_pinnace_keys(work / r.name / "meta.yaml")
        prefix = work / ".libs"  # pyodide-build's WASM_LIBRARY_DIR for recipes in `work`
        host = [(self.recipes[d], self._artifacts[d]) for d in r.host_depends]
        hostprefix.stage(prefix, host, pb.root / "share" / "meson" / "cross")
        env = pb.env()
        env["XDG_DATA_HOME"] = str(prefix / "share")
        env.update(_ccache_env(out))
        log(f"{r.name}: pyodide-build (log: {work / r.name / 'build.log'})")
        logfile = out / "pyodide-build.log"
        try:
            run_logged([str(pb.cli), "build-recipes-no-deps", r.name, "--recipe-dir", str(work)],
                       logfile, cwd=out, env=env)  # fmt: skip
        except BuildError as e:
            raise BuildError(f"{r.name}: pyodide-build failed: {e}") from e
        found = sorted((work / r.name / "dist").glob("*" + _artifact_suffix(r)))
        if len(found) != (0 if r.is_static_library else 1):
            raise BuildError(f"{r.name}: pyodide-build made {[f.name for f in found]} (log "
                             f"{logfile})\n{log_tail(logfile)}")  # fmt: skip
        if r.is_static_library:  # nothing to ship: the prefix its script installed
            shutil.move(prefix, out / hostprefix.PREFIX_DIR)
            shutil.rmtree(work / r.name / "build", ignore_errors=True)
            return
        bad = not_side_modules(found[0])
        if bad:
            raise BuildError(f"{r.name}: {found[0].name} holds files named .so that are not "
                             f"Emscripten side modules (no dylink.0 section first; a link "
                             f"without -sSIDE_MODULE, e.g. through a response file): "
                             f"{', '.join(bad)}")  # fmt: skip
        shutil.move(found[0], out / found[0].name)
        if r.is_shared_library:  # what its script installed, for the recipes built against it
            shutil.move(prefix, out / hostprefix.PREFIX_DIR)
        shutil.rmtree(prefix, ignore_errors=True)
        shutil.rmtree(work / r.name / "build", ignore_errors=True)

    def build(self, r: Recipe) -> Path:
        """The built wheel (shared library zip, or a static library's prefix directory) of one
        recipe (its dependencies must have been built first)."""
        step = self.step(r)
        fn = self._build_wheel if r.is_wheel else self._build_source
        out = step.ensure(lambda out: fn(r, out))
        if r.is_static_library:
            self._artifacts[r.name] = out / hostprefix.PREFIX_DIR
            return self._artifacts[r.name]
        found = sorted(out.glob("*" + _artifact_suffix(r)))
        if len(found) != 1:
            raise BuildError(
                f"{r.name}: expected one {_artifact_suffix(r)} in {out}, found {found}"
            )
        self._artifacts[r.name] = found[0]
        return found[0]


def _first_section(head: bytes) -> str | None:
    """The name of a wasm module's first section if it is a custom one (``head``: its first
    bytes), else None."""
    if head[:8] != b"\0asm\x01\0\0\0" or len(head) < 12 or head[8] != 0:
        return None
    i = 9
    while i < len(head) and head[i] & 0x80:  # the section's size, LEB128
        i += 1
    n = head[i + 1] if i + 1 < len(head) else 0
    return head[i + 2 : i + 2 + n].decode("utf-8", "replace")


def not_side_modules(archive: Path) -> list[str]:
    """The ``.so`` members of a wheel (or shared library zip) that are not Emscripten side
    modules: the dynamic linker refuses them at run time ("need the dylink section to be
    first"), so the build refuses them first."""
    with zipfile.ZipFile(archive) as zf:
        return [n for n in zf.namelist() if n.endswith(".so")
                and _first_section(zf.open(n).read(64)) != "dylink.0"]  # fmt: skip


def _ccache_env(basedir: Path) -> dict[str, str]:
    """Compiles through ccache (as CPython's are), with paths relative to the step directory:
    a changed recipe rebuilds in a new step directory, and its unchanged compiles hit."""
    ccache = shutil.which("ccache")
    if not ccache:
        return {}
    return {
        "EM_COMPILER_WRAPPER": ccache,  # emcc os.execv()s it: an absolute path
        "CCACHE_DIR": str(cache_root() / "ccache"),
        "CCACHE_BASEDIR": str(basedir),
        "CCACHE_NOHASHDIR": "1",
    }


def _artifact_suffix(r: Recipe) -> str:
    return ".zip" if r.is_shared_library else ".whl"


def _without_pinnace_keys(meta: Path) -> None:
    """Drop the keys pyodide-build does not know (``requirements.stdlib``) from a recipe copy."""
    data = yaml.safe_load(meta.read_text())
    if "stdlib" in (data.get("requirements") or {}):
        del data["requirements"]["stdlib"]
        meta.write_text(yaml.safe_dump(data, sort_keys=False))


def build(names: list[str] | None = None, dest: Path = DIST, jobs: int | None = None) -> Path:
    """Build the named packages (if None, every recipe not marked ``_disabled``) and their
    dependencies into ``dest``, ``jobs`` at a time (default schedule.default_jobs()); write
    ``dest/pinnace-lock.json`` for every wheel now in ``dest``'s package set."""
    b = Builder()
    order = recipes.closure(b.recipes, names if names else recipes.default_set(b.recipes))
    b.plan(order)

    def job(name: str) -> Path:
        artifact = b.build(b.recipes[name])
        return bytecode.with_bytecode(artifact) if artifact.suffix == ".whl" else artifact

    artifacts = schedule.run([r.name for r in order], {r.name: r.build_depends for r in order},
                             job, jobs or schedule.default_jobs())  # fmt: skip
    # linked into the packages above it, a static library is shipped in none
    built = [(r, artifacts[r.name]) for r in order if not r.is_static_library]
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
    if (dest / "pinnace.asm.wasm").exists():  # the main module exports what they import
        dist.relink(dest)
    log(f"packages ready: {len(built)} wheels, lock {lock}")
    return lock
