"""The pinned Emscripten toolchain: install, environment, doctor.

Pieces (each a content-keyed cache step, see cache.py):

* ``emscripten``: Debian trixie's ``emscripten`` .deb, unpacked (never installed), plus npm
  ``acorn`` which Debian provides as a separate package.
* ``binaryen``: binaryen 120 built from Debian's pristine source tarball with cmake + ninja.
  Why not npm ``binaryen@120``: it lacks ``wasm-emscripten-finalize`` (emcc would need a shim
  re-implementing it) and its wasm-opt, itself compiled to wasm, is ~3x slower on every link
  of the CPython main module (40 s vs 13.6 s measured).  The native build costs ~8 minutes once
  and is then cached.  See docs/toolchain.md.
* ``emsdk``: our emscripten config file, a writable copy of the .deb's prebuilt system-library
  cache, and the ports CPython uses (zlib, bzip2, sqlite3) seeded offline from Debian sources.
* LLVM 19 comes from bookworm (``build/setup-host.sh`` installs clang-19/lld-19/llvm-19).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from . import progress
from . import versions as V
from .cache import Step, log, run_logged
from .debian import fetch

SETUP_HOST = "bash build/setup-host.sh"
INSTALL = "pinnace toolchain install"


def llvm_version() -> str | None:
    clang = Path(V.LLVM_ROOT) / "clang"
    if not clang.exists():
        return None
    out = subprocess.run([str(clang), "--version"], capture_output=True, text=True).stdout
    m = re.search(r"clang version (\d+\.\d+\.\d+)", out)
    return m.group(1) if m else None


def node_path() -> str | None:
    return shutil.which("node")


def fetch_source(name: str) -> Path:
    spec, file_name, sha = V.SOURCES[name]
    return fetch(spec, file_name, sha, source=True)


def extract(archive: Path, dest: Path) -> Path:
    """Extract a tarball into ``dest`` and return its single top-level directory."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tf:
        tf.extractall(dest, filter="tar")
        tops = {m.name.split("/", 1)[0] for m in tf.getmembers()}
    if len(tops) != 1:
        raise RuntimeError(
            f"{archive.name}: expected one top-level directory, found {sorted(tops)}"
        )
    return dest / tops.pop()


# ---------------------------------------------------------------------------------- steps
def emscripten_step() -> Step:
    return Step(
        "emscripten",
        {"deb": V.EMSCRIPTEN_DEB_FILE[2], "acorn": V.ACORN_VERSION, "v": 1},
    )


def binaryen_step() -> Step:
    return Step("binaryen", {"src": V.SOURCES["binaryen"][2], "v": 1})


def emsdk_step() -> Step:
    return Step(
        "emsdk",
        {
            "emscripten": emscripten_step().key,
            "binaryen": binaryen_step().key,
            "llvm_root": V.LLVM_ROOT,
            "llvm": llvm_version(),
            "ports": {k: V.SOURCES[k][2] for k in V.PORTS},
            "port_urls": V.PORTS,
            "v": 1,
        },
    )


def _build_emscripten(out: Path) -> None:
    spec, file_name, sha = V.EMSCRIPTEN_DEB_FILE
    deb = fetch(spec, file_name, sha, source=False)
    log("unpacking the emscripten .deb (not installing it)")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(out / "root")], check=True)
    emroot = out / "root/usr/share/emscripten"
    # Debian expects node-acorn from /usr/share/nodejs; take the pinned one from npm instead.
    subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "--no-save",
         "--prefix", str(emroot), f"acorn@{V.ACORN_VERSION}"],
        check=True,
    )  # fmt: skip


def _build_binaryen(out: Path) -> None:
    src_tar = fetch_source("binaryen")
    work = out / "src"
    src = extract(src_tar, work)
    build = work / "build"
    logfile = out / "build.log"
    run_logged(
        ["cmake", "-S", str(src), "-B", str(build), "-G", "Ninja",
         "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_TESTS=OFF", "-DENABLE_WERROR=OFF",
         "-DBUILD_STATIC_LIB=ON", f"-DCMAKE_INSTALL_PREFIX={out}"],
        logfile,
    )  # fmt: skip
    log("binaryen: compiling (several minutes, once)")
    run_logged(["ninja", "-C", str(build), f"-j{os.cpu_count() or 2}", "install"], logfile)
    shutil.rmtree(work)


@dataclass(frozen=True)
class Toolchain:
    emroot: Path
    binaryen: Path
    config: Path
    em_cache: Path

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for running emcc/emconfigure/emmake with this toolchain."""
        env = dict(os.environ if base is None else base)
        for legacy in ("BINARYEN", "LLVM", "NODE", "EMSDK", "EM_CACHE"):
            env.pop(legacy, None)  # emcc reads these as legacy configuration
        env["EM_CONFIG"] = str(self.config)
        env["PATH"] = os.pathsep.join([str(self.emroot), str(self.binaryen / "bin"), env["PATH"]])
        return env

    def run(self, args: list[str], cwd: Path | None = None, **kw: object) -> None:
        progress.command(args, cwd)
        subprocess.run(args, cwd=cwd, env=self.env(), check=True, **kw)  # type: ignore[call-overload]

    @property
    def emcc(self) -> Path:
        return self.emroot / "emcc"


def _write_config(out: Path, emroot: Path, binaryen: Path) -> Path:
    node = node_path()
    if node is None:
        raise RuntimeError(f"node is not on PATH; run: {SETUP_HOST}")
    config = out / "emscripten.config"
    config.write_text(
        f"LLVM_ROOT = {V.LLVM_ROOT!r}\n"
        f"BINARYEN_ROOT = {str(binaryen)!r}\n"
        f"NODE_JS = {node!r}\n"
        f"CACHE = {str(out / 'cache')!r}\n"
        "FROZEN_CACHE = False\n"
    )
    return config


def _seed_ports(tc: Toolchain, work: Path) -> None:
    """Put Debian's sources where emscripten's port code expects its downloads."""
    ports = tc.em_cache / "ports"
    for name, (url, dirname) in V.PORTS.items():
        src = extract(fetch_source(name), work / name)
        dest = ports / name / dirname
        if dest.parent.exists():
            shutil.rmtree(dest.parent)
        dest.parent.mkdir(parents=True)
        if name == "sqlite3":
            # The port wants the amalgamation; Debian ships the full tree: generate it (tclsh).
            bld = src / "bld"
            bld.mkdir()
            run_logged(["../configure", "--disable-tcl"], work / "sqlite3.log", cwd=bld)
            run_logged(["make", "sqlite3.c"], work / "sqlite3.log", cwd=bld)
            dest.mkdir()
            for f in ("sqlite3.c", "sqlite3.h", "sqlite3ext.h"):
                shutil.copy2(bld / f, dest / f)
        else:
            shutil.copytree(src, dest, symlinks=True)
        (ports / name / ".emscripten_url").write_text(url)
    embuilder = str(tc.emroot / "embuilder")
    names = list(V.PORTS)
    tc.run([embuilder, "build", *names], stdout=subprocess.DEVNULL)
    tc.run([embuilder, "--pic", "build", *names], stdout=subprocess.DEVNULL)


def _paths(emsdk: Path, emscripten: Path, binaryen: Path) -> Toolchain:
    return Toolchain(
        emroot=emscripten / "root/usr/share/emscripten",
        binaryen=binaryen,
        config=emsdk / "emscripten.config",
        em_cache=emsdk / "cache",
    )


def install() -> Toolchain:
    """Install (or find, if cached) the whole pinned toolchain."""
    if llvm_version() is None or not llvm_version().startswith(f"{V.LLVM_MAJOR}."):  # type: ignore[union-attr]
        raise RuntimeError(f"LLVM {V.LLVM_MAJOR} is missing at {V.LLVM_ROOT}; run: {SETUP_HOST}")
    emscripten = emscripten_step().ensure(_build_emscripten)
    binaryen = binaryen_step().ensure(_build_binaryen)

    def build_emsdk(out: Path) -> None:
        tc = _paths(out, emscripten, binaryen)
        shutil.copytree(tc.emroot / "cache", tc.em_cache, symlinks=True)
        _write_config(out, tc.emroot, binaryen)
        _seed_ports(tc, out / "work")
        shutil.rmtree(out / "work")

    emsdk = emsdk_step().ensure(build_emsdk)
    return _paths(emsdk, emscripten, binaryen)


def find() -> Toolchain | None:
    """The installed toolchain, or None if any piece is missing."""
    steps = (emsdk_step(), emscripten_step(), binaryen_step())
    if not all(s.is_built() for s in steps):
        return None
    return _paths(steps[0].path, steps[1].path, steps[2].path)


def require() -> Toolchain:
    tc = find()
    return tc if tc is not None else install()
