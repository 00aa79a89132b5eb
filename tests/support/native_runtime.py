"""The runtime's pure-Python parts on the machine's own CPython, for fast unit tests.

``runtime/pinnace`` goes on ``sys.path``; the one C module those parts reach,
``_pinnace_packages`` (the bridge to the JS loader, runtime/src/packages.c), is replaced by
:class:`LoaderStandIn`, which answers from a lock given by the test and from files on disk.
Nothing here runs WebAssembly: what the stand-in answers is what the loader answers in the real
tests (tests/packages).
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .hosts import REPO

RUNTIME = REPO / "runtime"
if str(RUNTIME) not in sys.path:
    sys.path.insert(0, str(RUNTIME))


class LoaderStandIn:
    """What ``_pinnace_packages.call(op, arg)`` answers: the lock's text, a mode, and files
    "fetched" from ``files`` (URL or package name -> bytes) into ``downloads``."""

    def __init__(self, lock: dict[str, Any], downloads: Path, mode: str = "sync") -> None:
        self.lock = lock
        self.mode = mode
        self.downloads = downloads
        self.files: dict[str, bytes] = {}
        self.calls: list[tuple[str, str]] = []

    def _download(self, key: str) -> str:
        if key not in self.files:
            raise OSError(f"{key}: HTTP 404 Not Found")
        path = self.downloads / f"download-{len(self.calls)}"
        path.write_bytes(self.files[key])
        return str(path)

    def call(self, op: str, arg: str = "") -> str:
        self.calls.append((op, arg))
        if op == "lock":
            return json.dumps(self.lock)
        if op == "mode":
            return self.mode
        if op == "fetch":
            entries = json.loads(arg)
            return json.dumps([{"path": self._download(e["name"]), "url": e["file_name"]}
                               for e in entries])  # fmt: skip
        if op == "fetch_url":
            return self._download(arg)
        raise AssertionError(f"the runtime asked the loader for an unknown operation {op!r}")


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
    from pinnace import _packages

    site = tmp_path / "site-packages"
    site.mkdir()
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    def make(lock: dict[str, Any]) -> LoaderStandIn:
        loader = LoaderStandIn(lock, downloads)
        module = types.ModuleType("_pinnace_packages")
        module.call = loader.call  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "_pinnace_packages", module)
        monkeypatch.setattr(_packages, "SITE_PACKAGES", str(site))
        monkeypatch.setattr(_packages, "_lock", None)
        monkeypatch.setattr(_packages, "installed", set())
        return loader

    yield make
