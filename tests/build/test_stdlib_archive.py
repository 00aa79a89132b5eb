"""The stdlib archive in dist/: bytecode only, stored, without the parts left out of the core."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pinnace_build.stdlib import EXCLUDED_DIRS, EXCLUDED_TOP, ZIP_NAME


def test_archive_holds_bytecode_without_the_excluded_parts(dist: Path) -> None:
    with zipfile.ZipFile(dist / ZIP_NAME) as zf:
        infos = zf.infolist()
    names = {i.filename for i in infos}
    assert {"os.pyc", "json/__init__.pyc", "pinnace/_run.pyc", "pinnace/ffi.pyc"} <= names
    assert any(n.startswith("_sysconfigdata_") for n in names)
    assert not [n for n in names if n.endswith(".py")]
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
    tops = {n.split("/")[0].removesuffix("c") for n in names}
    assert not tops & EXCLUDED_TOP, tops & EXCLUDED_TOP
    assert not [n for n in names if EXCLUDED_DIRS & set(n.split("/")[:-1])]
