"""Stdlib pieces (sqlite3, lzma, _decimal, test, the CJK codecs, and the pure-Python ones a page never imports):
out of the core, fetched on first import in node (loadPinnace and `pinnace python`) and Chromium
(the runPythonAsync pre-scan)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.stdlib import ZIP_NAME
from pinnace_build.stdlib_pieces import PACKAGE_TYPE, PIECES, unbundled
from support.hosts import BUILD, Node
from support.hosts import run_pinnace_python as run_cli

SITE = "/lib/python3.13/site-packages/"

# Each snippet: whether the piece is installed before, then the import and a use of it.
SQLITE = """
import sys, pinnace._packages as P
before = P.is_installed("sqlite3")
import sqlite3
con = sqlite3.connect(":memory:")
con.execute("create table t (k text, v integer)")
con.executemany("insert into t values (?, ?)", [("a", 1), ("b", 2)])
rows = con.execute("select k, v * 10 from t order by k").fetchall()
result = [before, rows, sys.modules["_sqlite3"].__file__, "_sqlite3" in sys.builtin_module_names]
"""
LZMA = """
import sys, pinnace._packages as P
before = P.is_installed("lzma")
import lzma
data = b"pinnace " * 1000
packed = lzma.compress(data)
result = [before, lzma.decompress(packed) == data, len(packed) < len(data),
          sys.modules["_lzma"].__file__]
"""
DECIMAL = """
import sys, pinnace._packages as P
before = P.is_installed("decimal")
import decimal
result = [before, sys.modules["_decimal"].__file__, "_pydecimal" in sys.modules,
          decimal.Decimal.__module__, str(decimal.Decimal(1) / decimal.Decimal(7))]
"""
TEST = """
import pinnace._packages as P
before = P.is_installed("test")
import test.support
result = [before, test.support.__file__, test.support.is_emscripten]
"""
# CPython's test extension modules come with the test piece (build/pinnace_build/apart_modules.py).
TESTCAPI = """
import pinnace._packages as P
before = P.is_installed("test")
import _testcapi, _testinternalcapi, _testbuffer, xxsubtype
import test.support  # its suites that need the test modules run (not skipped)
result = [before, P.is_installed("test"), _testcapi.INT_MAX, _testcapi.__file__,
          _testinternalcapi.get_recursion_depth() > 0, xxsubtype.spamdict().getstate(),
          test.support.TEST_MODULES_ENABLED]
"""
# The CJK codecs' C modules: the core's encodings.shift_jis imports _codecs_jp (a stand-in, as
# a core module's import), and the codec's first use fetches the piece.
CJK = """
import sys, pinnace._packages as P
before = P.is_installed("cjkcodecs")
text = "日本語のテキスト"
jp = text.encode("shift_jis")
result = [before, jp.decode("shift_jis") == text, len(jp), "한국어".encode("euc_kr").decode("euc_kr"),
          sys.modules["_codecs_jp"].__file__, "_codecs_jp" in sys.builtin_module_names,
          P.is_installed("cjkcodecs")]
"""
# A core module probing a piece as it is imported fetches nothing; its use does.
PROBE = """
import io, sys, types, zipfile, shutil, pinnace._packages as P
walked = [(hasattr(m, "__path__"), getattr(m, "__file__", None)) for m in list(sys.modules.values())]
after_import = [P.is_installed("lzma"), type(zipfile.lzma).__name__, shutil._LZMA_SUPPORTED]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_LZMA) as zf:
    zf.writestr("a.txt", "x" * 5000)
with zipfile.ZipFile(buf) as zf:
    back = zf.read("a.txt").decode()
result = [after_import, P.is_installed("lzma"), back == "x" * 5000,
          sys.modules["lzma"].__file__]
"""

# The pure-Python pieces: one module of each, from site-packages once imported.
PURE = """
import importlib, pinnace._packages as P
pieces = ["multiprocessing", "devtools", "protocols", "xml", "dbm", "pyfallbacks", "platforms"]
before = [P.is_installed(p) for p in pieces]
names = ["multiprocessing.connection", "optparse", "doctest", "pdb", "xml.etree.ElementTree",
         "smtplib", "xmlrpc.client", "wsgiref.simple_server", "shelve", "dbm.dumb", "_pyio",
         "_pydatetime", "_osx_support"]
files = [importlib.import_module(n).__file__ for n in names]
import unittest
case = unittest.FunctionTestCase(lambda: None)
result = [any(before), [f for f in files if not f.startswith(SITE)], [P.is_installed(p) for p in pieces],
          unittest.TextTestRunner(stream=__import__("io").StringIO()).run(case).wasSuccessful()]
""".replace("SITE", repr(SITE))



# `before`: False where the import fetches the piece; True after runPythonAsync's pre-scan.
def check_sqlite(r: list[Any], before: bool = False) -> None:
    assert r[0] is before
    assert r[1] == [["a", 10], ["b", 20]]
    assert r[2].startswith(SITE) and r[2].endswith(".so")
    assert r[3] is False


def check_lzma(r: list[Any]) -> None:
    assert r[:3] == [False, True, True]
    assert r[3].startswith(SITE + "_lzma.") and r[3].endswith(".so")


def check_decimal(r: list[Any], before: bool = False) -> None:
    assert r[0] is before
    assert r[1].startswith(SITE + "_decimal.") and r[1].endswith(".so")  # the C implementation
    assert r[2] is False, "decimal fell back to _pydecimal"
    assert r[3:] == ["decimal", "0.1428571428571428571428571429"]


def check_test(r: list[Any]) -> None:
    assert r == [False, SITE + "test/support/__init__.py", True]


def check_testcapi(r: list[Any]) -> None:
    assert r[:3] == [False, True, 2**31 - 1]
    assert r[3] == SITE + "_testcapi.cpython-313-wasm32-emscripten.so"
    assert r[4:] == [True, 0, True]


def check_cjk(r: list[Any], before: bool = False) -> None:
    assert r[:4] == [before, True, 16, "한국어"]
    assert r[4] == SITE + "_codecs_jp.cpython-313-wasm32-emscripten.so"
    assert r[5:] == [False, True]


def check_pure(r: list[Any]) -> None:
    assert r == [False, [], [True] * 7, True]


def check_probe(r: list[Any]) -> None:
    assert r[0] == [False, "_StandIn", True]
    assert r[1:3] == [True, True]
    assert r[3] == SITE + "lzma.pyc"


CASES = {"sqlite3": (SQLITE, check_sqlite), "lzma": (LZMA, check_lzma),
         "decimal": (DECIMAL, check_decimal), "test": (TEST, check_test),
         "testcapi": (TESTCAPI, check_testcapi), "probe": (PROBE, check_probe),
         "pure": (PURE, check_pure), "cjk": (CJK, check_cjk)}  # fmt: skip


def as_json(snippet: str) -> str:
    return snippet + "import json\nprint(json.dumps(result))\n"


def test_core_archive_and_main_module_leave_the_pieces_out(dist: Path, node: Node) -> None:
    with zipfile.ZipFile(dist / ZIP_NAME) as zf:
        names = set(zf.namelist())
    assert "decimal.pyc" in names and "_pydecimal.pyc" in names and "zipfile/__init__.pyc" in names
    moved = {m[:-3] + ".pyc" if m.endswith(".py") else m for m in unbundled()}
    assert {"sqlite3", "lzma.pyc", "test", "multiprocessing", "pdb.pyc", "xml"} <= moved
    assert not [n for n in names if n.split("/")[0] in moved]
    # what numpy.testing, pydoc (help()) and logging.config import as they are imported stays
    assert {"unittest/case.pyc", "_pyrepl/pager.pyc", "socketserver.pyc", "pydoc.pyc",
            "logging/config.pyc"} <= names
    # what only other operating systems import is left out
    assert not names & {"asyncio/windows_events.pyc", "nturl2path.pyc", "curses/__init__.pyc"}
    out = node.run("""
        const py = await loadPinnace({ stdout: () => {} });
        console.log(py.runPython("import sys; ' '.join(sorted(set(sys.builtin_module_names) & {'_sqlite3', '_lzma', '_decimal', '_multibytecodec', '_codecs_jp', '_bz2', 'zlib'}))"));
        """)  # fmt: skip
    assert out.strip() == "_bz2 zlib"


def test_lock_lists_the_pieces(dist: Path) -> None:
    lock = json.loads((dist / "pinnace-lock.json").read_text())["packages"]
    for piece in PIECES:
        e = lock[piece.name]
        assert e["package_type"] == PACKAGE_TYPE
        assert e["imports"] == list(piece.imports)
        assert (dist / e["file_name"]).stat().st_size == e["size"]
        with zipfile.ZipFile(dist / e["file_name"]) as zf:
            assert sorted(n for n in zf.namelist() if n.endswith(".so")) == e["shared_libraries"]
    assert lock["sqlite3"]["shared_libraries"] == ["_sqlite3.cpython-313-wasm32-emscripten.so"]
    assert lock["decimal"]["imported_by"] == ["decimal", "fractions", "statistics"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_lazy_import_with_load_pinnace(node: Node, case: str) -> None:
    code, check = CASES[case]
    out = node.run(f"""
        const py = await loadPinnace({{ packageCacheDir: null }});
        py.runPython({code!r});
        console.log(py.runPython("import json; json.dumps(result)"));
        """)  # fmt: skip
    check(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.usefixtures("dist")
def test_lazy_imports_in_pinnace_python() -> None:
    code = "\n".join(
        CASES[c][0].replace("result =", f"result_{c} =") for c in ("sqlite3", "lzma", "decimal")
    )
    code += "\nimport json\nprint(json.dumps([result_sqlite3, result_lzma, result_decimal]))\n"
    res = run_cli(["-c", code])
    assert res.returncode == 0, res.stderr.decode()
    sqlite, lz, dec = json.loads(res.stdout)
    check_sqlite(sqlite)
    check_lzma(lz)
    check_decimal(dec)


@pytest.mark.chromium
def test_chromium_main_thread_prescan_and_decimal_fallback(page: Any, server: Any) -> None:
    page.goto(server.url + "demos/")
    got = page.evaluate("""async (code) => {
        const { loadPinnace } = await import('/dist/pinnace.mjs');
        const plain = await loadPinnace({ indexURL: '/dist/' });
        // main thread, no pre-scan: decimal falls back to _pydecimal; zipfile's probe is fine
        const fallback = plain.runPython(
            "import json, sys, decimal, zipfile; json.dumps(['_pydecimal' in sys.modules,"
            + " '_decimal' in sys.modules, str(decimal.Decimal(1) / 7)])");
        // ... a CJK codec's module cannot be fetched: its error says so (not "unknown
        // encoding"), and after loadPackage the codec works
        let codec = 'no error';
        try { plain.runPython("'日本'.encode('shift_jis')"); } catch (e) { codec = e.message; }
        await plain.loadPackage('cjkcodecs');
        plain.runPython(code.cjk);
        const cjk = plain.runPython('import json; json.dumps(result)');
        const py = await loadPinnace({ indexURL: '/dist/' });
        await py.runPythonAsync(code.sqlite);
        const sqlite = py.runPython('import json; json.dumps(result)');
        await py.runPythonAsync(code.decimal);
        return { fallback, codec, cjk, sqlite, decimal: py.runPython('json.dumps(result)') };
    }""", {"sqlite": SQLITE, "decimal": DECIMAL, "cjk": CJK})  # fmt: skip
    assert json.loads(got["fallback"]) == [True, False, "0.1428571428571428571428571429"]
    assert "ImportError: No module named '_codecs_jp': it is in package 'cjkcodecs'" in got["codec"]
    assert "await pinnace.loadPackage('cjkcodecs')" in got["codec"]
    assert "LookupError" not in got["codec"]
    check_cjk(json.loads(got["cjk"]), before=True)
    check_sqlite(json.loads(got["sqlite"]), before=True)
    check_decimal(json.loads(got["decimal"]), before=True)


def test_regrtest_uses_the_test_piece(dist: Path) -> None:
    build = BUILD
    res = subprocess.run(
        [sys.executable, "-m", "pinnace_build.cli", "python", "-c",
         "import test.support, sys; print(test.support.__file__)"],
        capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(build)),
        timeout=300,
    )  # fmt: skip
    assert res.stdout.strip() == SITE + "test/support/__init__.py", res.stderr


@pytest.mark.chromium
def test_chromium_worker_plain_import_fetches_a_piece(page: Any, package_site: Any) -> None:
    page.goto(package_site[0].url + "index.html")
    got = page.evaluate("""(code) => new Promise((resolve) => {
        const w = new Worker('./worker.mjs', { type: 'module' });
        w.onmessage = (ev) => resolve(ev.data);
        w.postMessage(code + '\\nimport json\\njson.dumps(result)');
    })""", LZMA)  # fmt: skip
    assert "ok" in got, got
    check_lzma(json.loads(got["ok"]))
