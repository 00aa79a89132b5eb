"""C libraries CPython links that are not Emscripten ports: libffi (for ctypes) and liblzma.

Both are built as static, position-independent wasm libraries into one prefix (a cache step),
from Debian trixie's pristine upstream tarballs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import toolchain
from . import versions as V
from .cache import Step, log, run_logged
from .toolchain import Toolchain

CFLAGS = "-O2 -fPIC"


def step(tc: Toolchain) -> Step:
    return Step(
        "wasm-libs",
        {
            "toolchain": tc.config.parent.name,
            "libffi": V.SOURCES["libffi"][2],
            "xz": V.SOURCES["xz"][2],
            "cflags": CFLAGS,
            "v": 1,
        },
    )


def _configure_make(tc: Toolchain, src: Path, prefix: Path, args: list[str], cflags: str) -> None:
    env = tc.env()
    env["CFLAGS"] = cflags
    logfile = prefix.parent / "build.log"
    run_logged(
        [str(tc.emroot / "emconfigure"), "./configure", "--host=wasm32-unknown-emscripten",
         f"--prefix={prefix}", "--enable-static", "--disable-shared",
         "--disable-dependency-tracking", *args],
        logfile, cwd=src, env=env,
    )  # fmt: skip
    jobs = f"-j{os.cpu_count() or 2}"
    run_logged([str(tc.emroot / "emmake"), "make", jobs, "install"], logfile, cwd=src, env=env)


def _build(tc: Toolchain, out: Path) -> None:
    prefix = out / "prefix"
    work = out / "work"
    log("wasm-libs: libffi")
    ffi = toolchain.extract(toolchain.fetch_source("libffi"), work)
    # Debian's orig tarball is a git snapshot without ./configure.
    run_logged(["autoreconf", "-fi"], out / "build.log", cwd=ffi)
    _configure_make(
        tc, ffi, prefix,
        ["--disable-builddir", "--disable-multi-os-directory", "--disable-raw-api",
         "--disable-docs"],
        CFLAGS + " -DWASM_BIGINT",
    )  # fmt: skip
    log("wasm-libs: liblzma (xz)")
    xz = toolchain.extract(toolchain.fetch_source("xz"), work)
    _configure_make(
        tc, xz, prefix,
        ["--disable-xz", "--disable-xzdec", "--disable-lzmadec", "--disable-lzmainfo",
         "--disable-lzma-links", "--disable-scripts", "--disable-doc", "--disable-nls",
         "--disable-threads", "--disable-microlzma", "--disable-lzip-decoder"],
        CFLAGS,
    )  # fmt: skip
    shutil.rmtree(work)


def ensure(tc: Toolchain) -> Path:
    """Return the prefix (include/, lib/) holding libffi.a and liblzma.a."""
    return step(tc).ensure(lambda out: _build(tc, out)) / "prefix"
