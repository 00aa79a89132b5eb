"""Packages in Chromium: a page's main thread (pre-scan, loadPackage, a clear ImportError) and a
Web Worker (a plain import fetches synchronously), with the Cache API on the second load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pkgdist import PkgDist
from test_packages_node import INNER, OUTER

from pinnace_build.serve import StaticServer

pytestmark = pytest.mark.chromium


@pytest.fixture
def site(dist: Path, tmp_path: Path) -> Iterator[tuple[StaticServer, PkgDist]]:
    d = PkgDist(dist, tmp_path / "dist")
    d.add("outer", OUTER)
    d.add("inner", INNER)
    (tmp_path / "index.html").write_text("<!doctype html><title>pkg</title>")
    (tmp_path / "worker.mjs").write_text(
        'import { loadPinnace } from "./dist/pinnace.mjs";\n'
        "onmessage = async (ev) => {\n"
        "  try {\n"
        '    const py = await loadPinnace({ indexURL: "./dist/" });\n'
        "    postMessage({ ok: String(py.runPython(ev.data)) });\n"
        "  } catch (e) { postMessage({ err: String(e && e.message || e) }); }\n"
        "};\n"
    )
    srv = StaticServer(tmp_path, port=0).start()
    yield srv, d
    srv.stop()


def load(page: Any, srv: StaticServer) -> None:
    page.goto(srv.url + "index.html")
    page.evaluate("""async () => {
        const { loadPinnace } = await import('./dist/pinnace.mjs');
        window.py = await loadPinnace({ indexURL: './dist/' });
    }""")


def test_main_thread_plain_import_says_what_to_do(page: Any, site: Any) -> None:
    load(page, site[0])
    msg = page.evaluate("""() => { try { py.runPython('import outcome'); return 'no error'; }
                                   catch (e) { return e.message; } }""")
    assert "ImportError: No module named 'outcome'" in msg
    assert "await pinnace.loadPackage('outcome')" in msg and "runPythonAsync" in msg


def test_main_thread_run_python_async_and_nested_lazy_import(page: Any, site: Any) -> None:
    load(page, site[0])
    got = page.evaluate("""async () => {
        const a = await py.runPythonAsync('import outcome\\noutcome.__version__');
        await py.loadPackage(['outer', 'inner']);
        return [a, py.runPython('import outer; outer.late()')];
    }""")
    assert got == ["1.3.0.post0", 42]
    assert page.page_errors == []


def test_main_thread_second_load_comes_from_the_cache(page: Any, site: Any) -> None:
    srv, _ = site
    load(page, srv)
    page.evaluate("() => py.loadPackage('sniffio')")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.reload()
    load(page, srv)
    assert (
        page.evaluate(
            "async () => { await py.loadPackage('sniffio'); return py.runPython('import sniffio; sniffio.__version__'); }"
        )
        == "1.3.1"
    )
    assert not [u for u in requests if u.endswith(".whl")]


def test_worker_plain_import_fetches_synchronously(page: Any, site: Any) -> None:
    page.goto(site[0].url + "index.html")
    got = page.evaluate("""() => new Promise((resolve) => {
        const w = new Worker('./worker.mjs', { type: 'module' });
        w.onmessage = (ev) => resolve(ev.data);
        w.postMessage('import sys, outer, outcome\\n(outer.late(), outcome.__version__, "inner" in sys.modules)');
    })""")
    assert got == {"ok": "(42, '1.3.0.post0', True)"}
