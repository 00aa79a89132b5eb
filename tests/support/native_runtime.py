"""The runtime's pure-Python parts on the machine's own CPython, for fast unit tests.

``runtime/pinnace`` goes on ``sys.path``, with ``pinnace._build`` made from versions.py as
``pinnace build dist`` makes it.  The C modules those parts reach are replaced by small
stand-ins: ``_pinnace_ffi`` (the names pinnace.ffi imports) and ``_pinnace_packages``, whose
table of the loader's operations is :class:`LoaderStandIn`, answering from a lock given by the
test and from files on disk.  Nothing here runs WebAssembly: what the stand-in answers is what
the loader answers in the real tests (tests/packages).
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pinnace_build import versions

from .hosts import REPO

RUNTIME = REPO / "runtime"
if str(RUNTIME) not in sys.path:
    sys.path.insert(0, str(RUNTIME))


def _module(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


class _JsProxy:  # what isinstance() checks in pinnace.ffi see; no JS value exists natively
    pass


class _Converted(list[Any]):
    """A list as the loader's operations return it: a JS array whose ``to_py()`` is a copy."""

    def to_py(self) -> list[Any]:
        return list(self)


def _not_natively(*args: Any) -> Any:
    raise AssertionError("this needs the wasm build's FFI, not the native stand-in")


build = _module("pinnace._build")
exec(versions.build_module_source(), build.__dict__)
sys.modules.setdefault("pinnace._build", build)
sys.modules.setdefault("_pinnace_ffi", _module(
    "_pinnace_ffi", JsProxy=_JsProxy, to_js=lambda value: value, create_proxy=_not_natively,
    create_once_callable=_not_natively, _install=_not_natively, bridge=_not_natively,
    global_this=_not_natively,
    # natively there is no interrupt buffer: CPython takes SIGINT itself
    check_interrupt=lambda: None,
))  # fmt: skip


class LoaderStandIn:
    """The loader's table of operations (``_pinnace_packages.ops()``), its "sync" way: the
    lock's text, a mode, and files "fetched" from ``files`` (URL or package name -> bytes)
    into ``downloads``; what is not in ``files`` fails as the loader's FetchError would."""

    def __init__(self, lock: dict[str, Any], downloads: Path, mode: str = "sync") -> None:
        self.lock_data = lock
        self.mode_name = mode
        self.downloads = downloads
        self.files: dict[str, bytes] = {}
        self.calls: list[tuple[str, Any]] = []
        self.sync = self

    def _download(self, key: str) -> str:
        from pinnace import _packages

        if key not in self.files:
            raise _packages.FetchError("HTTP 404 Not Found", key, "http", 404)
        path = self.downloads / f"download-{len(self.calls)}"
        path.write_bytes(self.files[key])
        return str(path)

    def lock(self) -> str:
        self.calls.append(("lock", None))
        return json.dumps(self.lock_data)

    def mode(self) -> str:
        self.calls.append(("mode", None))
        return self.mode_name

    def fetch(self, names: list[str]) -> _Converted:
        self.calls.append(("fetch", list(names)))
        return _Converted({"name": n, "path": self._download(n), "url": f"file:///{n}.whl"}
                          for n in names)  # fmt: skip

    def fetch_url(self, url: str) -> str:
        self.calls.append(("fetch_url", url))
        return self._download(url)


def lock_of(*entries: dict[str, Any]) -> dict[str, Any]:
    """A lock file holding ``entries`` (each at least name and version)."""
    packages = {}
    for e in entries:
        full = {"file_name": f"{e['name']}-{e['version']}-py3-none-any.whl", "sha256": "",
                "imports": [e["name"]], "depends": [], **e}  # fmt: skip
        packages[e["name"]] = full
    return {"info": {}, "packages": packages}


@pytest.fixture
def native_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[Callable[[dict[str, Any]], LoaderStandIn]]:  # fmt: skip
    """``native_runtime(lock)``: the runtime's package modules reset to a fresh state, with ``lock`` as
    the loader's lock file and ``tmp_path/site-packages`` as site-packages."""
    from pinnace import _loader, _packages

    site = tmp_path / "site-packages"
    site.mkdir()
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    def make(lock: dict[str, Any]) -> LoaderStandIn:
        loader = LoaderStandIn(lock, downloads)
        monkeypatch.setitem(sys.modules, "_pinnace_packages", _module("_pinnace_packages",
                            ops=lambda: loader, suspend=_not_natively))  # fmt: skip
        monkeypatch.setattr(_packages, "SITE_PACKAGES", str(site))
        monkeypatch.setattr(_packages, "_lock", None)
        monkeypatch.setattr(_loader, "_table", None)
        monkeypatch.setattr(_packages, "installed", set())
        return loader

    yield make
