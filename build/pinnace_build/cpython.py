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

  Big, rarely used extension modules (``SHARED_MODULES``: _sqlite3 with SQLite, _lzma with
  liblzma, _decimal with libmpdec) are built by CPython's own Makefile as wasm *side modules*
  (``Modules/<name>.cpython-313-wasm32-emscripten.so``) instead of builtins: a
  ``Modules/Setup.local`` written before configure lists them under ``*shared*`` (makesetup
  takes the first rule for a module, so it overrides Setup.stdlib's ``*static*``), and
  their rules link them with ``BLDSHARED`` (``emcc -shared -sSIDE_MODULE=1``).  They ship as
  lazily fetched pieces (stdlib_pieces.py), not in the main module.
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
from .cache import BuildError, Step, content_key, log, run_logged
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

# Extension modules built as side modules: name -> their sources (as in Modules/Setup.stdlib.in),
# compiled and linked with configure's MODULE_<NAME>_CFLAGS / _LDFLAGS (liblzma and libmpdec
# are linked into their module that way).  SQLite comes from emscripten's port, which emcc links
# into main modules only: its position-independent build is named explicitly (sqlite_pic()).
SHARED_MODULES = {
    "_sqlite3": "_sqlite/blob.c _sqlite/connection.c _sqlite/cursor.c _sqlite/microprotocols.c "
                "_sqlite/module.c _sqlite/prepare_protocol.c _sqlite/row.c _sqlite/statement.c "
                "_sqlite/util.c",
    "_lzma": "_lzmamodule.c",
    "_decimal": "_decimal/_decimal.c",
}  # fmt: skip


def sqlite_pic(tc: Toolchain) -> Path:
    """emscripten's sqlite3 port built as position-independent code (for a side module)."""
    return tc.em_cache / "sysroot" / "lib" / "wasm32-emscripten" / "pic" / "libsqlite3.a"


def setup_local(tc: Toolchain) -> str:
    """Modules/Setup.local: the SHARED_MODULES as shared extensions."""
    extra = {"_sqlite3": f" {sqlite_pic(tc)}"}
    rules = "".join(
        f"{name} {srcs} $(MODULE_{name.upper()}_CFLAGS) $(MODULE_{name.upper()}_LDFLAGS)"
        f"{extra.get(name, '')}\n"
        for name, srcs in SHARED_MODULES.items()
    )
    return f"# Written by pinnace_build/cpython.py\n*shared*\n{rules}"


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


def wasm_step(tc: Toolchain, opt: str | None = None) -> Step:
    inputs = {
        "src": source_step().key,
        "native": native_step().key,
        "toolchain": tc.config.parent.name,
        "libs": wasmlibs.step(tc).key,
        "configure": CONFIGURE_FLAGS,
        "ldflags": WASM_LDFLAGS,
        "setup_local": setup_local(tc),
        "v": 2,
    }
    if opt is not None:  # a variant's compiler flags (bench/levers.py); dist's key stays as it was
        inputs["opt"] = opt
    return Step("cpython-wasm", inputs)


@dataclass(frozen=True)
class WasmBuild:
    """A finished cross build: where it is and what its final link needs."""

    builddir: Path
    srcdir: Path

    def make_var(self, name: str) -> str:
        return make_vars(self.builddir, [name])[name]

    def shared_module(self, name: str) -> Path:
        """The side module (.so) built for one of SHARED_MODULES."""
        return self.builddir / "Modules" / f"{name}{self.make_var('EXT_SUFFIX')}"

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
    """configure's answers, keyed by what configure sees: Setup.local is read by makesetup
    after configure, so changing the shared modules keeps them."""
    inputs = {k: v for k, v in wasm_step(tc).inputs.items() if k != "setup_local"}
    return cache_root() / "configure-cache" / f"cpython-wasm-{content_key(inputs)}.cache"


def _build_wasm(tc: Toolchain, out: Path, opt: str | None = None) -> None:
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
    if opt is not None:  # configure's OPT: the optimisation flags of every compile (not cached)
        env["OPT"] = opt
    cached = _configure_cache(tc)
    if cached.exists():
        shutil.copy2(cached, out / "config.cache")
    build_triple = subprocess.run([str(src / "config.guess")], capture_output=True, text=True,
                                  check=True).stdout.strip()  # fmt: skip
    (out / "Modules").mkdir(exist_ok=True)
    (out / "Modules" / "Setup.local").write_text(setup_local(tc))
    if not sqlite_pic(tc).exists():  # built from the seeded port sources, offline
        run_logged([str(tc.emroot / "embuilder"), "build", "sqlite3", "--pic"], out / "build.log",
                   env=env)  # fmt: skip
    log("cpython-wasm: configure")
    logfile = out / "build.log"
    run_logged(
        [str(tc.emroot / "emconfigure"), str(src / "configure"), "-C", f"--build={build_triple}",
         f"--with-build-python={py}", *CONFIGURE_FLAGS],
        logfile, cwd=out, env=env,
    )  # fmt: skip
    if opt is None:  # a variant reads dist's answers, never writes them
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(out / "config.cache", cached)
    targets = _library_targets(out)
    log(f"cpython-wasm: make {' '.join(targets)}")
    run_logged([str(tc.emroot / "emmake"), "make", JOBS, *targets], logfile, cwd=out, env=env)
    suffix = make_vars(out, ["EXT_SUFFIX"])["EXT_SUFFIX"]
    missing = [n for n in SHARED_MODULES if not (out / "Modules" / f"{n}{suffix}").exists()]
    if missing:  # configure found no library for them: they would silently be absent
        raise BuildError(f"cpython-wasm: shared modules not built: {missing}; see {logfile}")


def _library_targets(builddir: Path) -> list[str]:
    """Everything the final link consumes and the shared extension modules, but not CPython's
    own python.js link."""
    v = make_vars(builddir, ["LINK_PYTHON_DEPS", "MODLIBS", "LIBRARY", "SHAREDMODS"])
    targets = ["Programs/python.o", "pybuilddir.txt", v["LIBRARY"], *v["SHAREDMODS"].split()]
    for word in shlex.split(v["LINK_PYTHON_DEPS"] + " " + v["MODLIBS"]):
        if word.endswith(".a") and not word.startswith("-") and "/" in word:
            targets.append(word)
    return list(dict.fromkeys(targets))


def build(tc: Toolchain | None = None, rebuild: bool = False, opt: str | None = None) -> WasmBuild:
    """The cross build (made if missing); ``opt``: configure's OPT for a variant built beside
    dist's own (bench/levers.py), instead of configure's default."""
    tc = tc or toolchain.require()
    step = wasm_step(tc, opt)
    if rebuild:
        step.invalidate()
    out = step.ensure(lambda out: _build_wasm(tc, out, opt))
    return WasmBuild(builddir=out, srcdir=source_dir())


def find(tc: Toolchain) -> WasmBuild | None:
    step = wasm_step(tc)
    return WasmBuild(step.path, source_step().path / "src") if step.is_built() else None
