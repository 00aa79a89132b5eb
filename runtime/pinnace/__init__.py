"""Pinnace's in-wasm runtime package.

This package runs inside the WebAssembly interpreter; it ships in the stdlib archive of dist/.

Its modules form layers, top to bottom::

    pinnace       the public surface (``pinnace.install``)
    _run          start(): wires the parts together; runPython and runPythonAsync
    _install      pinnace.install: wheels from a package index, like micropip
    importer      the lazy per-import finder
    _packages     the lock file; verifying and installing wheels the loader fetched
    trio          pinnace.trio.run, await_js, fetch
    _trio_host    Trio's platform layer on the JS host (imported by the patched trio)
    loop          asyncio on the host's event loop
    ffi           JsProxy, create_proxy, to_js, JsException, jsnull
    _tracebacks   the two trimming rules: the runtime's frames at both ends; a scheduler's
    _state        what the layers share: RUNTIME_DIR, STDLIB_DIR, HOST_LOOP, in_trio_task

The rule: a module imports only modules listed below it, at module level and inside functions
alike (tests/runtime/test_layers.py reads every import and fails on one against the
direction).  What a lower layer needs from a higher one it is handed by ``_run.start()``, the
one place where the parts are wired together (``ffi.install(await_js)``).
"""

from __future__ import annotations

from ._build import VERSION as __version__

__all__ = ["__version__", "install"]


async def install(requirements: str | list[str],
                  index_urls: str | list[str] | None = None) -> list[str]:  # fmt: skip
    """Install pure-Python wheels and their dependencies from a package index (default PyPI)
    or direct wheel URLs, preferring the packages of pinnace-lock.json; see docs/packages.md.
    Returns ``name-version`` (index wheels) or the name (lock packages) of what it installed."""
    from ._install import install as _install

    return await _install(requirements, index_urls)
