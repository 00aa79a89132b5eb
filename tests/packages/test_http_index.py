"""Packages over a real HTTP indexURL under node, against a server the test controls (faults
of issue 17): 404, 500, a connection lost mid-download, a server that stalls, a KeyboardInterrupt
during a download, the download cache (a second process fetches nothing) and a cached file
changed on disk.  After each fault nothing of the package is installed, and the next import
works once the fault is gone."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import Node
from support.pkgdist import PkgDist
from support.servers import FaultyHandler, faulty_handler

WHEEL = "inner-1.0-py3-none-any.whl"


@pytest.fixture
def served(dist: Path, tmp_path: Path) -> Iterator[tuple[PkgDist, str, type[FaultyHandler]]]:
    d = PkgDist(dist, tmp_path / "dist")
    d.add("inner", {"inner/__init__.py": "VALUE = 21\n"})
    handler = faulty_handler()
    srv = StaticServer(d.root, port=0)
    srv.httpd.RequestHandlerClass = functools.partial(handler, directory=str(d.root))  # type: ignore[assignment]
    srv.start()
    try:
        yield d, srv.url, handler
    finally:
        srv.stop()


def run(node: Node, url: str, cache: Path | None, body: str, options: str = "") -> list[str]:
    """Node loads the core from disk (its ESM loader cannot import over http) and the packages
    from ``url``.  The loader's warnings are printed as lines starting with "warning:"."""
    cache_js = "null" if cache is None else repr(str(cache))
    out = node.run(
        "console.warn = (...a) => console.log('warning:', ...a);\n"
        f"const py = await loadPinnace({{ indexURL: {str(node.dist)!r}, packageIndexURL: {url!r}, "
        f"packageCacheDir: {cache_js}, {options} }});\n"
        "const attempt = async (how) => {\n"
        "  try {\n"
        "    if (how === 'sync') py.runPython('import inner');\n"
        "    else await py.loadPackage('inner');\n"
        "    console.log('ok', py.runPython('import inner; inner.VALUE'));\n"
        "  } catch (e) { console.log((e.type ?? e.name) + ': ' + e.message.trim().split('\\n').pop()); }\n"
        "  console.log('usable', py.runPython(\"import os; 1 + len([n for n in os.listdir('/lib/python3.13/site-packages') if 'inner' in n])\"));\n"
        "};\n" + body
    )
    return out.strip().splitlines()


@pytest.mark.parametrize("how", ["sync", "loadPackage"])
def test_connection_lost_mid_download_then_retry(
    node: Node, served: tuple[PkgDist, str, type[FaultyHandler]], how: str
) -> None:
    d, url, handler = served
    handler.cut.append(WHEEL)
    lines = run(node, url, None, f"await attempt({how!r}); await attempt({how!r});")
    assert f"package inner: could not fetch {url}{WHEEL}: network error" in lines[0], lines
    assert lines[0].startswith("PackageError")
    assert lines[1] == "usable 1"  # nothing of inner was installed
    assert lines[2:] == ["ok 21", "usable 3"]  # the retry: package dir and dist-info
    assert handler.requests[WHEEL] == 2


@pytest.mark.parametrize("how", ["sync", "loadPackage"])
def test_http_404_then_the_file_appears(
    node: Node, served: tuple[PkgDist, str, type[FaultyHandler]], how: str
) -> None:
    d, url, _ = served
    wheel = d.root / WHEEL
    good = wheel.read_bytes()
    wheel.unlink()
    lines = run(node, url, None, f"""
        await attempt({how!r});
        (await import("node:fs")).writeFileSync({str(wheel)!r}, Buffer.from({list(good)!r}));
        await attempt({how!r});
        """)  # fmt: skip
    assert lines[0] == (
        f"PackageError: {'pinnace.PackageError: ' if how == 'sync' else ''}"
        f"package inner: could not fetch {url}{WHEEL}: HTTP 404 File not found"
    )
    assert lines[1:] == ["usable 1", "ok 21", "usable 3"]


def test_second_process_uses_the_download_cache(
    node: Node, served: tuple[PkgDist, str, type[FaultyHandler]], tmp_path: Path
) -> None:
    _, url, handler = served
    cache = tmp_path / "pkgcache"
    assert run(node, url, cache, "await attempt('sync');") == ["ok 21", "usable 3"]
    assert handler.requests[WHEEL] == 1
    # the wheel, and a copy of the lock file (for starting while the index is unreachable)
    names = [p.name for p in cache.iterdir()]
    assert len(names) == 2
    assert sum(n.endswith(WHEEL) for n in names) == sum(n.startswith("lock-") for n in names) == 1
    # a fresh process: the wheel comes from the cache (checked against the lock), not the server
    assert run(node, url, cache, "await attempt('loadPackage');") == ["ok 21", "usable 3"]
    assert run(node, url, cache, "await attempt('sync');") == ["ok 21", "usable 3"]
    assert handler.requests[WHEEL] == 1


@pytest.mark.parametrize("how", ["sync", "loadPackage"])
def test_http_500_then_the_server_recovers(
    node: Node, served: tuple[PkgDist, str, type[FaultyHandler]], how: str
) -> None:
    _, url, handler = served
    handler.error.append(WHEEL)
    lines = run(node, url, None, f"await attempt({how!r}); await attempt({how!r});")
    assert lines[0].startswith("PackageError")
    assert lines[0].endswith(f"package inner: could not fetch {url}{WHEEL}: HTTP 500 Internal Server Error")
    assert lines[1:] == ["usable 1", "ok 21", "usable 3"]


@pytest.mark.parametrize("how", ["sync", "loadPackage"])
def test_a_stalled_download_times_out_then_retry(
    node: Node, served: tuple[PkgDist, str, type[FaultyHandler]], how: str
) -> None:
    d, url, handler = served
    handler.stall.append(WHEEL)
    half = (d.root / WHEEL).stat().st_size // 2
    lines = run(node, url, None, f"await attempt({how!r}); await attempt({how!r});",
                options="downloadTimeout: 1000")  # fmt: skip
    assert lines[0].startswith("PackageError")
    assert lines[0].endswith(
        f"package inner: could not fetch {url}{WHEEL}: timed out: nothing received for 1 s after {half} bytes"
    )
    assert lines[1:] == ["usable 1", "ok 21", "usable 3"]
    assert handler.requests[WHEEL] == 2


def test_a_damaged_cached_file_is_dropped_told_once_and_fetched_again(
    node: Node, served: tuple[PkgDist, str, type[FaultyHandler]], tmp_path: Path
) -> None:
    _, url, handler = served
    cache = tmp_path / "pkgcache"
    assert run(node, url, cache, "await attempt('sync');") == ["ok 21", "usable 3"]
    (cached,) = cache.glob(f"*{WHEEL}")
    data = bytearray(cached.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed on disk after a good install
    cached.write_bytes(bytes(data))
    for how in ("sync", "loadPackage"):
        lines = run(node, url, cache, f"await attempt({how!r}); await attempt({how!r});")
        warnings = [ln for ln in lines if ln.startswith("warning:")]
        assert [ln for ln in lines if ln not in warnings] == ["ok 21", "usable 3", "ok 21", "usable 3"]
        if how == "sync":  # the damaged file, told once; fetched again and cached again
            assert len(warnings) == 1 and f"cached copy of {WHEEL} in {cache}" in warnings[0]
            assert "does not match the sha256 in pinnace-lock.json" in warnings[0]
            assert cached.read_bytes() != bytes(data)
        else:  # the good copy now in the cache is used, silently
            assert warnings == []
    assert handler.requests[WHEEL] == 2


INTERRUPTED = """
import { Worker } from "node:worker_threads";
const signals = new Int32Array(new SharedArrayBuffer(4));
py.setInterruptBuffer(signals);
// another thread presses Ctrl-C while this one waits for the (slow) download
new Worker("setTimeout(() => Atomics.store(require('node:worker_threads').workerData, 0, 2), 500)",
           { eval: true, workerData: signals });
try { py.runPython("import inner"); console.log("imported"); }
catch (e) { console.log(e.type, JSON.stringify(e.message)); }
console.log("leftovers", py.runPython("import os; repr(sorted(n for n in os.listdir('/lib/python3.13/site-packages') if 'inner' in n or n.startswith('.')))"));
await attempt("sync");
"""


def test_keyboard_interrupt_during_a_download_leaves_no_half_install(
    node: Node, served: tuple[PkgDist, str, type[FaultyHandler]]
) -> None:
    _, url, handler = served
    handler.slow.append(WHEEL)  # half the wheel, 3 s of nothing, the rest
    lines = run(node, url, None, INTERRUPTED)
    # the signal is taken when Python runs again, after the download: the import is abandoned,
    # at the user's import statement (no frame of the runtime shown)
    kind, _, message = lines[0].partition(" ")
    traceback = json.loads(message)
    assert kind == "KeyboardInterrupt", lines
    assert 'File "<exec>", line 1, in <module>\n    import inner\n' in traceback
    assert "pinnace/" not in traceback and traceback.endswith("KeyboardInterrupt\n")
    assert lines[1] == "leftovers []"  # nothing of inner, no staging directory
    assert lines[2:] == ["ok 21", "usable 3"]
