"""Electron's main-process half, under real Node with Electron's environment markers.

The Electron binary cannot be downloaded here. These tests run the main-process code — the
loader and the demo app's python-main.js — in plain Node, after tests/loader/electron_stub/markers.cjs
sets the markers Electron documents for its main process (``process.type === "browser"``,
``process.versions.electron``), with ``require("electron")`` resolving to
tests/loader/electron_stub/electron/ (only ``app.getPath("userData")``). See
tests/loader/electron_stub/README.md and docs/electron.md for what this does not show. The last test
plays a renderer page with nodeIntegration the same way (its globals set by hand).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import REPO, Node
from support.servers import FaultyHandler, faulty_handler

STUB = Path(__file__).parent / "electron_stub"
DEMO = REPO / "demos" / "electron"
Served = tuple[str, type[FaultyHandler], StaticServer]


def electron_main(node: Node, body: str, user_data: Path, check: bool = True) -> str:
    """Run ``body`` (after Node.run's imports) as Electron's main process would see itself."""
    return node.run(body, check=check, node_args=("--require", str(STUB / "markers.cjs")),
                    env={"NODE_PATH": str(STUB), "PINNACE_TEST_USERDATA": str(user_data)})  # fmt: skip


def lock_entry(dist: Path, name: str) -> dict[str, str]:
    entry: dict[str, str] = json.loads((dist / "pinnace-lock.json").read_text())["packages"][name]
    return entry


@pytest.fixture
def counting_server(dist: Path) -> Iterator[Served]:
    """dist/ over HTTP, counting the requests per path."""
    handler = faulty_handler()
    srv = StaticServer(dist, port=0)
    srv.httpd.RequestHandlerClass = functools.partial(handler, directory=str(dist))  # type: ignore[assignment]
    srv.start()
    try:
        yield srv.url, handler, srv
    finally:
        srv.stop()


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under root (not following symlinks) with its size and mtime."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def test_detection_table(node: Node) -> None:
    """Each environment from the markers Electron documents (docs/api/process.md: process.type,
    process.versions.electron, process.contextIsolated, process.sandboxed; the user agent's
    "Electron/x.y.z"), given as global-object shapes to detectEnvironment(scope)."""
    out = node.run(
        """
        import { detectEnvironment } from "pinnace-dist";
        const versions = { node: "20.18.0", electron: "33.2.0", chrome: "130.0.6723.137" };
        const ua = (extra) => ({ userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 " +
          "(KHTML, like Gecko) " + extra + "Chrome/130.0.6723.137 Safari/537.36" });
        const cases = {
          main: { process: { type: "browser", versions } },
          utility: { process: { type: "utility", versions } },
          preload: { window: {}, process: { type: "renderer", contextIsolated: true, versions } },
          sandboxedPreload: { window: {}, process: { type: "renderer", contextIsolated: true, sandboxed: true, versions } },
          rendererWithNode: { window: {}, process: { type: "renderer", contextIsolated: false, versions } },
          renderer: { window: {}, navigator: ua("Electron/33.2.0 ") },
          workerWithNode: { importScripts() {}, process: { type: "worker", versions } },
          worker: { importScripts() {}, navigator: ua("Electron/33.2.0 ") },
          chrome: { window: {}, navigator: ua("") },
          chromeWorker: { importScripts() {}, navigator: ua("") },
        };
        const found = Object.fromEntries(Object.entries(cases).map(([k, g]) => [k, detectEnvironment(g)]));
        found.thisNode = detectEnvironment();
        console.log(JSON.stringify(found));
    """.replace('"pinnace-dist"', repr((node.dist / "pinnace.mjs").as_uri()))
    )
    assert json.loads(out.strip().splitlines()[-1]) == {
        "main": "electron-main",
        "utility": "electron-utility",
        "preload": "electron-preload",
        "sandboxedPreload": "electron-preload",
        "rendererWithNode": "electron-renderer-node",
        "renderer": "electron-renderer",
        "workerWithNode": "electron-worker",
        "worker": "electron-worker",
        "chrome": "browser",
        "chromeWorker": "worker",
        "thisNode": "node",
    }


def test_demo_main_process_evaluates_python(node: Node, dist: Path, tmp_path: Path) -> None:
    """demos/electron/python-main.js (what main.js's IPC handler calls) under the markers: the
    interpreter and the lock's packages come from dist/ on disk, nothing is cached or fetched."""
    user_data = tmp_path / "userData"
    out = electron_main(node, f"""
        import {{ createRequire }} from "node:module";
        const demo = createRequire(import.meta.url)({str(DEMO / "python-main.js")!r});
        const show = (r) => console.log(JSON.stringify(r));
        show(await demo.evaluate("import sys, outcome\\nprint('platform', sys.platform)\\noutcome.__version__"));
        show(await demo.evaluate("def f():\\n    return 1 / 0\\nf()"));
        show(await demo.evaluate("import attrs\\nattrs.__name__ + ' still usable'"));
        const py = await demo.python();
        console.log(JSON.stringify({{ cacheDir: py._packages.cacheDir ?? null }}));
    """, user_data)  # fmt: skip
    first, failed, after, state = (json.loads(line) for line in out.strip().splitlines()[-4:])
    assert first == {
        "environment": "electron-main",
        "result": lock_entry(dist, "outcome")["version"],
        "output": ["platform emscripten"],
        "error": None,
    }
    assert failed["environment"] == "electron-main"
    assert 'File "<main process>", line 3, in <module>' in failed["error"]
    assert failed["error"].rstrip().endswith("ZeroDivisionError: division by zero")
    assert after["result"] == "attrs still usable" and after["error"] is None
    # file: packages are read in place: no cache directory, nothing written to userData
    assert state == {"cacheDir": None}
    assert not user_data.exists()


def test_packages_cached_in_user_data(
    node: Node, dist: Path, tmp_path: Path, counting_server: Served
) -> None:
    """An http(s) packageIndexURL, passed explicitly: the first start downloads outcome, attrs
    and sniffio into app.getPath("userData")/pinnace-packages, the second finds them there and
    requests no package file (only the lock file), a third starts with the index unreachable."""
    url, handler, srv = counting_server
    user_data = tmp_path / "userData"
    body = f"""
        const py = await loadPinnace({{ indexURL: {str(dist)!r}, packageIndexURL: {url!r} }});
        py.runPython("import outcome");                      // synchronous, during the import
        await py.loadPackage("sniffio");                     // asynchronous
        console.log(JSON.stringify({{ environment: py.environment, cacheDir: py._packages.cacheDir,
                                      hits: py._packages.cacheHits,
                                      version: py.runPython("import outcome, sniffio; outcome.__version__") }}));
    """
    wheels = {lock_entry(dist, n)["file_name"] for n in ("outcome", "attrs", "sniffio")}
    first = json.loads(electron_main(node, body, user_data).strip().splitlines()[-1])
    cache = user_data / "pinnace-packages"
    assert first == {"environment": "electron-main", "cacheDir": str(cache), "hits": 0,
                     "version": lock_entry(dist, "outcome")["version"]}  # fmt: skip
    assert wheels <= set(handler.requests)
    cached = {p.name for p in cache.iterdir()}
    for name in ("outcome", "attrs", "sniffio"):
        e = lock_entry(dist, name)
        assert f"{e['sha256']}-{e['file_name']}" in cached

    handler.requests.clear()
    second = json.loads(electron_main(node, body, user_data).strip().splitlines()[-1])
    assert second["hits"] == 3 and second["version"] == first["version"]
    assert set(handler.requests) == {"pinnace-lock.json"}, handler.requests

    # the index unreachable: the lock file's copy in the cache directory, with a warning
    srv.stop()
    out = electron_main(node, body, user_data, check=False).strip().splitlines()
    third = json.loads(next(line for line in out if line.startswith("{")))
    assert third == second
    lock_copy = next(cache.glob("lock-*.json"))
    assert f"Pinnace: using the copy of pinnace-lock.json cached in {lock_copy}" in out
    assert any(line.startswith(f"Pinnace: Pinnace could not load {url}pinnace-lock.json: network error")
               for line in out)  # fmt: skip


def test_asar_paths_are_never_written(
    node: Node, dist: Path, tmp_path: Path, counting_server: Served
) -> None:
    """The app's files under resources/app.asar/ (here a real directory with that name: plain
    Node cannot read a real archive, Electron's fs can): loading from it writes nothing there,
    and a packageCacheDir inside it is refused with a clear error."""
    url, _, _ = counting_server
    app = tmp_path / "resources" / "app.asar"
    (app / "dist").mkdir(parents=True)
    for f in dist.iterdir():
        (app / "dist" / f.name).symlink_to(f)
    user_data = tmp_path / "userData"
    before = tree(app)
    out = electron_main(node, f"""
        const index = {str(app / "dist")!r};
        const py = await loadPinnace({{ indexURL: index }});
        console.log("in place", py.runPython("import outcome; outcome.__version__"), py._packages.cacheDir ?? null);
        try {{
          await loadPinnace({{ indexURL: index, packageCacheDir: {str(app / "cache")!r} }});
        }} catch (e) {{ console.log(e.name + ": " + e.message); }}
        const viaHttp = await loadPinnace({{ indexURL: index, packageIndexURL: {url!r} }});
        viaHttp.runPython("import outcome");
        console.log("cached at", viaHttp._packages.cacheDir);
    """, user_data)  # fmt: skip
    lines = out.strip().splitlines()
    assert lines[-3] == f"in place {lock_entry(dist, 'outcome')['version']} null"
    assert lines[-2] == (
        f"PackageError: packageCacheDir {app / 'cache'} is inside an ASAR archive, which is "
        'read-only; use a writable directory such as app.getPath("userData")'
    )
    assert lines[-1] == f"cached at {user_data / 'pinnace-packages'}"
    assert tree(app) == before
    assert any((user_data / "pinnace-packages").iterdir())


def test_user_data_needs_electron_app(node: Node, dist: Path, tmp_path: Path,
                                      counting_server: Served) -> None:  # fmt: skip
    """When app.getPath fails, the error says so and what to pass instead."""
    url, _, _ = counting_server
    out = node.run(
        f"""
        try {{
          await loadPinnace({{ indexURL: {str(dist)!r}, packageIndexURL: {url!r} }});
        }} catch (e) {{ console.log(e.name + ": " + e.message); }}
        const py = await loadPinnace({{ indexURL: {str(dist)!r}, packageIndexURL: {url!r},
                                        packageCacheDir: null }});
        console.log(py.environment, py.runPython("import sniffio; sniffio.__name__"));
        """,
        node_args=("--require", str(STUB / "markers.cjs")),
        env={"NODE_PATH": str(STUB)},  # no PINNACE_TEST_USERDATA: the stand-in's getPath throws
    )
    lines = out.strip().splitlines()
    assert lines[-2] == (
        'PackageError: Electron\'s app.getPath("userData") failed (test stand-in for electron: '
        'app.getPath("userData") is not provided); pass loadPinnace({ packageCacheDir }) or '
        "packageCacheDir: null"
    )
    assert lines[-1] == "electron-main sniffio"


def test_renderer_with_node_reads_files_with_fs(node: Node, dist: Path) -> None:
    """A renderer page with nodeIntegration (contextIsolation off), as far as Node can play
    one: the page world's globals that matter here set by hand — `window`, `location` (a
    file:// page), the global `require` Electron defines, the renderer's `process` markers —
    and XMLHttpRequest replaced by one that throws, so that only Node's fs can have read the
    files. Not Chromium: the real page is tested in test_electron_renderer_chromium.py."""
    page = (DEMO / "index.html").as_uri()
    out = node.run(f"""
        import {{ createRequire }} from "node:module";
        globalThis.window = globalThis;
        globalThis.require = createRequire(import.meta.url);
        globalThis.location = new URL({page!r});
        globalThis.XMLHttpRequest = class {{ constructor() {{ throw new Error("XHR used"); }} }};
        Object.assign(process, {{ type: "renderer", contextIsolated: false }});
        process.versions.electron = "33.2.0";
        const py = await loadPinnace({{ indexURL: "../../dist/" }});
        console.log(py.environment, await py.runPythonAsync("import outcome\\noutcome.__version__"));
        try {{ py.runPython("import sniffio"); }}
        catch (e) {{ console.log(e.message.trim().split("\\n").pop()); }}
        console.log(await py.runPythonAsync("import sniffio\\nsniffio.__name__"));
    """)  # fmt: skip
    lines = out.strip().splitlines()
    assert lines[-3] == f"electron-renderer-node {lock_entry(dist, 'outcome')['version']}"
    assert lines[-2].startswith(
        "ImportError: No module named 'sniffio': it is in package 'sniffio'"
    )
    assert "runPythonAsync(code)" in lines[-2]
    assert lines[-1] == "sniffio"


def test_main_process_mounts_fetches_and_connects(node: Node, dist: Path, tmp_path: Path, api: str,
                                                  closed_port: int) -> None:  # fmt: skip
    """What an Electron app's main process gives Python (docs/files.md, docs/http.md): the
    user's folder mounted (a read-only one too), HTTP waited for, a TCP connection over Node's
    net, and a socket attempt that fails without ending the process."""
    docs, ref = tmp_path / "docs", tmp_path / "ref"
    docs.mkdir()
    ref.mkdir()
    (ref / "in.txt").write_text("input")
    mounts = {"/docs": str(docs), "/ref": {"path": str(ref), "readOnly": True}}
    code = f"""
import asyncio, json, socket
from pinnace.http import fetch_sync
out = {{"read": open("/ref/in.txt").read()}}
open("/docs/out.txt", "w").write("written")
try:
    open("/ref/x.txt", "w")
except OSError as e:
    out["read_only"] = e.errno
out["http"] = fetch_sync("{api}/json").json()
try:
    socket.socketpair()
except OSError as e:
    out["socket"] = e.errno
try:
    await asyncio.open_connection("127.0.0.1", {closed_port})
except ConnectionRefusedError as e:
    out["tcp"] = e.errno
json.dumps(out)
"""
    body = f"""
        const py = await loadPinnace({{ indexURL: {str(dist)!r}, mounts: {json.dumps(mounts)} }});
        console.log(JSON.stringify({{ environment: py.environment,
                                      out: JSON.parse(await py.runPythonAsync({json.dumps(code)})) }}));
    """
    got = json.loads(electron_main(node, body, tmp_path / "userData").strip().splitlines()[-1])
    assert got == {"environment": "electron-main",
                   "out": {"read": "input", "read_only": 69, "http": {"hello": "world", "n": 1},
                           "socket": 138, "tcp": 14}}  # fmt: skip
    assert (docs / "out.txt").read_text() == "written"
    assert sorted(p.name for p in ref.iterdir()) == ["in.txt"]
