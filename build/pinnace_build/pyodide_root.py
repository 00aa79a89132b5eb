"""pyodide-build, pointed at Pinnace's own CPython instead of a Pyodide cross-build environment.

Two cached steps:

* ``pyodide-build-venv``: a virtualenv of the *target's* Python version (pyodide-build insists
  on the same X.Y as the interpreter it builds for: 3.13), holding ``pyodide-build==0.39.2``
  from PyPI.  It is kept out of the 3.11 ``.venv`` that runs the rest of the build.
* ``pyodide-root``: an in-tree root of the kind pyodide-build looks for in a Pyodide checkout: a
  generated ``Makefile.envs`` (whose ``.output_vars`` target prints the build variables), and
  ``cpython/installs/python-X.Y.Z/`` with our headers (``include/python3.13``, ``pyconfig.h``
  from our cross build) and our ``_sysconfigdata``.  No cross-build environment is downloaded.

The ABI string ``PYODIDE_ABI_VERSION`` is our own (``2024_69``): wheels get the platform tag
``pyemscripten_2024_69_wasm32``.  It sorts below "2025" on purpose: pyodide-build switches on
behaviours (RPATH rewriting) above that which Emscripten 3.1.69 lacks, and an official Pyodide
ABI string would make our wheels look installable into Pyodide, which they are not.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import versions as V
from .cache import Step, log, run_logged
from .cpython import WasmBuild
from .toolchain import Toolchain

PYODIDE_BUILD_VERSION = "0.39.2"
ABI_VERSION = V.ABI_VERSION
PLATFORM_TRIPLET = "wasm32-emscripten"
WHEEL_PLATFORM = V.WHEEL_PLATFORM
# A Python of the target's X.Y to run pyodide-build with (pyenv's, on this machine kind).
HOST_PYTHON_CANDIDATES = [
    f"python{V.PYTHON_MAJOR_MINOR}",
    f"/root/.pyenv/versions/{V.PYTHON_MAJOR_MINOR}.0/bin/python{V.PYTHON_MAJOR_MINOR}",
]
# Flags every side module is compiled and linked with (pyodide-build adds -sSIDE_MODULE=1).
# C++ exceptions and C's setjmp/longjmp use WebAssembly exception handling, in every module
# alike (link.EH_FLAGS: the main module is linked with the same): a C++ `throw` in a package
# (SciPy's pybind11 and Boost code) is caught where C++ catches it.
CFLAGS_BASE = "-O2 -g0 -fPIC -fwasm-exceptions -sSUPPORT_LONGJMP=wasm"
CXXFLAGS_BASE = "-fwasm-exceptions -sSUPPORT_LONGJMP=wasm"
LDFLAGS_BASE = "-sWASM_BIGINT -fwasm-exceptions -sSUPPORT_LONGJMP=wasm"


def host_python() -> str:
    for cand in HOST_PYTHON_CANDIDATES:
        found = shutil.which(cand) or (cand if Path(cand).exists() else None)
        if found:
            out = subprocess.run([found, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True)  # fmt: skip
            if out.stdout.strip() == V.PYTHON_MAJOR_MINOR:
                return found
    raise RuntimeError(
        f"pyodide-build needs a native Python {V.PYTHON_MAJOR_MINOR} (the target's version); "
        f"tried {', '.join(HOST_PYTHON_CANDIDATES)}"
    )


def venv_step() -> Step:
    return Step("pyodide-build-venv", {"pyodide_build": PYODIDE_BUILD_VERSION,
                                       "python": V.PYTHON_MAJOR_MINOR, "v": 1})  # fmt: skip


def venv() -> Path:
    """The virtualenv holding pyodide-build (its ``bin/pyodide`` is the CLI)."""

    def build(out: Path) -> None:
        py = host_python()
        subprocess.run([py, "-m", "venv", str(out / "venv")], check=True)
        run_logged([str(out / "venv/bin/pip"), "install", "--disable-pip-version-check",
                    f"pyodide-build=={PYODIDE_BUILD_VERSION}"], out / "pip.log")  # fmt: skip

    return venv_step().ensure(build) / "venv"


def root_step(tc: Toolchain, cp: WasmBuild) -> Step:
    return Step("pyodide-root", {"cpython": cp.builddir.name, "toolchain": tc.config.parent.name,
                                 "abi": ABI_VERSION, "cflags": CFLAGS_BASE,
                                 "cxxflags": CXXFLAGS_BASE, "ldflags": LDFLAGS_BASE, "v": 2})  # fmt: skip


def _makefile_envs(sysconfig_name: str) -> str:
    major, minor, micro = V.PYTHON_VERSION.split(".")
    lines = {
        "PYVERSION": V.PYTHON_VERSION,
        "PYMAJOR": major,
        "PYMINOR": minor,
        "PYMICRO": micro,
        "PYODIDE_EMSCRIPTEN_VERSION": V.EMSCRIPTEN_VERSION,
        "PYODIDE_ABI_VERSION": ABI_VERSION,
        "PYODIDE_VERSION": "0.0.0+pinnace",
        "PLATFORM_TRIPLET": PLATFORM_TRIPLET,
        "SYSCONFIG_NAME": sysconfig_name,
        "CPYTHONINSTALL": f"$(PYODIDE_ROOT)/cpython/installs/python-{V.PYTHON_VERSION}",
        "TARGETINSTALLDIR": "$(CPYTHONINSTALL)",
        "PYTHONINCLUDE": "$(CPYTHONINSTALL)/include/python$(PYMAJOR).$(PYMINOR)",
        "HOSTINSTALLDIR": "$(PYODIDE_ROOT)/packages/.artifacts",
        "HOSTSITEPACKAGES": "$(HOSTINSTALLDIR)/lib/python$(PYMAJOR).$(PYMINOR)/site-packages",
        "CFLAGS_BASE": CFLAGS_BASE,
        "CXXFLAGS_BASE": CXXFLAGS_BASE,
        "LDFLAGS_BASE": LDFLAGS_BASE,
    }
    body = "".join(f"export {k} = {v}\n" for k, v in lines.items())
    return (
        "# Generated by pinnace_build.pyodide_root: pyodide-build reads these through\n"
        "# `make -f Makefile.envs .output_vars`.\n" + body + "\n.output_vars:\n\tset\n"
    )


def _build_root(cp: WasmBuild, out: Path) -> None:
    install = out / "cpython" / "installs" / f"python-{V.PYTHON_VERSION}"
    include = install / "include" / f"python{V.PYTHON_MAJOR_MINOR}"
    shutil.copytree(cp.srcdir / "Include", include)
    shutil.copy2(cp.builddir / "pyconfig.h", include / "pyconfig.h")
    (install / "sysconfigdata").mkdir(parents=True)
    shutil.copy2(cp.sysconfigdata, install / "sysconfigdata" / cp.sysconfigdata.name)
    (out / "Makefile.envs").write_text(_makefile_envs(cp.sysconfigdata.stem))
    # pyodide-build recognises a Pyodide tree by this section of its pyproject.toml.
    (out / "pyproject.toml").write_text("[tool._pyodide]\n")
    (out / "packages" / ".artifacts").mkdir(parents=True)
    # Meson finds cross files by bare name under $XDG_DATA_HOME/meson/cross: recipes whose build
    # runs a vendored meson (numpy) say `setup-args=--cross-file=emscripten`.
    cross = out / "share" / "meson" / "cross"
    cross.mkdir(parents=True)
    site = next((venv() / "lib").glob("python*/site-packages"))
    shutil.copy2(site / "pyodide_build/tools/emscripten.meson.cross", cross / "emscripten")


@dataclass(frozen=True)
class PyodideBuild:
    """pyodide-build ready to build recipes against our CPython."""

    venv: Path
    root: Path
    toolchain: Toolchain

    def env(self) -> dict[str, str]:
        env = self.toolchain.env()
        env.update(
            PYODIDE_ROOT=str(self.root),
            PYODIDE_SKIP_EMSCRIPTEN_INSTALL="1",
            PATH=f"{self.venv / 'bin'}:{env['PATH']}",
            PYODIDE_JOBS="2",
            XDG_DATA_HOME=str(self.root / "share"),
        )
        env.pop("VIRTUAL_ENV", None)
        return env

    @property
    def cli(self) -> Path:
        return self.venv / "bin" / "pyodide"


def ensure(tc: Toolchain, cp: WasmBuild) -> PyodideBuild:
    v = venv()
    root = root_step(tc, cp).ensure(lambda out: _build_root(cp, out))
    log(f"pyodide-build {PYODIDE_BUILD_VERSION}: root {root}")
    return PyodideBuild(venv=v, root=root, toolchain=tc)
