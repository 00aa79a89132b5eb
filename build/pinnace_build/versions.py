"""Pinned versions of everything the build consumes.

Changing any value here changes the content keys of the steps that depend on it, so the
next build redoes exactly those steps.
"""

from __future__ import annotations

import json

# Pinnace's own version: the loader's `version`, the runtime's `pinnace.__version__`.
PINNACE_VERSION = "0.1.0"

EMSCRIPTEN_VERSION = "3.1.69"
LLVM_MAJOR = 19
LLVM_ROOT = f"/usr/lib/llvm-{LLVM_MAJOR}/bin"
BINARYEN_VERSION = "120"
ACORN_VERSION = "8.12.1"

PYTHON_VERSION = "3.13.5"
PYTHON_MAJOR_MINOR = "3.13"
# Our ABI string (pyodide-build's PYODIDE_ABI_VERSION) and the wheel platform tag it makes:
# deliberately not a Pyodide ABI (see pyodide_root.py).
ABI_VERSION = "2024_69"
WHEEL_PLATFORM = f"pyemscripten_{ABI_VERSION}_wasm32"

# Files taken from Debian trixie: the emscripten .deb (unpacked, never installed) and pristine
# upstream .orig tarballs.  Each is resolved through a private apt configuration and checked
# against the pinned sha256 below.  name -> (package spec for apt, file name, sha256)
EMSCRIPTEN_DEB_FILE = (
    "emscripten/trixie",
    "emscripten_3.1.69+dfsg-3_all.deb",
    "d2ac788b952c56ab6736b4db2ac0825aa63cfb4c08b8abaefe19e324779d1b2d",
)
SOURCES: dict[str, tuple[str, str, str]] = {
    "python": (
        "python3.13/trixie",
        "python3.13_3.13.5.orig.tar.xz",
        "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
    ),
    "zlib": (
        "zlib/trixie",
        "zlib_1.3.dfsg+really1.3.1.orig.tar.gz",
        "60dd315c07f616887caa029408308a018ace66e3d142726a97db164b3b8f69fb",
    ),
    "bzip2": (
        "bzip2/trixie",
        "bzip2_1.0.8.orig.tar.gz",
        "ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269",
    ),
    "sqlite3": (
        "sqlite3/trixie",
        "sqlite3_3.46.1.orig.tar.xz",
        "d0cdd2ece271b29e7ce18095745d892517ee26d0f270065b3a25c2e9eb11639c",
    ),
    "libffi": (
        "libffi/trixie",
        "libffi_3.4.8.orig.tar.gz",
        "cbb7f0b3b095dc506387ec1e35b891bfb4891d05b90a495bc69a10f2293f80ff",
    ),
    "xz": (
        "xz-utils/trixie",
        "xz-utils_5.8.1.orig.tar.xz",
        "0b54f79df85912504de0b14aec7971e3f964491af1812d83447005807513cd9e",
    ),
    "binaryen": (
        "binaryen/trixie",
        "binaryen_120.orig.tar.gz",
        "a4edd532d37b33d88e28e8d770f7177a7c0bb4495eabc6f5ecd41ffc5fd4db90",
    ),
}

# Emscripten 3.1.69's ports and the URL/directory each expects; we seed them offline.
PORTS: dict[str, tuple[str, str]] = {
    "zlib": ("https://github.com/madler/zlib/archive/refs/tags/v1.2.13.tar.gz", "zlib-1.2.13"),
    "bzip2": ("https://github.com/emscripten-ports/bzip2/archive/1.0.6.zip", "bzip2-1.0.6"),
    "sqlite3": (
        "https://www.sqlite.org/2022/sqlite-amalgamation-3390000.zip",
        "sqlite-amalgamation-3390000",
    ),
}


def build_info() -> dict[str, str]:
    """What the loader and the runtime are told at build time (dist.py): the loader through
    esbuild's ``define`` (loader-js/buildinfo.mjs), the runtime as ``pinnace/_build.py``."""
    return {
        "version": PINNACE_VERSION,
        "python": PYTHON_VERSION,
        "python_major_minor": PYTHON_MAJOR_MINOR,
        "platform": WHEEL_PLATFORM,
    }


# `python3 versions.py` prints the build info as JSON (for loader-js/buildinfo.mjs).
if __name__ == "__main__":
    print(json.dumps(build_info()))
