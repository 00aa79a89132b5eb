"""dist/ served from another origin than the page's (docs/npm.md "Another origin"): with CORS
headers the classic script, `<script type="py">` and the ES module work and import numpy lazily;
without them the error names the file and says CORS.  Subresource Integrity: the published
values (dist/pinnace-integrity.json) pass, on the script tag and through loadPinnace's
`integrity`, and a file that does not match them is a LoadError."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer

SHELL = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body><pre id="out">loading</pre>{body}</body></html>"""

APP = """
const out = document.getElementById("out");
try {{
  const py = await loadPinnace({options});
  out.textContent = `ok ${{await py.runPythonAsync("import numpy\\nint(numpy.arange(10).sum())")}}`;
}} catch (e) {{
  out.textContent = `${{e.name}}: ${{e.message}}`;
}}
"""


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The page's own origin (a folder served on one port)."""
    srv = StaticServer(tmp_path).start()
    yield srv.url, tmp_path
    srv.stop()


@pytest.fixture
def cors_dist(dist: Path) -> Iterator[str]:
    """dist/ on another origin (another port), allowing every origin to read it."""
    srv = StaticServer(dist, headers={"Access-Control-Allow-Origin": "*"}).start()
    yield srv.url
    srv.stop()


@pytest.fixture
def plain_dist(dist: Path) -> Iterator[str]:
    """dist/ on another origin without CORS headers."""
    srv = StaticServer(dist).start()
    yield srv.url
    srv.stop()


def run(page: Any, pages: tuple[str, Path], body: str, files: dict[str, str] | None = None) -> str:
    url, root = pages
    (root / "index.html").write_text(SHELL.format(body=body))
    for name, text in (files or {}).items():
        (root / name).write_text(text)
    page.goto(url + "index.html")
    page.wait_for_function("() => document.getElementById('out').textContent !== 'loading'", timeout=180_000)
    text: str = page.inner_text("#out")
    return text


def integrity(dist: Path) -> dict[str, str]:
    values: dict[str, str] = json.loads((dist / "pinnace-integrity.json").read_text())
    return values


def test_classic_script_and_py_script_with_cors(page: Any, pages: tuple[str, Path], cors_dist: str,
                                                dist: Path) -> None:  # fmt: skip
    out = run(page, pages, f"""
        <script src="{cors_dist}pinnace.js" integrity="{integrity(dist)['pinnace.js']}" crossorigin="anonymous"></script>
        <script type="py">
        import numpy
        from js import document
        document.getElementById("out").textContent = f"ok {{int(numpy.arange(10).sum())}}"
        </script>""")  # fmt: skip
    assert out == "ok 45"


def test_module_with_cors_and_integrity(page: Any, pages: tuple[str, Path], cors_dist: str, dist: Path) -> None:
    options = json.dumps({"integrity": integrity(dist)})
    app = f'import {{ loadPinnace }} from "{cors_dist}pinnace.mjs";\n' + APP.format(options=options)
    assert run(page, pages, '<script type="module" src="app.mjs"></script>', {"app.mjs": app}) == "ok 45"


@pytest.mark.parametrize("name", ["pinnace.asm.wasm", "python313.zip", "pinnace-lock.json", "pinnace.asm.mjs"])
def test_a_file_that_does_not_match_its_integrity_value(page: Any, pages: tuple[str, Path], cors_dist: str,
                                                        dist: Path, name: str) -> None:  # fmt: skip
    values = integrity(dist)
    values[name] = integrity(dist)["pinnace.js"]  # another file's value
    options = json.dumps({"integrity": values})
    app = f'import {{ loadPinnace }} from "{cors_dist}pinnace.mjs";\n' + APP.format(options=options)
    out = run(page, pages, '<script type="module" src="app.mjs"></script>', {"app.mjs": app})
    assert out.startswith(f"LoadError: Pinnace could not load {cors_dist}{name}: ")
    assert "integrity" in out


def test_without_cors_the_error_names_the_file_and_cors(page: Any, pages: tuple[str, Path],
                                                        plain_dist: str) -> None:  # fmt: skip
    # a classic script loads from anywhere; what it then fetches needs CORS
    out = run(page, pages, f'<script src="{plain_dist}pinnace.js"></script><script type="module" src="app.mjs"></script>',
              {"app.mjs": APP.format(options="")})  # fmt: skip
    assert out.startswith(f"LoadError: Pinnace could not load {plain_dist}"), out
    assert "blocked by CORS" in out and "Access-Control-Allow-Origin" in out


def test_a_wrong_folder_on_another_origin_is_not_called_cors(page: Any, pages: tuple[str, Path],
                                                             cors_dist: str) -> None:  # fmt: skip
    app = f'import {{ loadPinnace }} from "{cors_dist}pinnace.mjs";\n' + APP.format(
        options=json.dumps({"indexURL": cors_dist + "no-such-folder/"}))
    out = run(page, pages, '<script type="module" src="app.mjs"></script>', {"app.mjs": app})
    assert out.startswith(f"LoadError: Pinnace could not load {cors_dist}no-such-folder/"), out
    assert "HTTP 404" in out and "CORS" not in out
