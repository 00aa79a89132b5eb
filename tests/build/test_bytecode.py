"""Bytecode in the wheels (build/pinnace_build/bytecode.py, wheel_bytecode.py): which modules
get it, that RECORD lists it, and that the wasm interpreter imports it without reading the
source."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import zipfile
from pathlib import Path

from pinnace_build import bytecode, cpython
from support.hosts import REPO
from support.pkgdist import make_wheel


def test_modules_get_unchecked_bytecode_listed_in_record(tmp_path: Path) -> None:
    src = make_wheel(tmp_path, "demo", "1.0", {
        "demo/__init__.py": "X = 1\n", "demo/mod.py": "def f():\n    return 2\n",
        "demo/tests/test_mod.py": "def test(): pass\n", "single.py": "Y = 3\n",
        "demo/_tests/test_more.py": "def test(): pass\n",
        "demo/broken.py": "def (:\n", "demo/data.txt": "not python",
    })  # fmt: skip
    out = tmp_path / "out.whl"
    res = subprocess.run([str(cpython.build_python()), "-I", str(bytecode.SCRIPT), str(src),
                          str(out), bytecode.SITE_PACKAGES], capture_output=True, text=True)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "demo/broken.py: no bytecode (SyntaxError" in res.stderr  # named, not hidden
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        pycs = {n for n in names if n.endswith(".pyc")}
        assert pycs == {
            "demo/__pycache__/__init__.cpython-313.pyc",
            "demo/__pycache__/mod.cpython-313.pyc",
            "__pycache__/single.cpython-313.pyc",
        }  # not tests, not broken.py
        assert names - pycs == set(zipfile.ZipFile(src).namelist())  # everything else kept
        record = zf.read("demo-1.0.dist-info/RECORD").decode().splitlines()
        for name in pycs:
            data = zf.read(name)
            assert data[4:8] == (1).to_bytes(4, "little")  # hash-based, unchecked
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert f"{name},sha256={digest.decode()},{len(data)}" in record


def test_the_interpreter_imports_the_shipped_bytecode() -> None:
    # six is a single module: its bytecode is in site-packages' shared __pycache__.  Its source
    # is replaced after installing; the import still works, from the bytecode alone.
    res = subprocess.run(
        [str(REPO / ".venv/bin/pinnace"), "python", "-c", """
import importlib, pathlib
from pinnace import _packages
_packages.ensure(["six", "numpy"])
site = pathlib.Path("/lib/python3.13/site-packages")
(site / "six.py").write_text("raise RuntimeError('the source was read')\\n")
import six
import numpy.linalg
print(six.__cached__, numpy.linalg.__cached__)
print(pathlib.Path(numpy.linalg.__cached__).read_bytes()[:4] == importlib.util.MAGIC_NUMBER)
"""], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    cached, magic = res.stdout.strip().splitlines()[-2:]
    assert cached.split() == ["/lib/python3.13/site-packages/__pycache__/six.cpython-313.pyc",
                              "/lib/python3.13/site-packages/numpy/linalg/__pycache__/"
                              "__init__.cpython-313.pyc"]  # fmt: skip
    assert magic == "True"
