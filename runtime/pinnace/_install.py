"""``await pinnace.install(requirements)``: pure-Python wheels from a package index.

Resolution: each requirement is satisfied, in this order, by an installed distribution, a
package of ``pinnace-lock.json`` whose version it allows (installed through the lock, with its
sha256), or the best compatible wheel of the index (a PEP 503 HTML page or a PEP 691 JSON page
at ``<index>/<name>/``; tags ``py3*-none-any``, ``cpXY-{none,abi3,cpXY}-any`` for this
interpreter, or our platform tag ``_build.PLATFORM``; highest version allowed by the specifier,
then the platform wheel).  A wheel's ``Requires-Dist`` (markers evaluated for this interpreter and the requested
extras) is resolved the same way.  Requirements are parsed with ``packaging``, itself a lock
package installed on first use.

Every wheel is downloaded and checked (the index's sha256 when it gives one, or a
``#sha256=`` fragment of a direct URL) before anything is installed; the lock packages are
installed next, then the index wheels, each through a staging directory, and a failure part-way
removes the index wheels already extracted in this call.

Fetching goes through the loader's awaitable operations (``_packages.fetch_url`` and
``_packages.load``): where the host can fetch synchronously (Node, workers) they complete at
once; elsewhere (a browser's main thread) they await the loader's asynchronous fetch, a JS
promise, on the asyncio loop that runs on the JS event loop — so ``await pinnace.install(...)``
works in ``runPythonAsync`` and in any asyncio task.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import _packages
from ._build import PLATFORM as PLATFORM  # (re-exported: the platform tag pinnace.install accepts)
from ._packages import PackageError

DEFAULT_INDEX = "https://pypi.org/simple/"


async def _fetch(url: str, what: str) -> bytes:
    """The bytes at ``url``; PackageError naming ``what`` and the URL on failure."""
    try:
        path = await _packages.fetch_url(url)
    except _packages.FetchError as e:
        raise PackageError(f"{what}: could not fetch {url}: {e}", url=url, failure=e) from None
    return _packages.take_file(path)


def _compatible(tag: Any) -> int:
    """0 when the wheel tag cannot run here, else a preference (higher is better)."""
    major, minor = sys.version_info[:2]
    interpreters = {"py3", f"py{major}{minor}", f"cp{major}{minor}"} | {
        f"py{major}{m}" for m in range(minor)
    }
    if tag.interpreter not in interpreters:
        return 0
    if tag.abi not in ("none", "abi3", f"cp{major}{minor}"):
        return 0
    if tag.platform == "any":
        return 1
    return 2 if tag.platform == PLATFORM else 0


class _Candidate:
    def __init__(self, name: str, version: Any, url: str, filename: str, sha256: str | None,
                 rank: int) -> None:  # fmt: skip
        self.name, self.version, self.url, self.filename = name, version, url, filename
        self.sha256, self.rank = sha256, rank


def _parse_index(text: str, page: str) -> list[tuple[str, str, str | None, str | None]]:
    """(filename, absolute url, sha256 or None, requires-python or None) of an index page."""
    from urllib.parse import urldefrag, urljoin

    files: list[tuple[str, str, str | None, str | None]] = []
    if text.lstrip().startswith("{"):  # PEP 691
        for f in json.loads(text).get("files", []):
            url = urljoin(page, f["url"])
            files.append((f["filename"], urldefrag(url)[0], f.get("hashes", {}).get("sha256"),
                          f.get("requires-python")))  # fmt: skip
        return files
    from html.parser import HTMLParser

    class Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag != "a" or not a.get("href"):
                return
            url, frag = urldefrag(urljoin(page, a["href"] or ""))
            sha = frag[len("sha256=") :] if frag.startswith("sha256=") else None
            files.append((url.rsplit("/", 1)[-1], url, sha, a.get("data-requires-python")))

    parser = Anchors()
    parser.feed(text)
    return files


class _Installer:
    def __init__(self, index_urls: list[str]) -> None:
        self.index_urls = index_urls
        self.chosen: dict[str, tuple[_Candidate, bytes, Any]] = {}  # name -> (cand, data, req)
        self.lock_names: list[str] = []
        self.done: set[str] = set()

    async def add(self, req: Any, why: str) -> None:
        from packaging.utils import canonicalize_name

        name = canonicalize_name(req.name)
        if name in self.chosen:
            cand = self.chosen[name][0]
            if not req.specifier.contains(cand.version, prereleases=True):
                raise PackageError(f"package {name}: {why} needs {req}, but {cand.version} "
                                   f"was chosen for another requirement")  # fmt: skip
            return
        if name in self.done:
            return
        self.done.add(name)
        installed = self._installed_version(name)
        if installed is not None:
            if not req.specifier.contains(installed, prereleases=True):
                raise PackageError(f"package {name}: {why} needs {req}, but version "
                                   f"{installed} is installed")  # fmt: skip
            return
        lock_name = self._in_lock(name)
        if lock_name is not None:
            version = _packages.packages()[lock_name]["version"]
            if req.specifier.contains(version, prereleases=True):
                self.lock_names.append(lock_name)
                return
            # another version: from the index, as a pure-Python or our platform's wheel
        cand = await self._find(name, req, why)
        await self._take(cand, req)

    async def add_url(self, url: str) -> None:
        from urllib.parse import urldefrag

        from packaging.requirements import Requirement
        from packaging.utils import parse_wheel_filename

        bare, frag = urldefrag(url)
        filename = bare.rsplit("/", 1)[-1]
        try:
            name, version, _, tags = parse_wheel_filename(filename)
        except ValueError as e:
            raise PackageError(f"{url}: not a wheel file name ({e})") from None
        rank = max(_compatible(t) for t in tags)
        if not rank:
            raise PackageError(f"package {name}: {url} is not compatible with this interpreter "
                               f"(needs a py3-none-any or {PLATFORM} wheel)")  # fmt: skip
        sha = frag[len("sha256=") :] if frag.startswith("sha256=") else None
        self.done.add(name)
        await self._take(_Candidate(name, version, bare, filename, sha, rank),
                         Requirement(f"{name}=={version}"))  # fmt: skip

    def _installed_version(self, name: str) -> str | None:
        import importlib.metadata

        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None

    def _in_lock(self, name: str) -> str | None:
        from packaging.utils import canonicalize_name

        for n in _packages.packages():
            if canonicalize_name(n) == name:
                return n
        return None

    async def _find(self, name: str, req: Any, why: str) -> _Candidate:
        from packaging.specifiers import SpecifierSet
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename

        tried: list[str] = []
        seen_versions: set[str] = set()
        python = ".".join(map(str, sys.version_info[:3]))
        for index in self.index_urls:
            page = index.rstrip("/") + f"/{name}/"
            try:
                text = (await _fetch(page, f"package {name}")).decode()
            except PackageError as e:
                if e.failure is not None and e.failure.not_found:
                    tried.append(page)
                    continue
                raise
            best: _Candidate | None = None
            for filename, url, sha, requires_python in _parse_index(text, page):
                if not filename.endswith(".whl"):
                    continue
                try:
                    _, version, _, tags = parse_wheel_filename(filename)
                except InvalidWheelFilename:
                    continue
                seen_versions.add(str(version))
                rank = max(_compatible(t) for t in tags)
                if not rank or not req.specifier.contains(version):
                    continue
                if requires_python and not SpecifierSet(requires_python).contains(python):
                    continue
                cand = _Candidate(name, version, url, filename, sha, rank)
                if best is None or (version, rank) > (best.version, best.rank):
                    best = cand
            if best is not None:
                return best
            tried.append(page)
        if not seen_versions:
            raise PackageError(f"package {name} ({why}): not found in the lock file nor at "
                               f"{', '.join(tried)}")  # fmt: skip
        raise PackageError(
            f"package {name} ({why}): no wheel at {', '.join(tried)} satisfies {req} and runs "
            f"here (pure-Python py3-none-any or {PLATFORM}); versions there: "
            f"{', '.join(sorted(seen_versions))}"
        )

    async def _take(self, cand: _Candidate, req: Any) -> None:
        import hashlib
        import io
        import zipfile
        from email.parser import Parser

        from packaging.markers import default_environment
        from packaging.requirements import InvalidRequirement, Requirement

        data = await _fetch(cand.url, f"package {cand.name}")
        if cand.sha256 is not None:
            digest = hashlib.sha256(data).hexdigest()
            if digest != cand.sha256.lower():
                raise PackageError(
                    f"package {cand.name}: {cand.url} has sha256 {digest}, but the index says "
                    f"{cand.sha256} ({len(data)} bytes received); refusing to install it"
                )
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                meta_name = next((n for n in zf.namelist() if n.count("/") == 1
                                  and n.endswith(".dist-info/METADATA")), None)  # fmt: skip
                if meta_name is None:
                    raise PackageError(f"package {cand.name}: {cand.url} has no METADATA")
                metadata = Parser().parsestr(zf.read(meta_name).decode())
        except zipfile.BadZipFile as e:
            raise PackageError(f"package {cand.name}: {cand.url} is not a valid wheel ({e})") from e
        self.chosen[cand.name] = (cand, data, req)
        extras = set(req.extras) | {""}
        for line in metadata.get_all("Requires-Dist") or []:
            try:
                dep = Requirement(line)
            except InvalidRequirement as e:
                raise PackageError(f"package {cand.name}: bad Requires-Dist {line!r} ({e})") from e
            if dep.marker is not None and not any(
                dep.marker.evaluate({**default_environment(), "extra": x}) for x in extras  # type: ignore[dict-item]
            ):
                continue
            await self.add(dep, f"required by {cand.name} {cand.version}")

    def install_wheels(self) -> list[str]:
        done: list[str] = []
        try:
            for cand, data, _ in self.chosen.values():
                done += _packages.extract_wheel(cand.name, data, cand.url)
        except BaseException:
            _packages.remove_paths(done)
            raise
        return [f"{c.name}-{c.version}" for c, _, _ in self.chosen.values()]


async def install(requirements: str | list[str], index_urls: str | list[str] | None = None
                  ) -> list[str]:  # fmt: skip
    """Install ``requirements`` (PEP 508 strings, or direct ``.whl`` URLs) and their
    dependencies; returns ``name-version`` of what it installed.  Raises PackageError."""
    await _packages.load(["packaging"])
    from packaging.requirements import InvalidRequirement, Requirement

    reqs = [requirements] if isinstance(requirements, str) else list(requirements)
    indexes = [index_urls] if isinstance(index_urls, str) else list(index_urls or [DEFAULT_INDEX])
    inst = _Installer(indexes)
    for text in reqs:
        if "://" in text and text.split("#")[0].endswith(".whl"):
            await inst.add_url(text)
            continue
        try:
            req = Requirement(text)
        except InvalidRequirement as e:
            raise PackageError(f"bad requirement {text!r}: {e}") from None
        await inst.add(req, "requested")
    await _packages.load(inst.lock_names)
    return inst.lock_names + inst.install_wheels()
