"""Linking Pinnace's main module: CPython + the runtime's C part, as one ES-module glue + wasm.

The output runs unchanged in a browser's main thread, a Web Worker, Node and Electron:
``pinnace.asm.mjs`` (an ES module exporting ``createPinnaceModule``) and ``pinnace.asm.wasm``.
It is a dynamic-linking main module: extension modules of packages load later as side modules
with ``dlopen``.  ``MAIN_MODULE=2`` with an export list (exports.py): CPython's C API and what
the shipped side modules import, so the linker drops the unused rest of the system libraries.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from . import apart_modules, exports, fixed_base
from . import versions as V
from .cache import BuildError, Step, content_key, file_digest, tree_digest
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
    "-sMAIN_MODULE=2",
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
# binaryen -O3 over the linked module (emcc's own pass is -O2; an -O3 link would also run
# Emscripten's meta-DCE, which drops exports the side modules need): 5% faster on pyperformance's
# files (faster on 42 of 43), 0.9% larger under brotli (docs/benchmarks.md, "Build levers").
WASM_OPT_FLAGS = ["-O3", "--enable-exception-handling", "--enable-bulk-memory", "--enable-sign-ext",
                  "--enable-mutable-globals", "--enable-nontrapping-float-to-int"]  # fmt: skip


# Builtins of the cross build that the main module leaves out, with their inittab entries: they
# ship as side modules in a stdlib piece (apart_modules.py; 0.3 MB of the wasm under brotli).
MAIN_MODULE_LEAVES_OUT = apart_modules.CJK


def python_objects(cp: WasmBuild, linked: list[str]) -> list[str]:
    """``linked`` (CPython's LINK_PYTHON_OBJS) without the objects of MAIN_MODULE_LEAVES_OUT."""
    sources = apart_modules.sources(cp.srcdir, MAIN_MODULE_LEAVES_OUT.modules).values()
    left_out = {f"Modules/{rel.removesuffix('.c')}.o" for files in sources for rel in files}
    if missing := left_out - set(linked):
        raise BuildError(f"main-module: {sorted(missing)} are not among CPython's objects")
    return [o for o in linked if o not in left_out]


def inittab_without_left_out(config_c: str) -> str:
    """Modules/config.c (makesetup's inittab of the builtin modules) without the entries and
    declarations of MAIN_MODULE_LEAVES_OUT."""
    for name in MAIN_MODULE_LEAVES_OUT.modules:
        declaration = f"extern PyObject* PyInit_{name}(void);\n"
        entry = f'    {{"{name}", PyInit_{name}}},\n'
        if config_c.count(declaration) != 1 or config_c.count(entry) != 1:
            raise BuildError(f"main-module: Modules/config.c has no single inittab entry for {name}")
        config_c = config_c.replace(declaration, "").replace(entry, "")
    return config_c


def step(tc: Toolchain, cp: WasmBuild, needed: list[str], extra: Sequence[str] = (),
         api_from: WasmBuild | None = None, with_fixed_base: bool = True) -> Step:  # fmt: skip
    inputs = {
        "cpython": cp.builddir.name,
        "runtime_c": tree_digest(RUNTIME / "src"),
        "flags": LINK_FLAGS,
        "cflags": CFLAGS,
        "wasm_opt": WASM_OPT_FLAGS,
        "side_module_imports": content_key({"names": needed}),
        "exports_py": file_digest(Path(exports.__file__)),
        "leaves_out": MAIN_MODULE_LEAVES_OUT.modules,
        "fixed_base": file_digest(Path(fixed_base.__file__)),
        "v": 3,
    }
    if not with_fixed_base:  # a variant (bench/levers.py)
        inputs["fixed_base"] = None
    if extra:  # a variant (bench/levers.py); dist's own key stays as it was
        inputs["extra_flags"] = list(extra)
    if api_from is not None:
        inputs["api_from"] = api_from.builddir.name
    return Step("main-module", inputs)


def _link(tc: Toolchain, cp: WasmBuild, needed: list[str], out: Path, extra: Sequence[str] = (),
          api_from: WasmBuild | None = None, with_fixed_base: bool = True) -> None:  # fmt: skip
    b = cp.builddir
    v = make_vars(b, ["LINK_PYTHON_OBJS", "LIBS", "MODLIBS", "SYSLIBS", "PY_CORE_CFLAGS"])
    includes = [f"-I{cp.srcdir / 'Include'}", f"-I{b}"]
    objects = []  # not Programs/python.o: runtime/src/pinnace.c has main()
    for c in sorted((RUNTIME / "src").glob("*.c")):
        obj = out / (c.stem + ".o")
        tc.run([str(tc.emcc), "-c", *CFLAGS, *includes, str(c), "-o", str(obj)])
        objects.append(str(obj))
    # CPython's objects, with an inittab compiled here in place of Modules/config.o
    config_c = out / "config.c"
    config_c.write_text(inittab_without_left_out((b / "Modules" / "config.c").read_text()))
    tc.run([str(tc.emcc), "-c", *shlex.split(v["PY_CORE_CFLAGS"]), str(config_c), "-o",
            str(out / "config.o")], cwd=b)  # fmt: skip
    python_objs = [str(out / "config.o") if o == "Modules/config.o" else o
                   for o in python_objects(cp, shlex.split(v["LINK_PYTHON_OBJS"]))]  # fmt: skip
    libs = [*python_objs, *shlex.split(" ".join([v["LIBS"], v["MODLIBS"], v["SYSLIBS"]]))]
    # the C API: what CPython's objects define with default visibility (read from another build
    # of the same source when this one's objects are LLVM bitcode, which llvm-objdump cannot read)
    objdump = Path(V.LLVM_ROOT) / "llvm-objdump"
    if api_from is None:
        c_api = exports.defined_symbols(objdump, [*objects, *python_objs], b)
    else:
        api_objects = make_vars(api_from.builddir, ["LINK_PYTHON_OBJS"])["LINK_PYTHON_OBJS"]
        c_api = (exports.defined_symbols(objdump, objects, b)
                 | exports.defined_symbols(objdump, python_objects(api_from, shlex.split(api_objects)),
                                           api_from.builddir))  # fmt: skip
    response = out / "exports.rsp"
    response.write_text(exports.linker_response((c_api | set(needed)) - exports.LINKER_PROVIDED))
    glue = out / "pinnace.asm.mjs"
    tc.run([str(tc.emcc), *LINK_FLAGS, *extra, f"-Wl,@{response}", "-o", str(glue), *objects,
            *libs], cwd=b)  # fmt: skip
    wasm = out / "pinnace.asm.wasm"
    if with_fixed_base:
        folded = fixed_base.apply(wasm, glue, tc.run, tc.binaryen / "bin", WASM_OPT_FLAGS[1:])
        (out / "fixed-base.txt").write_text(f"{folded} GOT globals made constant\n")
    tc.run([str(tc.binaryen / "bin" / "wasm-opt"), *WASM_OPT_FLAGS, str(wasm), "-o", str(wasm)])
    glue.write_text(prune_export_wrappers(glue.read_text()))
    subprocess.run(["node", "--check", str(glue)], check=True)


# Emscripten's glue gives each wasm export a JS wrapper, `var _X=Module["_X"]=...;`.  The
# dynamic linker does not use them (side modules bind to the wasm exports themselves, through
# `wasmImports`), and JS calls only EXPORTED_FUNCTIONS: the other ~2,400 are dead code (370 kB,
# 37 kB under brotli).
_WRAPPER = re.compile(r'var (_[\w$]+)=Module\["\1"\]=(?:[^;]*?wasmExports\["[^"]+"\]\)\([^);]*\)|\d+);')


def prune_export_wrappers(glue: str) -> str:
    """``glue`` without the export wrappers that nothing in it (and no JS caller) uses."""
    keep = set(EXPORTED_FUNCTIONS)
    candidates = [m for m in _WRAPPER.finditer(glue) if m[1] not in keep]
    rest = _WRAPPER.sub(lambda m: "" if m[1] not in keep else m[0], glue)
    used = set(re.findall(r"(?<![\w$])_[\w$]+", rest))
    dead = {m[1] for m in candidates} - used
    return _WRAPPER.sub(lambda m: "" if m[1] in dead else m[0], glue)


def build(tc: Toolchain, cp: WasmBuild, needed: list[str], extra: Sequence[str] = (),
          api_from: WasmBuild | None = None, with_fixed_base: bool = True) -> Path:  # fmt: skip
    """Link (if needed) and return the directory holding pinnace.asm.{mjs,wasm}; ``needed``:
    the symbols the shipped side modules import (exports.needed_by); ``api_from``: the build
    whose objects say what the C API is (when ``cp``'s are bitcode).  For a variant measured by
    bench/levers.py: ``extra``, more emcc link flags; ``with_fixed_base=False``, without
    fixed_base.py's rewrite."""
    return step(tc, cp, needed, extra, api_from, with_fixed_base).ensure(
        lambda out: _link(tc, cp, needed, out, extra, api_from, with_fixed_base))


ASM = ("pinnace.asm.mjs", "pinnace.asm.wasm")


def copy_to(main_module: Path, dest: Path) -> None:
    for name in ASM:
        shutil.copy2(main_module / name, dest / name)


def folder_like(dist: Path, folder: Path) -> None:
    """A new ``folder`` with ``dist``'s files but its main module, for another main module (the
    PGO training's, bench/levers.py's variants): copies of the loader's JS and of the JSON, links
    to the data the loader reads from its own folder."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for f in dist.iterdir():
        if f.name.startswith(ASM):
            continue
        if f.suffix in (".mjs", ".js", ".json") or f.is_dir():
            # copies: node resolves a linked module to its real path, whose neighbours are dist's
            (shutil.copytree if f.is_dir() else shutil.copy2)(f, folder / f.name)
        else:
            (folder / f.name).symlink_to(f.resolve())
