"""Patching a pure-Python wheel: a recipe's ``source.patches`` applied to the wheel's files.

A wheel recipe with patches (pyodide-build's schema: ``source: patches: [patches/x.patch]``,
paths relative to the recipe) is unpacked, each patch is applied with ``git apply`` (``-p1``,
paths like ``a/trio/_core/_run.py``, relative to the wheel's root), its ``RECORD`` is rewritten
with the new hashes and sizes, and it is zipped again under the same name, byte for byte
reproducible (sorted entries, fixed timestamps).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

from .cache import BuildError, log

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _record(root: Path, record_name: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name == record_name:
            writer.writerow([name, "", ""])
        else:
            data = path.read_bytes()
            writer.writerow([name, _record_hash(data), len(data)])
    return out.getvalue()


def patch_wheel(wheel: Path, patches: list[Path]) -> None:
    """Apply ``patches`` to ``wheel`` in place."""
    work = wheel.with_name(wheel.name + ".patching")
    shutil.rmtree(work, ignore_errors=True)
    try:
        _patch_into(wheel, work, patches)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _patch_into(wheel: Path, work: Path, patches: list[Path]) -> None:
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(work)
        record_name = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
    for patch in patches:
        log(f"{wheel.name}: applying {patch.name}")
        res = subprocess.run(["git", "apply", "-p1", "--whitespace=nowarn", str(patch)],
                             cwd=work, capture_output=True, text=True)  # fmt: skip
        if res.returncode != 0:
            raise BuildError(f"{wheel.name}: {patch} does not apply:\n{res.stderr}")
    (work / record_name).write_text(_record(work, record_name))
    tmp = wheel.with_name(wheel.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(work).as_posix(), ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(wheel)
