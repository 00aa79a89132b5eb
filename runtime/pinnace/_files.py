"""Archives unpacked into the file system: ``pinnace.unpack_archive`` (Python),
``Pinnace.unpackArchive`` (JS, loader-js/src/pinnace.ts), and the ``unpack_archive`` of
pinnace.http's responses.  shutil's unpackers do the work, tar archives with the "data" filter
(no member lands outside the folder, no device files, no absolute links); zip archives skip
members whose names would leave it, as shutil's zip unpacker always does."""

from __future__ import annotations

import os

# Format names as people write them -> shutil's.
FORMATS = {
    "zip": "zip", "whl": "zip", "tar": "tar", "gztar": "gztar", "tar.gz": "gztar", "tgz": "gztar",
    "bztar": "bztar", "tar.bz2": "bztar", "tbz2": "bztar", "xztar": "xztar", "tar.xz": "xztar",
    "txz": "xztar",
}  # fmt: skip


def format_of(name: str) -> str | None:
    """shutil's format name for a file name's extension, longest first ("x.tar.gz": gztar)."""
    name = name.lower()
    return next((FORMATS[ext] for ext in sorted(FORMATS, key=len, reverse=True)
                 if name.endswith("." + ext)), None)  # fmt: skip


def unpack_archive(source: str | bytes | os.PathLike[str], extract_dir: str | os.PathLike[str] = ".",
                   format: str | None = None) -> None:  # fmt: skip
    """Unpack an archive (a path, or its bytes) into ``extract_dir`` (made if missing).
    ``format``: "zip", "tar", "tar.gz" (or "gztar", "tgz"), "tar.bz2", "tar.xz"; without it the
    file name's extension says, and bytes must be given a format."""
    kind = None
    if format is not None:
        kind = FORMATS.get(format.lower().lstrip("."))
        if kind is None:
            raise ValueError(f"unknown archive format {format!r}; known: {', '.join(sorted(FORMATS))}")
    if isinstance(source, (bytes, bytearray, memoryview)):
        if kind is None:
            raise ValueError("unpack_archive of bytes needs a format (e.g. format='zip')")
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".archive") as f:
            f.write(source)
            f.flush()
            _unpack(f.name, os.fspath(extract_dir), kind)
        return
    _unpack(os.fspath(source), os.fspath(extract_dir), kind)


def _unpack(path: str, extract_dir: str, kind: str | None) -> None:
    import shutil

    if kind is None:
        kind = format_of(path)
        if kind is None:
            raise shutil.ReadError(f"unknown archive format of {path!r}: pass format=")
    if kind == "zip":  # zip's unpacker takes no filter: it skips names that would leave
        shutil.unpack_archive(path, extract_dir, kind)
    else:
        shutil.unpack_archive(path, extract_dir, kind, filter="data")
