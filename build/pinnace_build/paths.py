"""Where things live: the repository, dist/, and the content-keyed build cache."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
RECIPES = REPO / "recipes"
RUNTIME = REPO / "runtime"
LOADER = REPO / "loader-js"
STDLIB_PATCHES = REPO / "build" / "stdlib-patches"


def cache_root() -> Path:
    """The build cache, outside the repository: ${PINNACE_CACHE:-~/.cache/pinnace}."""
    env = os.environ.get("PINNACE_CACHE")
    root = Path(env) if env else Path.home() / ".cache" / "pinnace"
    return root.expanduser().resolve()


def downloads_dir() -> Path:
    """Verified downloads (Debian .debs and source tarballs, npm tarballs), named by file name."""
    return cache_root() / "downloads"
