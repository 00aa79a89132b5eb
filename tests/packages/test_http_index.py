"""Packages over a real HTTP indexURL under node: 404, a connection lost mid-download, and the
download cache (a second process fetches nothing)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import Node
from support.pkgdist import PkgDist
from support.servers import FaultyHandler

WHEEL = "inner-1.0-py3-none-any.whl"


@pytest.fixture
def served(dist: Path, tmp_path: Path) -> Iterator[tuple[PkgDist, str, type[FaultyHandler]]]:
    d = PkgDist(dist, tmp_path / "dist")
    d.add("inner", {"inner/__init__.py": "VALUE = 21\n"})
    handler = type("H", (FaultyHandler,), {"requests": {}, "cut": []})
    srv = StaticServer(d.root, port=0)
    srv.httpd.RequestHandlerClass = functools.partial(handler, directory=str(d.root))  # type: ignore[assignment]
    srv.start()
    try:
        yield d, srv.url, handler
    finally:
        srv.stop()


def run(node: Node, url: str, cache: Path | None, body: str) -> list[str]:
    """Node loads the core from disk (its ESM loader cannot import over http) and the packages
    from ``url``."""
    cache_js = "null" if cache is None else repr(str(cache))
    out = node.run(
        f"const py = await loadPinnace({{ indexURL: {str(node.dist)!r}, packageIndexURL: {url!r}, "
        f"packageCacheDir: {cache_js} }});\n"
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
