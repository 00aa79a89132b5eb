"""Fuzzing what the runtime reads from outside when it installs a package (issue 17): wheel
archives with hostile entries (path traversal such as ``../../x``, absolute paths, symlinks,
directories named like files, huge declared sizes) and randomly damaged archives.  Installing
one either succeeds, writing only inside site-packages, or raises a PackageError naming the
package; nothing is ever written outside site-packages and a failure leaves nothing behind.

Natively (tests/support/native_runtime.py): pinnace._packages is pure Python, the same code the
wasm build runs; hypothesis makes the archives."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pinnace import _packages

from support.native_runtime import LoaderStandIn, lock_of

Runtime = Callable[[dict[str, Any]], LoaderStandIn]
# archives with the same name twice are among the inputs
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip

# Entry names a hostile or broken archive may hold.
SEGMENT = st.sampled_from(["..", ".", "", "pkg", "x", "a b", "évil", "\\..\\x", "C:", "~"])
NAMES = st.one_of(
    st.lists(SEGMENT, min_size=1, max_size=5).map("/".join),
    st.lists(SEGMENT, min_size=1, max_size=4).map(lambda p: "/" + "/".join(p)),
    st.sampled_from(["../../outside.txt", "/etc/outside", "pkg/../../outside", "..", "../",
                     "pkg/__init__.py", "pkg-1.0.dist-info/METADATA", "pkg\\..\\..\\outside"]),
)  # fmt: skip
ENTRY = st.tuples(
    NAMES,
    st.binary(max_size=64),
    st.sampled_from(["file", "symlink", "dir", "executable"]),
)


def archive(entries: list[tuple[str, bytes, str]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, kind in entries:
            info = zipfile.ZipInfo(name or "empty")
            if kind == "symlink":  # a symlink entry: its data is the link's target
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                data = b"../../../../outside-target"
            elif kind == "dir":
                info = zipfile.ZipInfo((name or "d").rstrip("/") + "/")
                info.external_attr = (stat.S_IFDIR | 0o755) << 16
                data = b""
            elif kind == "executable":
                info.external_attr = (stat.S_IFREG | 0o4755) << 16  # setuid bit, too
            zf.writestr(info, data)
    return buf.getvalue()


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def install(runtime: Runtime, root: Path, data: bytes) -> tuple[str, set[str]]:
    """Install ``data`` as package pkg (its lock entry's sha256 matches) into
    ``root/site-packages``: "ok" or "PackageError"; and what now exists under ``root`` outside
    site-packages and the download directory."""
    runtime(lock_of({"name": "pkg", "version": "1.0", "sha256": hashlib.sha256(data).hexdigest()}))
    for d in ("site-packages", "downloads"):
        (root / d).mkdir(exist_ok=True)
    before = files_under(root)
    download = root / "downloads" / "pkg-1.0-py3-none-any.whl"
    download.write_bytes(data)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_packages, "SITE_PACKAGES", str(root / "site-packages"))
        try:
            _packages.install_file(_packages.packages()["pkg"], str(download), "file:///pkg.whl")
            outcome = "ok"
        except _packages.PackageError as e:
            assert e.package == "pkg" and "pkg" in str(e)
            outcome = "PackageError"
    after = files_under(root)
    outside = {p for p in after - before
               if not p.startswith("site-packages") and not p.startswith("downloads")}  # fmt: skip
    return outcome, outside


def assert_safe(tmp_path: Path, outcome: str, outside: set[str]) -> None:
    assert outside == set(), f"written outside site-packages: {outside}"
    site = tmp_path / "site-packages"
    for p in site.rglob("*"):
        assert not p.is_symlink(), f"a symlink was created: {p}"
        assert p.resolve().is_relative_to(site.resolve())
        if p.is_file():
            assert not os.stat(p).st_mode & (stat.S_ISUID | stat.S_ISGID)
    if outcome != "ok":  # a failure leaves nothing behind, staging directory included
        assert files_under(site) == set()


@FUZZ
@given(entries=st.lists(ENTRY, min_size=1, max_size=6))
def test_hostile_entries_stay_inside_site_packages(native_runtime: Runtime, tmp_path_factory: Any,
                                                   entries: list[tuple[str, bytes, str]]) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("fuzz")
    outcome, outside = install(native_runtime, root, archive(entries))
    assert_safe(root, outcome, outside)


GOOD = archive([("pkg/__init__.py", b"VALUE = 1\n", "file"),
                ("pkg/data/table.csv", b"a,b\n1,2\n" * 20, "file"),
                ("pkg-1.0.dist-info/METADATA", b"Name: pkg\nVersion: 1.0\n", "file")])  # fmt: skip


@FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, len(GOOD))),
)
def test_damaged_archives_give_a_package_error(native_runtime: Runtime, tmp_path_factory: Any,
                                               flips: list[tuple[int, int]], cut: int | None) -> None:  # fmt: skip
    data = bytearray(GOOD)
    for at, xor in flips:
        data[at] ^= xor
    if cut is not None:
        del data[cut:]
    root = tmp_path_factory.mktemp("damaged")
    outcome, outside = install(native_runtime, root, bytes(data))
    assert_safe(root, outcome, outside)


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` with the uncompressed size that ``name``'s headers declare set to ``size``."""
    out = bytearray(data)
    # (signature, offset of the name's length, of the name, of the uncompressed size): the
    # local file header and the central directory entry
    for sig, len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        at = out.find(sig)
        while at != -1:
            n = struct.unpack_from("<H", out, at + len_at)[0]
            if out[at + name_at : at + name_at + n] == name.encode():
                struct.pack_into("<I", out, at + size_at, size)
            at = out.find(sig, at + 4)
    return bytes(out)


@pytest.mark.parametrize("size", [0, 3, 0xFFFFFFFF])
def test_a_lying_declared_size_is_refused(
    native_runtime: Runtime, tmp_path: Path, size: int
) -> None:
    data = with_declared_size(GOOD, "pkg/data/table.csv", size)
    outcome, outside = install(native_runtime, tmp_path, data)
    assert outcome == "PackageError"
    assert_safe(tmp_path, outcome, outside)


def test_a_zip_bomb_is_refused_before_it_is_written(native_runtime: Runtime, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A small archive that inflates far beyond any real wheel (and beyond a wasm heap); the
    limit is lowered here to keep the test fast."""
    monkeypatch.setattr(_packages, "MAX_UNPACKED_BYTES", 16 << 20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("pkg/zeros.bin", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(_packages.MAX_UNPACKED_BYTES // len(chunk) + 1):
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < _packages.MAX_UNPACKED_BYTES // 100
    outcome, outside = install(native_runtime, tmp_path, data)
    assert outcome == "PackageError"
    assert_safe(tmp_path, outcome, outside)
