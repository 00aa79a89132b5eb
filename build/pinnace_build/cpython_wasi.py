"""CPython 3.13 for WASI (wasm32-wasip1): a command module ``python.wasm`` and its stdlib.

The same pinned source and native build python as the Emscripten build (cpython.py), compiled
with Debian's clang-19/lld-19 against a wasi-libc sysroot.  Steps (each content-keyed in the
cache, see cache.py):

* ``wasi-sysroot``: Debian trixie's ``wasi-libc`` .deb, unpacked (never installed), and a clang
  resource directory beside it.  clang 19 looks for a ``wasm32-wasip1`` target's compiler-rt
  in ``<resource>/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a``; Debian's
  libclang-rt-19-dev-wasm32 puts it in ``lib/wasi/libclang_rt.builtins-wasm32.a``, so the
  resource directory links clang's headers and holds that archive under the name clang wants.
  A hello world is compiled and linked with them as a check before CPython is configured.
* ``wasi-zlib``: a static zlib from Debian's pristine source (SOURCES["zlib"]), for ``zlib``.
* ``cpython-wasi``: ``configure --host=wasm32-wasip1`` (with CPython's
  ``Tools/wasm/config.site-wasm32-wasi``) + ``make`` of ``python.wasm``.  configure's answers
  are kept (``configure-cache/``) and compiles go through ccache, like cpython.py.
* ``cpython-wasi-install``: what ships: ``python.wasm`` and ``lib/python3.13/`` (the stdlib
  without what stdlib.py leaves out, the build's ``_sysconfigdata``, and unchecked-hash
  bytecode in ``__pycache__`` compiled by the native build python).

``pinnace build cpython-wasi`` builds them and copies the result to ``dist/wasi/``.  The
layout mirrors the guest: granting ``lib/`` at ``/usr/local/lib`` (configure's default prefix)
is all CPython needs to find its stdlib; ``PYTHONHOME`` may name another guest prefix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import cpython, stdlib, toolchain
from . import versions as V
from .cache import BuildError, Step, content_key, log, run_logged
from .debian import fetch
from .paths import DIST, cache_root

TARGET = "wasm32-wasip1"
CLANG = Path(V.LLVM_ROOT) / "clang"
AR = Path(V.LLVM_ROOT) / "llvm-ar"
RANLIB = Path(V.LLVM_ROOT) / "llvm-ranlib"
# Debian's compiler-rt for wasm32 (libclang-rt-19-dev-wasm32) and the name clang 19 wants.
BUILTINS = Path("lib/wasi/libclang_rt.builtins-wasm32.a")
BUILTINS_FOR_TARGET = Path(f"lib/{TARGET.replace('-', '-unknown-')}/libclang_rt.builtins.a")

# configure: CPython's Tools/wasm/wasi.py recipe (host, build, build python, CONFIG_SITE) and
# --disable-test-modules (as the Emscripten build: _testcapi and friends stay out).  No
# threads: wasm32-wasip1 gets CPython's stub threads.
CONFIGURE_FLAGS = [f"--host={TARGET}", "--disable-test-modules"]
# Compiles keep CPython's own OPT (-DNDEBUG -g -O3 -Wall), as the Emscripten build does; the
# link drops the DWARF that -g made (the wasm "name" section stays: traps name functions).
LDFLAGS = "-Wl,--strip-debug"
ZLIB_CFLAGS = "-O2"
PREFIX = "/usr/local"  # configure's default: where python.wasm looks without PYTHONHOME
STDLIB_DIR = f"lib/python{V.PYTHON_MAJOR_MINOR}"


@dataclass(frozen=True)
class WasiToolchain:
    """clang for wasm32-wasip1 with a sysroot: the compiler command and its environment."""

    sysroot: Path
    resource_dir: Path

    @property
    def cc(self) -> list[str]:
        return [str(CLANG), f"--target={TARGET}", f"--sysroot={self.sysroot}",
                f"-resource-dir={self.resource_dir}"]  # fmt: skip

    def env(self, basedir: Path) -> dict[str, str]:
        """The environment of configure and make: the cross tools, ccache, and a pkg-config
        that finds nothing of the host (only what ``PKG_CONFIG_LIBDIR`` adds)."""
        env = dict(os.environ, AR=str(AR), RANLIB=str(RANLIB), TZ="UTC",
                   PKG_CONFIG_PATH="", PKG_CONFIG_LIBDIR=str(self.sysroot / "lib" / "pkgconfig"))  # fmt: skip
        ccache = shutil.which("ccache")
        env["CC"] = " ".join(([ccache] if ccache else []) + self.cc)
        if ccache:
            env.update(CCACHE_DIR=str(cache_root() / "ccache"), CCACHE_BASEDIR=str(basedir),
                       CCACHE_NOHASHDIR="1")  # fmt: skip
        return env


# ---------------------------------------------------------------------------- the sysroot
def sysroot_step() -> Step:
    return Step("wasi-sysroot", {"deb": V.WASI_LIBC_DEB_FILE[2], "llvm": toolchain.llvm_version(),
                                 "target": TARGET, "v": 1})  # fmt: skip


def _resource_dir() -> Path:
    if not CLANG.exists():
        raise BuildError(f"{CLANG} not found: run {toolchain.SETUP_HOST} (clang-19, lld-19)")
    out = subprocess.run([str(CLANG), "-print-resource-dir"], capture_output=True, text=True,
                         check=True).stdout.strip()  # fmt: skip
    return Path(out)


def _build_sysroot(out: Path) -> None:
    spec, file_name, sha = V.WASI_LIBC_DEB_FILE
    deb = fetch(spec, file_name, sha, source=False)
    log("wasi-sysroot: unpacking the wasi-libc .deb (not installing it)")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(out / "root")], check=True)
    sysroot = out / "root" / "usr"
    for sub in ("include", "lib"):
        if not (sysroot / sub / TARGET).is_dir():
            raise BuildError(f"{file_name} has no {sub}/{TARGET}: pin a newer wasi-libc")
    real = _resource_dir()
    builtins = real / BUILTINS
    if not builtins.exists():
        raise BuildError(f"{builtins} not found: run {toolchain.SETUP_HOST} "
                         "(libclang-rt-19-dev-wasm32)")  # fmt: skip
    resource = out / "clang-resource"
    (resource / BUILTINS_FOR_TARGET).parent.mkdir(parents=True)
    (resource / "include").symlink_to(real / "include")
    shutil.copy2(builtins, resource / BUILTINS_FOR_TARGET)
    _check(WasiToolchain(sysroot, resource), out)


def _check(wasi: WasiToolchain, out: Path) -> None:
    """Compile and link a tiny command: the toolchain is usable, or the error says why."""
    src = out / "check.c"
    src.write_text('#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n')
    run_logged([*wasi.cc, "-O2", str(src), "-o", str(out / "check.wasm")], out / "build.log")
    if (out / "check.wasm").read_bytes()[:4] != b"\0asm":
        raise BuildError(f"{out / 'check.wasm'} is not a wasm module")
    src.unlink()
    (out / "check.wasm").unlink()


def wasi_toolchain() -> WasiToolchain:
    out = sysroot_step().ensure(_build_sysroot)
    return WasiToolchain(out / "root" / "usr", out / "clang-resource")


# ---------------------------------------------------------------------------- zlib
def zlib_step() -> Step:
    return Step("wasi-zlib", {"sysroot": sysroot_step().key, "src": V.SOURCES["zlib"][2],
                              "cflags": ZLIB_CFLAGS, "v": 1})  # fmt: skip


def _build_zlib(wasi: WasiToolchain, out: Path) -> None:
    src = toolchain.extract(toolchain.fetch_source("zlib"), out / "work")
    env = wasi.env(out)
    env["CFLAGS"] = ZLIB_CFLAGS
    logfile = out / "build.log"
    log("wasi-zlib: configure + make (static)")
    run_logged(["./configure", "--static", f"--prefix={out / 'prefix'}"], logfile, cwd=src,
               env=env)  # fmt: skip
    run_logged(["make", cpython.JOBS, "libz.a"], logfile, cwd=src, env=env)
    run_logged(["make", "install"], logfile, cwd=src, env=env)
    shutil.rmtree(out / "work")


def zlib_prefix(wasi: WasiToolchain) -> Path:
    """The prefix holding include/zlib.h, lib/libz.a and lib/pkgconfig/zlib.pc."""
    return zlib_step().ensure(lambda out: _build_zlib(wasi, out)) / "prefix"


# ---------------------------------------------------------------------------- CPython
def build_step() -> Step:
    return Step(
        "cpython-wasi",
        {
            "src": cpython.source_step().key,
            "native": cpython.native_step().key,
            "sysroot": sysroot_step().key,
            "zlib": zlib_step().key,
            "configure": CONFIGURE_FLAGS,
            "ldflags": LDFLAGS,
            "v": 1,
        },
    )


def _configure_cache() -> Path:
    key = content_key(build_step().inputs)
    return cache_root() / "configure-cache" / f"cpython-wasi-{key}.cache"


def _build_cpython(out: Path) -> None:
    src = cpython.source_dir()
    py = cpython.build_python()
    wasi = wasi_toolchain()
    zlib = zlib_prefix(wasi)
    env = wasi.env(out)
    env.update(CONFIG_SITE=str(src / "Tools" / "wasm" / "config.site-wasm32-wasi"),
               LDFLAGS=LDFLAGS, PKG_CONFIG_LIBDIR=str(zlib / "lib" / "pkgconfig"))  # fmt: skip
    cached = _configure_cache()
    if cached.exists():
        shutil.copy2(cached, out / "config.cache")
    build_triple = subprocess.run([str(src / "config.guess")], capture_output=True, text=True,
                                  check=True).stdout.strip()  # fmt: skip
    logfile = out / "build.log"
    log("cpython-wasi: configure")
    run_logged([str(src / "configure"), "-C", f"--build={build_triple}",
                f"--with-build-python={py}", *CONFIGURE_FLAGS], logfile, cwd=out, env=env)  # fmt: skip
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(out / "config.cache", cached)
    log("cpython-wasi: make python.wasm")
    # checksharedmods: CPython's own report of the modules built, missing and not available.
    run_logged(["make", cpython.JOBS, "python.wasm", "pybuilddir.txt", "checksharedmods"],
               logfile, cwd=out, env=env)  # fmt: skip
    if (out / "python.wasm").read_bytes()[:4] != b"\0asm":
        raise BuildError(f"cpython-wasi: {out / 'python.wasm'} is not a wasm module")


def build_dir() -> Path:
    """The configured and built tree (python.wasm, build/lib.wasi-wasm32-3.13/, logs)."""
    return build_step().ensure(_build_cpython)


# ---------------------------------------------------------------------------- what ships
def install_step() -> Step:
    return Step("cpython-wasi-install", {
        "build": build_step().key,
        "excluded": [sorted(stdlib.EXCLUDED_TOP), sorted(stdlib.EXCLUDED_DIRS)],
        "v": 2,
    })  # fmt: skip


def _install(builddir: Path, out: Path) -> None:
    lib = cpython.source_dir() / "Lib"
    dest = out / STDLIB_DIR
    for rel in stdlib.stdlib_files(lib):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lib / rel, dest / rel)
    platlib = builddir / (builddir / "pybuilddir.txt").read_text().strip()
    sysconfigdata = list(platlib.glob("_sysconfigdata_*.py"))
    if len(sysconfigdata) != 1:
        raise BuildError(f"cpython-wasi: expected one _sysconfigdata in {platlib}, found "
                         f"{[p.name for p in sysconfigdata]}")  # fmt: skip
    shutil.copyfile(sysconfigdata[0], dest / sysconfigdata[0].name)
    # getpath's landmark of exec_prefix (empty: every extension module is built in); without
    # it each start prints "Could not find platform dependent libraries".
    (dest / "lib-dynload").mkdir()
    # Bytecode beside the sources, by the native interpreter of the same version (the same
    # magic number).  unchecked-hash: never compared with the source, so a read-only grant
    # costs no compile and no failed write at import time.
    log("cpython-wasi-install: compiling the stdlib's bytecode")
    run_logged([str(cpython.build_python()), "-I", "-m", "compileall", "-q", "-j0",
                "--invalidation-mode", "unchecked-hash", "-d", f"{PREFIX}/{STDLIB_DIR}",
                str(dest)], out / "build.log")  # fmt: skip
    shutil.copy2(builddir / "python.wasm", out / "python.wasm")


def build(rebuild: bool = False) -> Path:
    """Build (or find cached) and return the directory holding ``python.wasm`` and ``lib/``."""
    if rebuild:
        build_step().invalidate()
        install_step().invalidate()
    builddir = build_dir()
    return install_step().ensure(lambda out: _install(builddir, out))


def copy_to(built: Path, dest: Path = DIST / "wasi") -> Path:
    """Put ``python.wasm`` and ``lib/`` into ``dest`` (a fresh copy: no stale stdlib files)."""
    dest.mkdir(parents=True, exist_ok=True)
    if (dest / "lib").exists():
        shutil.rmtree(dest / "lib")
    shutil.copytree(built / "lib", dest / "lib")
    shutil.copy2(built / "python.wasm", dest / "python.wasm")
    return dest
