"""Pinnace's in-wasm runtime package.

This package runs inside the WebAssembly interpreter; it ships in the stdlib archive of dist/.
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
