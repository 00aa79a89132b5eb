"""Linking Pinnace's main module: CPython + the runtime's C part, as one ES-module glue + wasm.

The output runs unchanged in a browser's main thread, a Web Worker, Node and Electron:
``pinnace.asm.mjs`` (an ES module exporting ``createPinnaceModule``) and ``pinnace.asm.wasm``.
It is a dynamic-linking main module (``MAIN_MODULE=1``): extension modules of packages load
later as side modules with ``dlopen``.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from .cache import Step, tree_digest
from .cpython import WasmBuild, make_vars
from .paths import RUNTIME
from .toolchain import Toolchain

EXPORTED_FUNCTIONS = ["_main", "_pinnace_init", "_pinnace_set_signal_polling", "_malloc", "_free"]
EXPORTED_RUNTIME_METHODS = ["FS", "ENV", "callMain", "UTF8ToString", "stringToNewUTF8",
                            "HEAPU8", "HEAPU32", "ExitStatus",
                            "loadWebAssemblyModule", "preloadedWasm"]  # fmt: skip
# The FFI (runtime/src/ffi*.c, pyexports.c) reads these views and calls its EMSCRIPTEN_KEEPALIVE
# functions from JS (loader-js/src/ffi/): they are exported by scanning the sources.
EXPORTED_RUNTIME_METHODS += ["HEAP32", "HEAPF64"]


def keepalive_exports() -> list[str]:
    """The EMSCRIPTEN_KEEPALIVE functions of runtime/src, as EXPORTED_FUNCTIONS names."""
    pattern = re.compile(r"EMSCRIPTEN_KEEPALIVE\s+[\w\s*]*?\b(pinnace_\w+)\s*\(")
    names = {m[1] for c in sorted((RUNTIME / "src").glob("*.c"))
             for m in pattern.finditer(c.read_text())}  # fmt: skip
    return sorted(f"_{n}" for n in names if f"_{n}" not in EXPORTED_FUNCTIONS)


EXPORTED_FUNCTIONS += keepalive_exports()
# WebAssembly exception handling for C++ exceptions and setjmp/longjmp, as every side module is
# built (pyodide_root.CFLAGS_BASE): the main module brings the C++ runtime (libc++abi with
# wasm EH) and the exception tag the side modules share.
EH_FLAGS = ["-fwasm-exceptions", "-sSUPPORT_LONGJMP=wasm"]
LINK_FLAGS = [
    *EH_FLAGS,
    "-O2", "-g0",
    "-sMAIN_MODULE=1",
    "-sMODULARIZE=1", "-sEXPORT_ES6=1", "-sEXPORT_NAME=createPinnaceModule",
    "-sENVIRONMENT=web,worker,node",
    "-sALLOW_MEMORY_GROWTH=1", "-sINITIAL_MEMORY=33554432", "-sSTACK_SIZE=16MB",
    "-sWASM_BIGINT=1",
    "-sFORCE_FILESYSTEM=1", "-lidbfs.js", "-lnodefs.js", "-lproxyfs.js", "-lworkerfs.js",
    "-sINVOKE_RUN=0", "-sEXIT_RUNTIME=0",
    "-sNODEJS_CATCH_EXIT=0", "-sNODEJS_CATCH_REJECTION=0",
    "-sEXPORTED_FUNCTIONS=" + ",".join(EXPORTED_FUNCTIONS),
    "-sEXPORTED_RUNTIME_METHODS=" + ",".join(EXPORTED_RUNTIME_METHODS),
]  # fmt: skip
CFLAGS = ["-O2", "-fPIC", *EH_FLAGS]


def step(tc: Toolchain, cp: WasmBuild) -> Step:
    return Step(
        "main-module",
        {
            "cpython": cp.builddir.name,
            "runtime_c": tree_digest(RUNTIME / "src"),
            "flags": LINK_FLAGS,
            "cflags": CFLAGS,
            "v": 1,
        },
    )


def _link(tc: Toolchain, cp: WasmBuild, out: Path) -> None:
    b = cp.builddir
    v = make_vars(b, ["LIBRARY", "LINK_PYTHON_OBJS", "LIBS", "MODLIBS", "SYSLIBS"])
    includes = [f"-I{cp.srcdir / 'Include'}", f"-I{b}"]
    objects = []  # not Programs/python.o: runtime/src/pinnace.c has main()
    for c in sorted((RUNTIME / "src").glob("*.c")):
        obj = out / (c.stem + ".o")
        tc.run([str(tc.emcc), "-c", *CFLAGS, *includes, str(c), "-o", str(obj)])
        objects.append(str(obj))
    libs = shlex.split(" ".join([v["LINK_PYTHON_OBJS"], v["LIBS"], v["MODLIBS"], v["SYSLIBS"]]))
    tc.run([str(tc.emcc), *LINK_FLAGS, "-o", str(out / "pinnace.asm.mjs"), *objects, *libs],
           cwd=b)  # fmt: skip


def build(tc: Toolchain, cp: WasmBuild) -> Path:
    """Link (if needed) and return the directory holding pinnace.asm.{mjs,wasm}."""
    return step(tc, cp).ensure(lambda out: _link(tc, cp, out))


def copy_to(main_module: Path, dest: Path) -> None:
    for name in ("pinnace.asm.mjs", "pinnace.asm.wasm"):
        shutil.copy2(main_module / name, dest / name)
