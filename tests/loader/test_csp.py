"""Pinnace under a strict Content-Security-Policy (docs/npm.md "Content-Security-Policy"):
pages served with `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'` (no 'unsafe-eval',
no inline script) load the loader by script tag, as a module and in a module worker, run Python,
use the FFI and import numpy lazily, and no violation is reported.  Python code that calls
`js.eval` is refused with an error that names the policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer

STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"

# Every violation the page sees, recorded by a script Playwright adds (not subject to the CSP).
WATCH = """
window.violations = [];
document.addEventListener("securitypolicyviolation",
                          (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""

SHELL = """<!doctype html><html><head><meta charset="utf-8"><title>csp</title></head>
<body><pre id="out">loading</pre>{body}</body></html>"""

RESULT = "() => document.getElementById('out').textContent !== 'loading'"


@pytest.fixture
def csp_site(dist: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    (tmp_path / "dist").symlink_to(dist)
    srv = StaticServer(tmp_path, headers={"Content-Security-Policy": STRICT}).start()
    yield srv.url, tmp_path
    srv.stop()


def open_page(page: Any, site: tuple[str, Path], body: str, files: dict[str, str]) -> tuple[str, list[str]]:
    """Serve ``body`` (and ``files``) under the strict policy; the page's #out and violations."""
    url, root = site
    (root / "index.html").write_text(SHELL.format(body=body))
    for name, text in files.items():
        (root / name).write_text(text)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(WATCH)
    page.goto(url + "index.html")
    page.wait_for_function(RESULT, timeout=180_000)
    violations: list[str] = page.evaluate("window.violations")
    violations += [t for t in console if "Content Security Policy" in t]
    return page.inner_text("#out"), violations


def test_script_tag_and_py_scripts(csp_site: tuple[str, Path], page: Any) -> None:
    out, violations = open_page(page, csp_site, """
        <script src="dist/pinnace.js"></script>
        <script type="py">
        from js import document
        import numpy
        document.getElementById("out").textContent = f"ok {int(numpy.arange(10).sum())}"
        </script>
        <script type="py" worker>
        from pinnace.web import display
        display("from a worker script")
        </script>
    """, {})
    page.wait_for_function("() => document.querySelectorAll('script[data-pinnace-done]').length >= 2")
    assert out == "ok 45"
    assert "from a worker script" in page.inner_text("body")
    assert violations == []


MODULE = """
import { loadPinnace } from "./dist/pinnace.mjs";
const out = document.getElementById("out");
try {
  const py = await loadPinnace();
  const total = await py.runPythonAsync("import numpy\\nint(numpy.arange(10).sum())");
  const clean = window.violations.length;
  let refused = "";
  try {
    py.runPython("import js\\njs.eval('1 + 1')");
  } catch (e) {
    refused = String(e);
  }
  out.textContent = JSON.stringify({ total, clean, refused });
} catch (e) {
  out.textContent = `error ${e}`;
}
"""


def test_module_and_eval_refused(csp_site: tuple[str, Path], page: Any) -> None:
    out, violations = open_page(page, csp_site, '<script type="module" src="app.mjs"></script>',
                                {"app.mjs": MODULE})  # fmt: skip
    result = json.loads(out)
    assert result["total"] == 45
    assert result["clean"] == 0  # nothing refused while Python started and imported numpy
    assert "unsafe-eval" in result["refused"] and "Content Security Policy" in result["refused"]
    assert violations and all(v.startswith("script-src") or "unsafe-eval" in v for v in violations)


WORKER = """
import { loadPinnace } from "./dist/pinnace.mjs";
const violations = [];
self.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective));
try {
  const py = await loadPinnace();
  const total = py.runPython("import numpy\\nint(numpy.arange(10).sum())");
  postMessage(JSON.stringify({ total, violations }));
} catch (e) {
  postMessage(`error ${e}`);
}
"""

WORKER_PAGE = """
const worker = new Worker("worker.mjs", { type: "module" });
const out = document.getElementById("out");
worker.onmessage = (e) => { out.textContent = e.data; };
worker.onerror = (e) => { out.textContent = `error ${e.message}`; };
"""


def test_module_worker(csp_site: tuple[str, Path], page: Any) -> None:
    out, violations = open_page(page, csp_site, '<script type="module" src="page.mjs"></script>',
                                {"page.mjs": WORKER_PAGE, "worker.mjs": WORKER})  # fmt: skip
    assert out == '{"total":45,"violations":[]}'
    assert violations == []
