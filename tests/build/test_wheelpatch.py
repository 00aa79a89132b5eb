"""Recipe patches applied to pure-Python wheels (build/pinnace_build/wheelpatch.py), and the
patched trio wheel that dist/ ships."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from pinnace_build import recipes
from pinnace_build.cache import BuildError
from pinnace_build.wheelpatch import patch_wheel
from support.pkgdist import make_wheel

PATCH = """\
--- a/demo/core.py
+++ b/demo/core.py
@@ -1,2 +1,2 @@
 def answer():
-    return 41
+    return 42
"""


def record_matches(zf: zipfile.ZipFile) -> bool:
    """Every file of the wheel is in its RECORD with its sha256 and size."""
    name = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
    rows = {r[0]: r[1:] for r in csv.reader(io.StringIO(zf.read(name).decode()))}
    for member in zf.namelist():
        if member == name:
            continue
        data = zf.read(member)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if rows.get(member) != [f"sha256={digest}", str(len(data))]:
            return False
    return set(rows) == set(zf.namelist())


def test_patch_applies_and_record_is_rewritten(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", {"demo/core.py": "def answer():\n    return 41\n"})
    patch = tmp_path / "fix.patch"
    patch.write_text("A description before the diff is allowed.\n\n" + PATCH)
    patch_wheel(wheel, [patch])
    first = wheel.read_bytes()
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("demo/core.py").decode() == "def answer():\n    return 42\n"
        assert record_matches(zf)
    # the same input gives the same bytes (fixed timestamps, sorted entries)
    (tmp_path / "again").mkdir()
    again = make_wheel(
        tmp_path / "again", "demo", "1.0", {"demo/core.py": "def answer():\n    return 41\n"}
    )
    patch_wheel(again, [patch])
    assert again.read_bytes() == first


def test_patch_that_does_not_apply_is_refused(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", {"demo/core.py": "def answer():\n    return 7\n"})
    before = wheel.read_bytes()
    patch = tmp_path / "fix.patch"
    patch.write_text(PATCH)
    with pytest.raises(BuildError, match="fix.patch does not apply"):
        patch_wheel(wheel, [patch])
    assert wheel.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-1.0-py3-none-any.whl", "fix.patch"]


def test_recipe_with_a_missing_patch_file_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "demo"
    d.mkdir()
    (d / "meta.yaml").write_text(
        "package: {name: demo, version: '1.0'}\n"
        "source: {url: https://example.invalid/demo-1.0-py3-none-any.whl, sha256: '00',"
        " patches: [patches/nope.patch]}\n"
    )
    with pytest.raises(recipes.RecipeError, match="patches/nope.patch"):
        recipes.load(d)


def test_dist_ships_the_patched_trio(dist: Path) -> None:
    (wheel,) = dist.glob("trio-0.35.0-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        run = zf.read("trio/_core/_run.py").decode()
        assert "from pinnace._trio_host import" in run
        assert "self.runner.io_manager.wait_on_host(timeout, deliver)" in run
        assert record_matches(zf)
