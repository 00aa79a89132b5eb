"""The main module's export list and its build-time check (build/pinnace_build/exports.py).

Side modules are made here byte by byte (an import section, an export section, a dylink.0
section), so each case is exactly the one named; the last tests read the real dist/."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pinnace_build import cpython, exports, link, toolchain
from pinnace_build.cache import BuildError
from support.hosts import REPO

DIST = REPO / "dist"
FUNC, GLOBAL = 0, 3


def _uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(s: str) -> bytes:
    return _uleb(len(s)) + s.encode()


def _section(sid: int, payload: bytes) -> bytes:
    return bytes([sid]) + _uleb(len(payload)) + payload


def module(imports: list[tuple[str, str, int]] = (), exported: list[str] = (),  # type: ignore[assignment]
           weak: list[str] = ()) -> bytes:  # type: ignore[assignment]  # fmt: skip
    """A wasm module importing ``imports`` ((module, name, kind)), exporting ``exported`` (as
    functions) and marking ``weak`` imports weak in its dylink.0 section."""
    types = _section(1, b"\x01\x60\x00\x00")  # one type: () -> ()
    entries = b"".join(_str(m) + _str(n) + (b"\x00\x00" if k == FUNC else b"\x03\x7f\x01")
                       for m, n, k in imports)  # fmt: skip
    out = b"\0asm\x01\0\0\0"
    if weak:
        info = _uleb(len(weak)) + b"".join(_str("env") + _str(n) + b"\x01" for n in weak)
        out += _section(0, _str("dylink.0") + b"\x04" + _uleb(len(info)) + info)
    out += types + _section(2, _uleb(len(imports)) + entries)
    if exported:
        out += _section(7, _uleb(len(exported)) + b"".join(_str(n) + b"\x00\x00" for n in exported))
    return out


def wheel(folder: Path, name: str, members: dict[str, bytes]) -> str:
    file_name = f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(folder / file_name, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return file_name


def lock(folder: Path, depends: dict[str, list[str]]) -> None:
    packages = {n: {"name": n, "file_name": f"{n}-1.0-py3-none-any.whl", "depends": d}
                for n, d in depends.items()}  # fmt: skip
    (folder / "pinnace-lock.json").write_text(json.dumps({"packages": packages}))


@pytest.fixture
def main_module(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in main module exporting a C API function and a libc one, and its glue."""
    wasm = tmp_path / "main.wasm"
    wasm.write_bytes(module(exported=["PyFloat_FromDouble", "nextafter", "PyExc_TypeError"]))
    glue = tmp_path / "main.mjs"
    glue.write_text("var x=1;var wasmImports={exit:_exit,__assert_fail:___assert_fail};var y;")
    return wasm, glue


def test_a_symbol_nothing_provides_fails_the_build(tmp_path: Path,
                                                   main_module: tuple[Path, Path]) -> None:  # fmt: skip
    dist = tmp_path / "dist"
    dist.mkdir()
    imports = [("env", "nextafter", FUNC), ("env", "exit", FUNC), ("env", "no_such_function", FUNC),
               ("GOT.mem", "PyExc_TypeError", GLOBAL), ("env", "__memory_base", GLOBAL),
               ("GOT.func", "also_missing", GLOBAL)]  # fmt: skip
    wheel(dist, "a", {"a/_m.cpython-313-wasm32-emscripten.so": module(imports), "a/x.py": b""})
    lock(dist, {"a": []})
    assert exports.needed_by(dist) == ["PyExc_TypeError", "also_missing", "exit", "nextafter",
                                       "no_such_function"]  # fmt: skip
    where = "a-1.0-py3-none-any.whl!a/_m.cpython-313-wasm32-emscripten.so"
    assert exports.missing(dist, *main_module) == {where: ["also_missing", "no_such_function"]}
    with pytest.raises(BuildError, match="a/_m.cpython-313-wasm32-emscripten.so: also_missing, "
                                         "no_such_function"):  # fmt: skip
        exports.check(dist, *main_module)


def test_weak_imports_and_dependencies_are_provided(tmp_path: Path,
                                                    main_module: tuple[Path, Path]) -> None:  # fmt: skip
    dist = tmp_path / "dist"
    dist.mkdir()
    user = module([("env", "from_lib", FUNC), ("env", "weak_wrapper", FUNC)], weak=["weak_wrapper"])
    wheel(dist, "a", {"a/_m.so": user})
    wheel(dist, "lib", {"lib/libx.so": module(exported=["from_lib"])})
    lock(dist, {"a": ["lib"], "lib": []})
    exports.check(dist, *main_module)
    lock(dist, {"a": [], "lib": []})  # the library is shipped, but `a` does not load it
    assert exports.missing(dist, *main_module) == {"a-1.0-py3-none-any.whl!a/_m.so": ["from_lib"]}


def test_unused_export_wrappers_leave_the_glue() -> None:
    glue = ('var _PyList_New=Module["_PyList_New"]=a0=>(_PyList_New=Module["_PyList_New"]='
            'wasmExports["PyList_New"])(a0);'
            'var _malloc=Module["_malloc"]=a0=>(_malloc=Module["_malloc"]=wasmExports["malloc"])(a0);'
            'var _used=Module["_used"]=()=>(_used=Module["_used"]=wasmExports["used"])();'
            'var _data=Module["_data"]=1234;var f=()=>_used();')  # fmt: skip
    pruned = link.prune_export_wrappers(glue)
    assert "_PyList_New" not in pruned and "_data" not in pruned  # nothing calls them
    assert 'var _malloc=Module["_malloc"]' in pruned  # EXPORTED_FUNCTIONS: the loader's
    assert 'var _used=Module["_used"]' in pruned and pruned.endswith("var f=()=>_used();")


@pytest.mark.usefixtures("dist")
def test_the_main_module_exports_the_c_api_and_what_shipped_modules_import() -> None:
    tc = toolchain.require()
    cp = cpython.find(tc)
    assert cp is not None, "the CPython build dist/ was made from is not in the cache"
    objects = cpython.make_vars(cp.builddir, ["LINK_PYTHON_OBJS"])["LINK_PYTHON_OBJS"].split()
    linked = link.python_objects(cp, objects)  # without the CJK codecs (a stdlib piece)
    assert "Modules/cjkcodecs/_codecs_jp.o" in objects and "Modules/cjkcodecs/_codecs_jp.o" not in linked
    c_api = exports.defined_symbols(Path(link.V.LLVM_ROOT) / "llvm-objdump", linked, cp.builddir)
    assert {"PyFloat_FromDouble", "PyExc_TypeError", "PyInit__json", "Py_Initialize"} <= c_api
    main = exports.exported_symbols((DIST / "pinnace.asm.wasm").read_bytes())
    assert c_api <= main, f"C API not exported: {sorted(c_api - main)[:20]}"
    left_out = {f"PyInit_{m}" for m in link.MAIN_MODULE_LEAVES_OUT.modules}
    assert "PyInit__codecs_jp" in left_out and not left_out & main
    assert exports.missing(DIST, DIST / "pinnace.asm.wasm", DIST / "pinnace.asm.mjs") == {}
    assert len(main) < 7000  # MAIN_MODULE=1 exported 9,740: all of libc++ among them


@pytest.mark.usefixtures("dist")
def test_the_inittab_loses_the_left_out_modules_only() -> None:
    cp = cpython.find(toolchain.require())
    assert cp is not None, "the CPython build dist/ was made from is not in the cache"
    config_c = (cp.builddir / "Modules" / "config.c").read_text()
    kept = link.inittab_without_left_out(config_c)
    assert '{"_codecs_jp", PyInit__codecs_jp}' in config_c
    assert "_codecs_jp" not in kept and "_multibytecodec" not in kept
    assert '{"_json", PyInit__json}' in kept and kept.count("PyInit_") == config_c.count("PyInit_") - 14
    with pytest.raises(BuildError, match="no single inittab entry for _multibytecodec"):
        link.inittab_without_left_out(kept)  # a CPython whose inittab changed fails the build
