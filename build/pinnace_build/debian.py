"""Fetching files from Debian trixie without touching the system's apt configuration.

The machine runs bookworm; installing any trixie binary package would upgrade libc6.  We only
*download* trixie files (the architecture-independent emscripten .deb and pristine upstream
source tarballs) through a private apt configuration whose state lives in the cache, then
verify each against a pinned sha256.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .cache import download_to, file_digest, log
from .paths import cache_root, downloads_dir

TRIXIE_SOURCES = """\
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-trixie-stable.gpg \
/usr/share/keyrings/debian-archive-trixie-automatic.gpg
"""


class DownloadError(RuntimeError):
    pass


def _apt_dir() -> Path:
    d = cache_root() / "apt-trixie"
    for sub in ("lists/partial", "etc", "cache/archives/partial"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    (d / "etc" / "trixie.sources").write_text(TRIXIE_SOURCES)
    return d


def _apt_options(d: Path) -> list[str]:
    return [
        "-o", "Dir::Etc::SourceList=/dev/null",
        "-o", f"Dir::Etc::SourceParts={d / 'etc'}",
        "-o", f"Dir::State::Lists={d / 'lists'}",
        "-o", f"Dir::Cache={d / 'cache'}",
        "-o", "Dir::Cache::pkgcache=",
        "-o", "Dir::Cache::srcpkgcache=",
        "-o", "Debug::NoLocking=1",
        "-o", "APT::Sandbox::User=root",
    ]  # fmt: skip


def _apt(args: list[str], *, update_first: bool) -> str:
    if shutil.which("apt-get") is None:
        raise DownloadError("apt-get is needed to resolve Debian trixie download URLs")
    d = _apt_dir()
    opts = _apt_options(d)
    if update_first or not any((d / "lists").glob("*trixie*")):
        log("apt (private trixie configuration): update")
        subprocess.run(["apt-get", *opts, "-qq", "update"], check=True)
    res = subprocess.run(["apt-get", *opts, *args], capture_output=True, text=True)
    if res.returncode != 0:
        raise DownloadError(f"apt-get {' '.join(args)} failed:\n{res.stderr.strip()}")
    return res.stdout


def _resolve_url(spec: str, file_name: str, *, source: bool) -> str:
    """Ask apt (private trixie config) for the URL of ``file_name`` of package ``spec``."""
    args = ["source", "--print-uris", spec] if source else ["download", "--print-uris", spec]
    for update_first in (False, True):
        try:
            out = _apt(args, update_first=update_first)
        except DownloadError:
            if update_first:
                raise
            continue
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1] == file_name:
                return parts[0].strip("'")
    raise DownloadError(
        f"Debian trixie no longer offers {file_name} for {spec}; "
        f"update the pin in build/pinnace_build/versions.py"
    )


def fetch(spec: str, file_name: str, sha256: str, *, source: bool) -> Path:
    """Download ``file_name`` (from package ``spec``) into the downloads cache, verified."""
    dest = downloads_dir() / file_name
    if dest.exists() and file_digest(dest) == sha256:
        return dest
    url = _resolve_url(spec, file_name, source=source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        got = download_to(url, tmp, 60)
    except OSError as e:
        raise DownloadError(f"download of {url} failed: {e}") from e
    if got != sha256:
        tmp.unlink()
        raise DownloadError(f"{url}: sha256 {got} does not match the pinned {sha256}")
    tmp.replace(dest)
    return dest
