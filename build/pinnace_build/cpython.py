"""CPython 3.13 for wasm32-unknown-emscripten: native build python, cross build, link inputs.

Steps (each content-keyed in the cache):

* ``cpython-src``: the pristine upstream tarball, extracted (out-of-tree builds read it).
* ``cpython-native``: a native build of the same source, the ``--with-build-python``.
* ``cpython-wasm``: ``configure`` + ``make`` of the interpreter library and its module
  libraries for Emscripten with dynamic linking enabled.  We stop before CPython's own link of
  ``python.js``: Pinnace links its own main module (see link.py) with the runtime's C part and
  the flags the loader needs.  configure's cache (``config.cache``) is kept beside the step and
  compiles go through ccache, so redoing the step with unchanged inputs takes well under a
  minute of real work (see docs/build.md for numbers).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import toolchain, wasmlibs
from . import versions as V
from .cache import Step, log, run_logged
from .paths import cache_root
from .toolchain import Toolchain

JOBS = f"-j{os.cpu_count() or 2}"
# --without-mimalloc: 3.13's mimalloc headers define __wasi__ on Emscripten, which makes
#   _Py_IsValidFD() use fstat() on stdio; that fails and sys.stdout becomes None.
# -sSTACK_SIZE=5MB: Emscripten's 64 KiB default overflows in the json/re test suites.
CONFIGURE_FLAGS = [
    "--host=wasm32-unknown-emscripten",
    "--with-emscripten-target=node",
    "--enable-wasm-dynamic-linking",
    "--without-mimalloc",
    "--disable-test-modules",
]
WASM_LDFLAGS = "-sSTACK_SIZE=5MB"


def source_step() -> Step:
    return Step("cpython-src", {"src": V.SOURCES["python"][2]})


def source_dir() -> Path:
    out = source_step().ensure(
        lambda out: toolchain.extract(toolchain.fetch_source("python"), out).rename(out / "src")
    )
    return out / "src"


def native_step() -> Step:
    return Step("cpython-native", {"src": source_step().key, "v": 1})


def build_python() -> Path:
    """The native interpreter used as --with-build-python (same version as the target)."""

    def build(out: Path) -> None:
        src = source_dir()
        log("cpython-native: configure + make (about 2 minutes, once)")
        env = dict(os.environ, CCACHE_DIR=str(cache_root() / "ccache"))
        cc = "ccache gcc" if shutil.which("ccache") else "gcc"
        logfile = out / "build.log"
        run_logged([str(src / "configure"), "-C", f"CC={cc}"], logfile, cwd=out, env=env)
        run_logged(["make", JOBS], logfile, cwd=out, env=env)

    return native_step().ensure(build) / "python"


def _ccache_env(tc: Toolchain, basedir: Path) -> dict[str, str]:
    env = tc.env()
    ccache = shutil.which("ccache")
    if ccache:
        env["EM_COMPILER_WRAPPER"] = ccache  # emcc os.execv()s it: an absolute path
        env["CCACHE_DIR"] = str(cache_root() / "ccache")
        env["CCACHE_BASEDIR"] = str(basedir)
        env["CCACHE_NOHASHDIR"] = "1"
    env["TZ"] = "UTC"
    return env


def wasm_step(tc: Toolchain) -> Step:
    return Step(
        "cpython-wasm",
        {
            "src": source_step().key,
            "native": native_step().key,
            "toolchain": tc.config.parent.name,
            "libs": wasmlibs.step(tc).key,
            "configure": CONFIGURE_FLAGS,
            "ldflags": WASM_LDFLAGS,
            "v": 2,
        },
    )


@dataclass(frozen=True)
class WasmBuild:
    """A finished cross build: where it is and what its final link needs."""

    builddir: Path
    srcdir: Path

    def make_var(self, name: str) -> str:
        return make_vars(self.builddir, [name])[name]

    @property
    def sysconfigdata(self) -> Path:
        libdir = self.builddir / (self.builddir / "pybuilddir.txt").read_text().strip()
        return next(libdir.glob("_sysconfigdata_*.py"))


def make_vars(builddir: Path, names: list[str]) -> dict[str, str]:
    """Values of Makefile variables, fully expanded by make itself."""
    rules = "".join(f"print-{n}:\n\t@echo '{n}=$({n})'\n" for n in names)
    res = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", "-", *[f"print-{n}" for n in names]],
        cwd=builddir, input=rules, capture_output=True, text=True, check=True,
    )  # fmt: skip
    out: dict[str, str] = {}
    for line in res.stdout.splitlines():
        k, _, v = line.partition("=")
        if k in names:
            out[k] = v.strip()
    return out


def _configure_cache(tc: Toolchain) -> Path:
    key = wasm_step(tc).key
    return cache_root() / "configure-cache" / f"cpython-wasm-{key}.cache"


def _build_wasm(tc: Toolchain, out: Path) -> None:
    src = source_dir()
    py = build_python()
    libs = wasmlibs.ensure(tc)
    env = _ccache_env(tc, out)
    env.update(
        CONFIG_SITE=str(src / "Tools/wasm/config.site-wasm32-emscripten"),
        LDFLAGS=WASM_LDFLAGS,
        LIBFFI_CFLAGS=f"-I{libs / 'include'}",
        LIBFFI_LIBS=f"-L{libs / 'lib'} -lffi",
        LIBLZMA_CFLAGS=f"-I{libs / 'include'}",
        LIBLZMA_LIBS=f"-L{libs / 'lib'} -llzma",
    )
    cached = _configure_cache(tc)
    if cached.exists():
        shutil.copy2(cached, out / "config.cache")
    build_triple = subprocess.run([str(src / "config.guess")], capture_output=True, text=True,
                                  check=True).stdout.strip()  # fmt: skip
    log("cpython-wasm: configure")
    logfile = out / "build.log"
    run_logged(
        [str(tc.emroot / "emconfigure"), str(src / "configure"), "-C", f"--build={build_triple}",
         f"--with-build-python={py}", *CONFIGURE_FLAGS],
        logfile, cwd=out, env=env,
    )  # fmt: skip
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(out / "config.cache", cached)
    targets = _library_targets(out)
    log(f"cpython-wasm: make {' '.join(targets)}")
    run_logged([str(tc.emroot / "emmake"), "make", JOBS, *targets], logfile, cwd=out, env=env)
    # CPython's test package, kept out of dist/, for `pinnace python -m test`.
    shutil.copytree(src / "Lib" / "test", out / "testlib" / "test", symlinks=True)


def _library_targets(builddir: Path) -> list[str]:
    """Everything the final link consumes, but not CPython's own python.js link."""
    v = make_vars(builddir, ["LINK_PYTHON_DEPS", "MODLIBS", "LIBRARY"])
    targets = ["Programs/python.o", "pybuilddir.txt", v["LIBRARY"]]
    for word in shlex.split(v["LINK_PYTHON_DEPS"] + " " + v["MODLIBS"]):
        if word.endswith(".a") and not word.startswith("-") and "/" in word:
            targets.append(word)
    return list(dict.fromkeys(targets))


def build(tc: Toolchain | None = None, rebuild: bool = False) -> WasmBuild:
    tc = tc or toolchain.require()
    step = wasm_step(tc)
    if rebuild:
        step.invalidate()
    out = step.ensure(lambda out: _build_wasm(tc, out))
    return WasmBuild(builddir=out, srcdir=source_dir())


def find(tc: Toolchain) -> WasmBuild | None:
    step = wasm_step(tc)
    return WasmBuild(step.path, source_step().path / "src") if step.is_built() else None
