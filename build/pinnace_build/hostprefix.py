"""The host prefix a package is built against: pyodide-build's ``$WASM_LIBRARY_DIR``.

pyodide-build hands every build the directory ``<recipe dir>/../.libs`` as ``WASM_LIBRARY_DIR``
(and ``PKG_CONFIG_LIBDIR=$WASM_LIBRARY_DIR/lib/pkgconfig``): a shared library's script installs
its headers, its ``.so`` and its ``.pc`` file there, and a package built later finds them.  Each
Pinnace build runs in a directory of its own, so this module fills that prefix for one build from
what the recipe lists under ``requirements.host``:

* a library (``build.type: shared_library`` or ``static_library``): the prefix its own build
  installed, kept in its cache step as ``prefix/`` (its ``.pc`` files must locate the prefix
  through ``${pcfiledir}``, as the directory moves);
* a package (a wheel, e.g. numpy): the wheel unpacked under ``lib/pythonX.Y/site-packages``, so
  that a build can use the *wasm* build's headers (numpy's ``_numpyconfig.h`` differs from a
  native numpy's) rather than the native build environment's.

The prefix also holds ``share/meson/cross`` (the build's ``XDG_DATA_HOME``), where meson finds
cross files by bare name: the root's ``emscripten`` file, any a recipe's script writes there,
and, when numpy is a host requirement, ``pinnace-numpy``: its ``numpy-include-dir`` property
names the wasm numpy's headers, which SciPy's, scikit-learn's and (patched) pandas' meson builds
read instead of asking the native numpy of the build environment (``setup-args=--cross-file=
pinnace-numpy``).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from . import versions as V
from .recipes import Recipe

SITE_PACKAGES = Path("lib") / f"python{V.PYTHON_MAJOR_MINOR}" / "site-packages"
PREFIX_DIR = "prefix"  # inside a shared library's cache step
NUMPY_CROSS_FILE = "pinnace-numpy"


def library_prefix(artifact: Path) -> Path:
    """The prefix a library's build installed: its step's ``prefix/`` (``artifact`` is that
    directory for a static library, the zip beside it for a shared one)."""
    return artifact if artifact.name == PREFIX_DIR else artifact.parent / PREFIX_DIR


def stage(prefix: Path, host_deps: list[tuple[Recipe, Path]], meson_cross: Path) -> None:
    """Fill ``prefix`` for one build: ``host_deps`` pairs a recipe with its built artifact
    (a wheel, a shared library's zip in its step directory, or a static library's ``prefix/``
    directory); ``meson_cross`` is the root's
    directory of meson cross files."""
    prefix.mkdir(parents=True, exist_ok=True)
    shutil.copytree(meson_cross, prefix / "share" / "meson" / "cross", dirs_exist_ok=True)
    for dep, artifact in host_deps:
        if dep.is_library:
            shutil.copytree(library_prefix(artifact), prefix, symlinks=True,
                            dirs_exist_ok=True)  # fmt: skip
        else:
            with zipfile.ZipFile(artifact) as zf:
                zf.extractall(prefix / SITE_PACKAGES)
    numpy_include = prefix / SITE_PACKAGES / "numpy" / "_core" / "include"
    if (numpy_include / "numpy" / "_numpyconfig.h").is_file():
        (prefix / "share" / "meson" / "cross" / NUMPY_CROSS_FILE).write_text(
            f"[properties]\nnumpy-include-dir = '{numpy_include}'\n"
        )
