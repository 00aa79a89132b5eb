"""The loader in real Chromium: as an ES module on a page, and in Web Workers (module and
classic)."""

from __future__ import annotations

from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import run_worker

pytestmark = pytest.mark.chromium

MODULE_WORKER = """
import { loadPinnace } from "%(base)sdist/pinnace.mjs";
const py = await loadPinnace({ stdout: (line) => postMessage({ line }) });
py.runPython("import sys; print('worker says', sys.platform)");
postMessage({ value: py.runPython("sum(range(101))"), isWorker: typeof document === "undefined" });
"""

CLASSIC_WORKER = """
importScripts("%(base)sdist/pinnace.js");
loadPinnace({ indexURL: "%(base)sdist/" }).then(
  (py) => postMessage({ value: py.runPython("'classic ' + str(6 * 7)") }),
  (e) => postMessage({ error: String(e) }),
);
"""

def test_module_worker(page: Any, server: StaticServer) -> None:
    messages = run_worker(page, server, MODULE_WORKER, "module")
    assert {"line": "worker says emscripten"} in messages
    assert messages[-1] == {"value": 5050, "isWorker": True}


def test_classic_worker(page: Any, server: StaticServer) -> None:
    messages = run_worker(page, server, CLASSIC_WORKER, "classic")
    assert messages == [{"value": "classic 42"}]


def test_es_module_and_wrong_index_url(page: Any, server: StaticServer) -> None:
    page.goto(server.url + "demos/")
    result = page.evaluate(
        """async () => {
            const { loadPinnace } = await import('/dist/pinnace.mjs');
            const py = await loadPinnace();
            const value = py.runPython('import zlib; len(zlib.compress(b"a" * 1000))');
            let error;
            try { await loadPinnace({ indexURL: '/no/such/dir/' }); }
            catch (e) { error = e.name + ': ' + e.message; }
            return { value, error };
        }"""
    )
    assert isinstance(result["value"], int) and 0 < result["value"] < 100
    assert result["error"].startswith("LoadError: Pinnace could not load ")
    assert "/no/such/dir/pinnace.asm.mjs" in result["error"]
