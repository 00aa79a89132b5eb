"""Lazy imports on a page's main thread through JSPI (Chromium): imports the runPythonAsync
pre-scan cannot see suspend Python while the loader downloads the package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.pkgdist import INNER, OUTER, PkgDist

pytestmark = pytest.mark.chromium

# Imports the pre-scan cannot see: a computed name.
IMPORT = "import importlib\nimportlib.import_module({name!r})"


@pytest.fixture
def site(dist: Path, tmp_path: Path) -> Iterator[tuple[StaticServer, PkgDist]]:
    d = PkgDist(dist, tmp_path / "dist")
    d.add("outer", OUTER)
    d.add("inner", INNER)
    d.add("hashbad", {"hashbad/__init__.py": ""})
    d.lock["packages"]["hashbad"]["sha256"] = "0" * 64  # the served bytes do not match
    d.add("gone", {"gone/__init__.py": ""}).unlink()  # the server answers 404
    d.write()
    (tmp_path / "index.html").write_text("<!doctype html><title>jspi</title>")
    srv = StaticServer(tmp_path, port=0).start()
    yield srv, d
    srv.stop()


def load(page: Any, srv: StaticServer, options: str = "") -> None:
    page.goto(srv.url + "index.html")
    page.evaluate(f"""async () => {{
        const {{ loadPinnace }} = await import('./dist/pinnace.mjs');
        window.py = await loadPinnace({{ indexURL: './dist/', {options} }});
    }}""")


def run_async(page: Any, code: str) -> Any:
    """runPythonAsync(code): {ok: value} or {err: message}."""
    return page.evaluate(
        """async (code) => {
            try { return { ok: await py.runPythonAsync(code) }; }
            catch (e) { return { err: e.message }; }
        }""",
        code,
    )


def test_chromium_uses_jspi_and_the_option_turns_it_off(page: Any, site: Any) -> None:
    load(page, site[0])
    assert page.evaluate("() => py.lazyImports") == "jspi"
    load(page, site[0], "jspi: false")
    assert page.evaluate("() => py.lazyImports") == "pre-scan"


def test_computed_name_import_in_run_python_async(page: Any, site: Any) -> None:
    load(page, site[0])
    got = run_async(page, IMPORT.format(name="outcome") + ".__version__")
    assert got == {"ok": "1.3.0.post0"}
    # outcome's dependency came with it
    assert page.evaluate("() => py.runPython('import attrs; attrs.__name__')") == "attrs"
    assert page.page_errors == []


def test_import_in_a_function_called_from_a_later_run(page: Any, site: Any) -> None:
    load(page, site[0])
    # defined without running the import (runPython: no pre-scan, nothing fetched) ...
    page.evaluate("""() => py.runPython(`
def version():
    import sniffio
    return sniffio.__version__
`)""")
    assert page.evaluate("() => py.runPython('import sys; \"sniffio\" in sys.modules')") is False
    # ... and called later, from a coroutine the asyncio loop runs
    assert run_async(page, "version()") == {"ok": "1.3.1"}


def test_import_nested_in_a_lazily_loaded_module(page: Any, site: Any) -> None:
    load(page, site[0])
    # outer is fetched by a suspension; outer.late() imports outer.sub, whose `import inner`
    # suspends again, inside the execution of a module that was itself lazily loaded
    got = run_async(page, IMPORT.format(name="outer") + ".late()")
    assert got == {"ok": 42}
    assert page.evaluate("() => py.runPython('import sys; \"inner\" in sys.modules')") is True


def test_concurrent_tasks_each_suspending(page: Any, site: Any) -> None:
    load(page, site[0])
    got = run_async(
        page,
        """
import asyncio, importlib
async def get(name):
    await asyncio.sleep(0.01)
    return importlib.import_module(name).__name__
str(await asyncio.gather(get("idna"), get("sortedcontainers"), asyncio.sleep(0.02, "slept")))
""",
    )
    assert got == {"ok": "['idna', 'sortedcontainers', 'slept']"}
    assert page.page_errors == []


def test_numpy_by_a_computed_name(page: Any, site: Any) -> None:
    load(page, site[0])
    # the side modules are compiled asynchronously while Python is suspended
    got = run_async(page, IMPORT.format(name="numpy") + ".arange(10).sum().item()")
    assert got == {"ok": 45}
    # Python called back from numpy's C loop suspends too: only wasm frames are in between
    got = run_async(
        page,
        """
import importlib, numpy as np
f = np.frompyfunc(lambda x: importlib.import_module("sniff" + "io").__name__ + str(x), 1, 1)
str(f(np.array([1, 2])))
""",
    )
    assert got == {"ok": "['sniffio1' 'sniffio2']"}


@pytest.mark.parametrize(
    ("name", "error"),
    [("hashbad", "but pinnace-lock.json says 0000"), ("gone", "HTTP 404")],
)
def test_bad_package_while_suspended(page: Any, site: Any, name: str, error: str) -> None:
    load(page, site[0])
    got = run_async(page, IMPORT.format(name=name))
    assert "PackageError: package " + name in got["err"] and error in got["err"]
    assert "<exec>" in got["err"]  # the user's line is in the traceback
    # usable afterwards, nothing of it installed, and a good package still loads
    assert page.evaluate("() => py.runPython('1 + 1')") == 2
    code = f"import os; sorted(f for f in os.listdir('/lib/python3.13/site-packages') if {name!r} in f)"
    assert page.evaluate("(code) => py.runPython(code).toJs()", code) == []
    assert run_async(page, IMPORT.format(name="outcome") + ".__name__") == {"ok": "outcome"}


def test_entries_are_refused_while_suspended(page: Any, site: Any) -> None:
    load(page, site[0])
    got = page.evaluate("""async () => {
        // hold the wheel's download until released, to act while Python is suspended
        const realFetch = window.fetch;
        let release, started;
        const gate = new Promise((r) => (release = r));
        const fetching = new Promise((r) => (started = r));
        window.fetch = async (url, ...rest) => {
            if (String(url).endsWith('.whl')) { started(); await gate; }
            return realFetch(url, ...rest);
        };
        const importing = py.runPythonAsync("import importlib\\nimportlib.import_module('outcome').__name__");
        await fetching;
        const refused = [];
        for (const f of [() => py.runPython('1'), () => py.toPy([1]), () => py.pyimport('sys')]) {
            try { f(); refused.push('ran'); } catch (e) { refused.push(e.message); }
        }
        const later = py.runPythonAsync('6 * 7'); // waits instead of failing
        release();
        window.fetch = realFetch;
        return { refused, imported: await importing, later: await later, after: py.runPython('2 + 3') };
    }""")
    assert got["imported"] == "outcome" and got["later"] == 42 and got["after"] == 5
    for message in got["refused"]:
        assert "Python is suspended while it fetches package attrs, outcome" in message
    assert page.page_errors == []


def test_import_under_a_js_frame_cannot_suspend(page: Any, site: Any) -> None:
    load(page, site[0])
    # Python -> JS -> Python: a JS frame is on the stack, so this import cannot suspend
    got = run_async(
        page,
        """
import js, importlib
from pinnace.ffi import create_proxy
def load_it():
    try:
        importlib.import_module("sniffio")
    except ImportError as e:
        return str(e)
f = create_proxy(load_it)
result = js.Function.new("f", "return f()")(f)
f.destroy()
result
""",
    )
    assert (
        "this host cannot fetch it during an import (Python was called synchronously" in got["ok"]
    )
    assert run_async(page, IMPORT.format(name="sniffio") + ".__name__") == {"ok": "sniffio"}
    msg = page.evaluate(
        "() => { try { py.runPython('import idna'); } catch (e) { return e.message; } }"
    )
    assert "No module named 'idna'" in msg and "Python was called synchronously" in msg


def test_without_jspi_the_import_error_says_what_to_do(page: Any, site: Any) -> None:
    load(page, site[0], "jspi: false")
    got = run_async(page, IMPORT.format(name="outcome"))
    assert "ImportError: No module named 'outcome'" in got["err"]
    assert "a browser's main thread cannot download synchronously" in got["err"]
    assert "await pinnace.loadPackage('outcome')" in got["err"]


def test_deep_recursion_under_jspi_is_a_recursion_error(page: Any, site: Any) -> None:
    load(page, site[0])
    # Python -> C -> Python recursion to the default limit: the stack V8 gives suspendable calls
    # is smaller than the page's, and the runtime lowers the limits inside them to match
    got = run_async(
        page,
        """
class Deep:
    def __getattr__(self, name):
        return getattr(self, name + "x")
try:
    Deep().a
except RecursionError as e:
    result = repr(e)
result
""",
    )
    assert got == {"ok": "RecursionError('maximum recursion depth exceeded')"}
    assert run_async(page, "import sys\nsys.getrecursionlimit()") == {"ok": 1000}
    assert page.page_errors == []
