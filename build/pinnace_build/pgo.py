"""The main module's CPython, optimised with a profile and across files (PGO + LTO): 10-15%
faster on pyperformance's files than the plain -O3 build (docs/benchmarks.md, "Build levers of the main
module", measured by bench/levers.py).  Only the main module is linked from it: packages build
against the plain build (cpython.build()), whose headers and ABI are the same and whose
sysconfigdata carries no profile or LTO flag.

clang 19 instruments wasm code with ``-fprofile-instr-generate`` (each function registers its
counters at start-up through ``__llvm_profile_register_function``), but Emscripten 3.1.69 ships
no profile runtime: its compiler-rt has the builtins and the sanitizers only, and a link of
instrumented code fails on ``__llvm_profile_runtime``.  So:

* ``profile-runtime``: compiler-rt's ``lib/profile`` from LLVM 19.1.7's pristine source
  (Debian's ``llvm-toolchain-19`` orig tarball, the version of the clang on this machine),
  compiled with emcc (``-fPIC``: it goes into the main module) into ``libclang_rt.profile.a``.
* ``instrumented()``: CPython built with ``-fprofile-instr-generate``, linked with that runtime.
* ``train()``: CPython's own PGO workload (regrtest ``--pgo``: the tests CPython's
  ``make profile-opt`` trains on) in that build under node, then ``__llvm_profile_write_file``
  (called through ctypes: the link exports it); llvm-profdata merges the raw profile.
* ``use_flags()``: the flags of the build that reads the profile; ``optimised()``: that build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from . import cpython, exports, link
from . import versions as V
from .cache import BuildError, Step, log, run_logged
from .cpython import WasmBuild
from .debian import fetch
from .node_python import NODE_FLAGS
from .toolchain import Toolchain

# The tarball, as SOURCES entries are: apt spec, file, sha256 (fetched only by this lever).
LLVM_SOURCE = (
    "llvm-toolchain-19/trixie",
    "llvm-toolchain-19_19.1.7.orig.tar.xz",
    "ae498f3bc58ae2d9f64ef5f0c035c4240152bf015a5b7738b15c22e93bdc97ce",
)
# compiler-rt/lib/profile's sources for a target without ELF/Mach-O/COFF section bounds
# (wasm registers each function's data at start-up: InstrProfilingPlatformOther.c).
RUNTIME_SOURCES = [
    "InstrProfiling.c", "InstrProfilingBuffer.c", "InstrProfilingFile.c",
    "InstrProfilingInternal.c", "InstrProfilingMerge.c", "InstrProfilingMergeFile.c",
    "InstrProfilingNameVar.c", "InstrProfilingPlatformOther.c", "InstrProfilingRuntime.cpp",
    "InstrProfilingUtil.c", "InstrProfilingValue.c", "InstrProfilingVersionVar.c",
    "InstrProfilingWriter.c",
]  # fmt: skip
# What compiler-rt's CMake would find on Emscripten's libc (uname(): the %h of profile names).
RUNTIME_DEFINES = ["-DCOMPILER_RT_HAS_UNAME=1"]
OPT = "-DNDEBUG -g -O3 -Wall"  # CPython's configure default for clang (what dist is built with)
OPT_GENERATE = f"{OPT} -fprofile-instr-generate"
OPT_LTO = f"{OPT} -flto"
LINK_GENERATE = ("-fprofile-instr-generate", "-Wl,--export=__llvm_profile_write_file")
TRAIN = """\
import ctypes, sys
sys.argv = ["test", "--pgo"]
try:
    from test.libregrtest.main import main
    main()
except SystemExit as e:
    print("pgo training: regrtest exited with", e.code, file=sys.stderr)
finally:
    if ctypes.CDLL(None).__llvm_profile_write_file() != 0:
        raise SystemExit("pgo training: __llvm_profile_write_file failed")
"""


def runtime_step() -> Step:
    return Step("profile-runtime", {"src": LLVM_SOURCE[2], "files": RUNTIME_SOURCES,
                                      "defines": RUNTIME_DEFINES, "patches": PATCHES, "v": 3})


def _build_runtime(tc: Toolchain, out: Path) -> None:
    tarball = fetch(*LLVM_SOURCE, source=True)
    log("profile-runtime: extracting compiler-rt/lib/profile from the LLVM source (a minute)")
    wanted = ("compiler-rt/lib/profile/", "compiler-rt/include/profile/")
    with tarfile.open(tarball) as tf:
        members = [m for m in tf if any(w in m.name for w in wanted)]
        tf.extractall(out / "src", members=members, filter="data")
    src = next((out / "src").glob("*/compiler-rt"))
    _patch(src / "lib" / "profile" / "InstrProfilingPlatformOther.c")
    objects = []
    for name in RUNTIME_SOURCES:
        obj = out / (Path(name).stem + ".o")
        compiler = tc.emroot / ("em++" if name.endswith(".cpp") else "emcc")
        run_logged([str(compiler), "-c", "-O2", "-fPIC", "-fvisibility=hidden", *RUNTIME_DEFINES,
                    f"-I{src / 'include'}", f"-I{src / 'lib' / 'profile'}",
                    str(src / "lib" / "profile" / name), "-o", str(obj)],
                   out / "build.log", env=tc.env())  # fmt: skip
        objects.append(str(obj))
    run_logged([str(tc.emroot / "emar"), "rcs", str(out / "libclang_rt.profile.a"), *objects],
               out / "build.log", env=tc.env())  # fmt: skip
    shutil.rmtree(out / "src")


# Two patches to LLVM 19.1.7's InstrProfilingPlatformOther.c, each after a line it must find.
# 1. It returns BitmapFirst/BitmapLast (the MC/DC bitmap bounds) without declaring them: it
#    does not compile.  Declared, empty (no bitmaps without -fcoverage-mcdc).
# 2. A function's data record holds its counters' place relative to itself (CounterPtr, a
#    R_WASM_MEMORY_ADDR_LOCREL_I32 relocation).  In a position-independent main module wasm-ld
#    adds __memory_base to that difference at start-up as if it were an address (measured: -24
#    became 1000 with the main module at 1024), so every count was read from the wrong place
#    (zeros, or garbage llvm-profdata refuses).  Registration takes the base off again.
PATCHES = [
    ("static char *CountersLast = NULL;\n",
     "static char *BitmapFirst = NULL;\nstatic char *BitmapLast = NULL;\n"),
    ("  const __llvm_profile_data *Data = (__llvm_profile_data *)Data_;\n",
     "#if defined(__wasm__) && defined(__PIC__)\n"
     "  {\n"
     "    uintptr_t Base;\n"
     "    __asm__(\".globaltype __memory_base, i32, immutable\\n\"\n"
     "            \"global.get __memory_base\\n\"\n"
     "            \"local.set %0\" : \"=r\"(Base));\n"
     "    char **Rel = (char **)(uintptr_t)&Data->CounterPtr;\n"
     "    *Rel -= Base;\n"
     "  }\n"
     "#endif\n"),
]  # fmt: skip


def _patch(platform_other: Path) -> None:
    text = platform_other.read_text()
    for anchor, insertion in PATCHES:
        if text.count(anchor) != 1:
            raise BuildError(f"profile-runtime: {platform_other.name} changed; its patch needs a look")
        text = text.replace(anchor, anchor + insertion)
    platform_other.write_text(text)


def runtime(tc: Toolchain) -> Path:
    """libclang_rt.profile.a for wasm32-emscripten (built once, cached)."""
    return runtime_step().ensure(lambda out: _build_runtime(tc, out)) / "libclang_rt.profile.a"


def link_generate(tc: Toolchain) -> tuple[str, ...]:
    """The extra link flags of the instrumented main module."""
    return (*LINK_GENERATE, str(runtime(tc)))


def profile_step(tc: Toolchain) -> Step:
    """Keyed by the instrumented CPython build, not by its link: a main module linked again for
    other exports runs the same code, so its profile stays (and with it the optimised build)."""
    return Step("cpython-profile", {"cpython": cpython.wasm_step(tc, OPT_GENERATE).path.name,
                                    "runtime": runtime_step().key, "train": TRAIN, "v": 2})  # fmt: skip


def train(tc: Toolchain, dist: Path) -> Path:
    """The merged profile (``cpython.profdata``) of the training workload, run under node in a
    folder with ``dist``'s loader and stdlib and a main module linked from the instrumented
    build and the profile runtime (all made only when the profile is not cached)."""

    def collect(out: Path) -> None:
        folder = out / "dist"
        link.folder_like(dist, folder)
        instrumented = cpython.build(tc, opt=OPT_GENERATE)
        linked = link.build(tc, instrumented, exports.needed_by(dist), link_generate(tc),
                            api_from=cpython.build(tc), with_fixed_base=False)  # fmt: skip
        # (bases read at run time: the module the profile runtime's patch was checked with)
        link.copy_to(linked, folder)
        raw = out / "cpython.profraw"
        env = dict(os.environ, LLVM_PROFILE_FILE=str(raw), PYTHON_COLORS="0")
        log("pgo: training (regrtest --pgo in the instrumented build, a few minutes)")
        res = subprocess.run(["node", *NODE_FLAGS, str(folder / "pinnace-python.mjs"),
                              "-c", TRAIN], cwd=out, env=env, capture_output=True, text=True)  # fmt: skip
        (out / "train.log").write_text(res.stdout + res.stderr)
        if res.returncode != 0 or not raw.exists():
            raise BuildError(f"pgo training failed (exit {res.returncode}); see {out / 'train.log'}")
        run_logged([str(Path(V.LLVM_ROOT) / "llvm-profdata"), "merge", "-o",
                    str(out / "cpython.profdata"), str(raw)], out / "train.log")  # fmt: skip
        raw.unlink()
        shutil.rmtree(folder)

    return profile_step(tc).ensure(collect) / "cpython.profdata"


def use_flags(profile: Path) -> str:
    """The compiler flags (for OPT) of a build optimised with ``profile``.  A function the
    training never ran has no profile (optimised as usual, without the warning)."""
    return f"-fprofile-instr-use={profile} -Wno-profile-instr-unprofiled"


def optimised_opt(profile: Path, lto: bool = True) -> str:
    """Configure's OPT for the build that reads ``profile``."""
    return f"{OPT_LTO if lto else OPT} {use_flags(profile)}"


def optimised(tc: Toolchain, dist: Path, lto: bool = True) -> WasmBuild:
    """CPython compiled with the training's profile (``train``) and, with ``lto``, -flto: the
    build dist's main module is linked from (``lto=False``: a lever bench/levers.py measures)."""
    return cpython.build(tc, opt=optimised_opt(train(tc, dist), lto))
