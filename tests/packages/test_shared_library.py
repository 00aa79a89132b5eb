"""A shared-library package (like libopenblas) under node: a C library in a zip of its own,
named as a dynamic dependency (dylink "needed") by the extension module of another package.

Built here with the pinned toolchain: ``libpinnacedemo.so`` and ``_usesdemo``, whose module
links against it.  The loader must install the library in /lib/dynlib and load it under its file
name before the extension module, in each way a package arrives: a plain import (synchronous),
``loadPackage``, and the import pre-scan of ``runPythonAsync``.  And a prototype that differs
from the library's definition must fail the link (wasm-ld's shared-library signature check).
"""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from pathlib import Path

import pytest

from support.hosts import Node
from support.pkgdist import PkgDist

EXT = "_usesdemo.cpython-313-wasm32-emscripten.so"
# The flags every package side module is linked with (pyodide-build's LDFLAGS_BASE and
# wrapper): without -sWASM_BIGINT emcc turns the shared-library signature check off.
LINK = ["-O2", "-fPIC", "-sSIDE_MODULE=1", "-sWASM_BIGINT", "-Wl,--fatal-warnings"]
LIB_C = "int pinnace_demo_answer(int x) { return 2 * x; }\n"
EXT_C = """\
#include <Python.h>
int pinnace_demo_answer(int x);
static PyObject *answer(PyObject *self, PyObject *arg) {
    return PyLong_FromLong(pinnace_demo_answer((int)PyLong_AsLong(arg)));
}
static PyMethodDef methods[] = {{"answer", answer, METH_O, NULL}, {NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_usesdemo", NULL, -1, methods};
PyMODINIT_FUNC PyInit__usesdemo(void) { return PyModule_Create(&mod); }
"""


class Built:
    def __init__(self, root: Path, env: dict[str, str], emcc: str) -> None:
        self.root, self.env, self.emcc = root, env, emcc

    def emcc_run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.emcc, *args], cwd=self.root, env=self.env, text=True,
                              capture_output=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from pinnace_build import cpython, pyodide_root, toolchain

    tc = toolchain.find()
    if tc is None:
        pytest.fail("toolchain not installed: run `make toolchain`")
    root = pyodide_root.root_step(tc, cpython.build(tc)).path
    include = next((root / "cpython" / "installs").glob("python-*/include/python3.13"))
    b = Built(tmp_path_factory.mktemp("shlib"), tc.env(), str(tc.emcc))
    (b.root / "demo.c").write_text(LIB_C)
    (b.root / "ext.c").write_text(EXT_C)
    for args in (
        [*LINK, "demo.c", "-o", "libpinnacedemo.so"],
        [*LINK, f"-I{include}", "ext.c", "-L.", "-lpinnacedemo", "-o", EXT],
    ):
        res = b.emcc_run(*args)
        assert res.returncode == 0, res.stderr
    return b


def test_a_prototype_that_differs_from_the_library_fails_the_link(built: Built) -> None:
    (built.root / "wrong.c").write_text(
        "void pinnace_demo_answer(int x);\nint call_it(void) { pinnace_demo_answer(1); return 0; }\n"
    )
    res = built.emcc_run(*LINK, "wrong.c", "-L.", "-lpinnacedemo", "-o", "wrong.so")
    assert res.returncode != 0
    assert "function signature mismatch: pinnace_demo_answer" in res.stderr


def test_the_extension_module_names_the_library_as_needed(built: Built) -> None:
    assert b"\x11libpinnacedemo.so" in (built.root / EXT).read_bytes()  # dylink.0 "needed"


@pytest.fixture
def sdist(built: Built, dist: Path, tmp_path: Path) -> PkgDist:
    d = PkgDist(dist, tmp_path / "dist")
    lib = d.root / "libpinnacedemo-1.0.zip"
    with zipfile.ZipFile(lib, "w") as zf:
        zf.write(built.root / "libpinnacedemo.so", "libpinnacedemo.so")
    data = lib.read_bytes()
    d.lock["packages"]["libpinnacedemo"] = {
        "name": "libpinnacedemo", "version": "1.0", "file_name": lib.name,
        "install_dir": "dynlib", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
        "imports": [], "depends": [], "package_type": "shared_library",
        "unvendored_tests": False, "shared_libraries": ["libpinnacedemo.so"],
    }  # fmt: skip
    wheel = d.add("usesdemo", {}, imports=["_usesdemo"], depends=["libpinnacedemo"])
    with zipfile.ZipFile(wheel, "a") as zf:  # RECORD is not checked by the installer
        zf.write(built.root / EXT, EXT)
    entry = d.lock["packages"]["usesdemo"]
    entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    entry["size"] = wheel.stat().st_size
    entry["shared_libraries"] = [EXT]
    d.write()
    return d


CHECK = (
    "import os, _usesdemo; "
    "repr((_usesdemo.answer(21), os.listdir('/lib/dynlib').count('libpinnacedemo.so')))"
)


@pytest.mark.parametrize(
    "how",
    [
        "py.runPython(CHECK)",  # a plain import: fetched and loaded synchronously
        "(await py.loadPackage(['usesdemo']), py.runPython(CHECK))",  # asynchronously, ahead
        "await py.runPythonAsync(CHECK)",  # the import pre-scan of runPythonAsync
    ],
)
def test_library_is_loaded_before_the_module_that_needs_it(
    node: Node, sdist: PkgDist, how: str
) -> None:
    out = node.run(f"""
        const py = await loadPinnace({{ indexURL: {str(sdist.root)!r}, packageCacheDir: null }});
        const CHECK = {CHECK!r};
        console.log(String({how}));
        """)  # fmt: skip
    assert out.strip().endswith("(42, 1)")
