"""``pinnace toolchain doctor``: what is present, what is missing, and the command that fixes it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from . import toolchain
from . import versions as V
from .paths import cache_root


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _tool(name: str, package: str) -> Check:
    path = shutil.which(name)
    return Check(name, path is not None, path or "not on PATH",
                 f"{toolchain.SETUP_HOST}   (installs Debian package {package})")  # fmt: skip


def _emcc_version(tc: toolchain.Toolchain) -> str | None:
    res = subprocess.run([str(tc.emcc), "--version"], env=tc.env(), capture_output=True, text=True)
    first = res.stdout.splitlines()[0] if res.returncode == 0 and res.stdout else ""
    return first or None


def checks() -> list[Check]:
    out: list[Check] = []
    llvm = toolchain.llvm_version()
    out.append(Check(f"LLVM {V.LLVM_MAJOR}", bool(llvm and llvm.startswith(f"{V.LLVM_MAJOR}.")),
                     f"clang {llvm} in {V.LLVM_ROOT}" if llvm else f"no clang in {V.LLVM_ROOT}",
                     toolchain.SETUP_HOST))  # fmt: skip
    for name, package in (("node", "nodejs"), ("npm", "npm"), ("tclsh", "tcl"),
                          ("cmake", "cmake"), ("ninja", "ninja-build"),
                          ("autoreconf", "autoconf"), ("ccache", "ccache"),
                          ("apt-get", "apt"), ("dpkg-deb", "dpkg")):  # fmt: skip
        out.append(_tool(name, package))
    fix = toolchain.INSTALL
    steps = {
        f"emscripten {V.EMSCRIPTEN_VERSION} (Debian trixie .deb, unpacked)":
            toolchain.emscripten_step(),
        f"binaryen {V.BINARYEN_VERSION} (built from source)": toolchain.binaryen_step(),
        "emscripten config, cache and offline ports": toolchain.emsdk_step(),
    }  # fmt: skip
    for name, step in steps.items():
        out.append(Check(name, step.is_built(),
                         str(step.path) if step.is_built() else f"missing: {step.path}", fix))  # fmt: skip
    tc = toolchain.find()
    if tc is not None:
        acorn = tc.emroot / "node_modules" / "acorn"
        out.append(Check(f"acorn {V.ACORN_VERSION}", acorn.is_dir(), str(acorn), fix))
        wasm_opt = tc.binaryen / "bin" / "wasm-opt"
        finalize = tc.binaryen / "bin" / "wasm-emscripten-finalize"
        out.append(Check("wasm-opt, wasm-emscripten-finalize",
                         wasm_opt.exists() and finalize.exists(), str(wasm_opt.parent), fix))  # fmt: skip
        for port in V.PORTS:
            seeded = (tc.em_cache / "ports" / port / ".emscripten_url").exists()
            out.append(Check(f"port {port} (seeded offline)", seeded,
                             str(tc.em_cache / "ports" / port), fix))  # fmt: skip
        version = _emcc_version(tc) if all(c.ok for c in out) else None
        ok = version is not None and V.EMSCRIPTEN_VERSION in version
        out.append(Check("emcc runs", ok, version or "emcc --version failed", fix))
    return out


def main() -> int:
    print(f"cache: {cache_root()}")
    results = checks()
    width = max(len(c.name) for c in results)
    for c in results:
        mark = "ok     " if c.ok else "MISSING"
        print(f"  {mark} {c.name.ljust(width)}  {c.detail}")
    missing = [c for c in results if not c.ok]
    if missing:
        print("\nTo fix:")
        for fix in dict.fromkeys(c.fix for c in missing):
            print(f"  {fix}")
        return 1
    print("\nThe toolchain is complete.")
    return 0
