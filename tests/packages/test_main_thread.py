"""Packages in Chromium: a page's main thread (pre-scan, loadPackage, a clear ImportError) and a
Web Worker (a plain import fetches synchronously), with the Cache API on the second load."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.pkgdist import INNER, PkgDist
from support.servers import FaultyHandler, faulty_handler

pytestmark = pytest.mark.chromium


def load(page: Any, srv: StaticServer) -> None:
    page.goto(srv.url + "index.html")
    page.evaluate("""async () => {
        const { loadPinnace } = await import('./dist/pinnace.mjs');
        window.py = await loadPinnace({ indexURL: './dist/' });
    }""")


def test_main_thread_plain_import_says_what_to_do(page: Any, package_site: Any) -> None:
    load(page, package_site[0])
    msg = page.evaluate("""() => { try { py.runPython('import outcome'); return 'no error'; }
                                   catch (e) { return e.message; } }""")
    assert "ImportError: No module named 'outcome'" in msg
    assert "await pinnace.loadPackage('outcome')" in msg and "runPythonAsync" in msg


def test_main_thread_run_python_async_and_nested_lazy_import(page: Any, package_site: Any) -> None:
    load(page, package_site[0])
    got = page.evaluate("""async () => {
        const a = await py.runPythonAsync('import outcome\\noutcome.__version__');
        await py.loadPackage(['outer', 'inner']);
        return [a, py.runPython('import outer; outer.late()')];
    }""")
    assert got == ["1.3.0.post0", 42]
    assert page.page_errors == []


def test_main_thread_second_load_comes_from_the_cache(page: Any, package_site: Any) -> None:
    srv, _ = package_site
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


def test_worker_plain_import_fetches_synchronously(page: Any, package_site: Any) -> None:
    page.goto(package_site[0].url + "index.html")
    got = page.evaluate("""() => new Promise((resolve) => {
        const w = new Worker('./worker.mjs', { type: 'module' });
        w.onmessage = (ev) => resolve(ev.data);
        w.postMessage('import sys, outer, outcome\\n(outer.late(), outcome.__version__, "inner" in sys.modules)');
    })""")
    assert got == {"ok": "(42, '1.3.0.post0', True)"}


def test_a_damaged_file_in_the_cache_api_is_dropped_told_once_and_fetched_again(
    page: Any, package_site: Any
) -> None:
    srv, _ = package_site
    load(page, srv)
    page.evaluate("() => py.loadPackage('sniffio')")
    # change the cached wheel's bytes (as a tampered or half-written cache entry would be)
    page.evaluate("""async () => {
        const cache = await caches.open('pinnace-packages');
        const [request] = (await cache.keys()).filter((r) => r.url.endsWith('.whl'));
        const bytes = new Uint8Array(await (await cache.match(request)).arrayBuffer());
        bytes[bytes.length >> 1] ^= 0xff;
        await cache.put(request, new Response(bytes));
    }""")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.reload()
    load(page, srv)
    got = page.evaluate("""async () => {
        const warnings = [];
        console.warn = (...a) => warnings.push(a.join(' '));
        await py.loadPackage('sniffio');
        const version = py.runPython('import sniffio; sniffio.__version__');
        return { version, warnings };
    }""")
    assert got["version"] == "1.3.1"
    assert len(got["warnings"]) == 1, got["warnings"]
    assert (
        "cached copy of sniffio-1.3.1-py3-none-any.whl in the browser's Cache API"
        in got["warnings"][0]
    )
    assert len([u for u in requests if u.endswith(".whl")]) == 1  # fetched again, once
    # and the good copy is what the cache holds now: a third load fetches nothing
    requests.clear()
    page.reload()
    load(page, srv)
    assert (
        page.evaluate(
            "async () => { await py.loadPackage('sniffio'); return py.runPython('import sniffio; 1'); }"
        )
        == 1
    )
    assert not [u for u in requests if u.endswith(".whl")]


@pytest.fixture
def faulty_site(dist: Path, tmp_path: Path) -> Iterator[tuple[str, type[FaultyHandler]]]:
    """A page and a test distribution (with package inner) behind a server that misbehaves
    on request."""
    d = PkgDist(dist, tmp_path / "dist")
    d.add("inner", INNER)
    (tmp_path / "index.html").write_text("<!doctype html><title>faults</title>")
    handler = faulty_handler()
    srv = StaticServer(tmp_path, port=0)
    srv.httpd.RequestHandlerClass = functools.partial(handler, directory=str(tmp_path))  # type: ignore[assignment]
    srv.start()
    try:
        yield srv.url, handler
    finally:
        srv.stop()


@pytest.mark.parametrize("fault", ["cut", "stall", "error"])
def test_faults_of_the_server_on_a_page(page: Any, faulty_site: tuple[str, type[FaultyHandler]],
                                        fault: str) -> None:  # fmt: skip
    """The fault-injection cases of tests/packages/test_http_index.py on a Chromium page
    (loadPackage, fetch(), the Cache API): a clear PackageError, nothing installed, and the
    next load works."""
    url, handler = faulty_site
    wheel = "dist/inner-1.0-py3-none-any.whl"
    getattr(handler, fault).append(wheel)
    page.goto(url + "index.html")
    got = page.evaluate("""async () => {
        const { loadPinnace } = await import('./dist/pinnace.mjs');
        const py = await loadPinnace({ indexURL: './dist/', downloadTimeout: 1000 });
        const out = [];
        try { await py.loadPackage('inner'); out.push('loaded'); }
        catch (e) { out.push(e.name + ': ' + e.message + ' / ' + (e.failure && e.failure.kind)); }
        out.push(py.runPython("import os; repr([n for n in os.listdir('/lib/python3.13/site-packages') if 'inner' in n])"));
        await py.loadPackage('inner');
        out.push(py.runPython('import inner; inner.VALUE'));
        return out;
    }""")
    expected = {"cut": "network", "stall": "timeout", "error": "http"}[fault]
    assert got[0].startswith(f"PackageError: package inner: could not fetch {url}{wheel}: ")
    assert got[0].endswith(f" / {expected}"), got[0]
    assert got[1:] == ["[]", 21]
    assert handler.requests[wheel] == 2
