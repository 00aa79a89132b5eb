"""``pinnace.install``'s resolver, natively: the index parsers (PEP 503 HTML, PEP 691 JSON),
wheel-tag compatibility, the choice of a wheel, ``Requires-Dist`` with markers and extras, the
lock's packages preferred, and the errors a user reads."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.tags import Tag
from pinnace import _install, _packages

from support.native_runtime import LoaderStandIn, lock_of

Runtime = Callable[[dict[str, Any]], LoaderStandIn]
INDEX = "https://index.test/simple/"
CP = f"cp{sys.version_info[0]}{sys.version_info[1]}"


def wheel(name: str, version: str, requires: list[str] = ()) -> bytes:  # type: ignore[assignment]
    buf = io.BytesIO()
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{name}/__init__.py", f"VERSION = {version!r}\n")
        zf.writestr(f"{name}-{version}.dist-info/METADATA", meta)
    return buf.getvalue()


def html_page(files: dict[str, bytes], requires_python: dict[str, str] | None = None) -> bytes:
    rp = requires_python or {}
    links = "".join(
        f'<a href="../../files/{f}#sha256={hashlib.sha256(d).hexdigest()}"'
        + (f' data-requires-python="{rp[f]}"' if f in rp else "") + f">{f}</a>\n"
        for f, d in files.items()
    )  # fmt: skip
    return f"<!doctype html><html><body>{links}</body></html>".encode()


def serve(loader: LoaderStandIn, project: str, files: dict[str, bytes],
          requires_python: dict[str, str] | None = None) -> None:  # fmt: skip
    loader.files[INDEX + project + "/"] = html_page(files, requires_python)
    for f, d in files.items():
        loader.files["https://index.test/files/" + f] = d


def start(native_runtime: Runtime, *extra: dict[str, Any]) -> LoaderStandIn:
    loader = native_runtime(lock_of({"name": "packaging", "version": "25.0"}, *extra))
    _packages.installed.add("packaging")  # the machine's own packaging stands in for it
    return loader


def install(*reqs: str) -> list[str]:
    return asyncio.run(_install.install(list(reqs), INDEX))


def test_parse_html_and_json_index_pages() -> None:
    html = b'<a href="x-1.0-py3-none-any.whl#sha256=ab" data-requires-python="&gt;=3.9">x</a>'
    assert _install._parse_index(html.decode(), INDEX + "x/") == [
        ("x-1.0-py3-none-any.whl", INDEX + "x/x-1.0-py3-none-any.whl", "ab", ">=3.9")
    ]
    page = {"files": [{"filename": "x-1.0.tar.gz", "url": "/f/x-1.0.tar.gz",
                       "hashes": {"sha256": "cd"}}]}  # fmt: skip
    assert _install._parse_index(json.dumps(page), INDEX + "x/") == [
        ("x-1.0.tar.gz", "https://index.test/f/x-1.0.tar.gz", "cd", None)
    ]


def test_compatible_tags_prefer_the_platform_wheel() -> None:
    assert _install._compatible(Tag("py3", "none", "any")) == 1
    assert _install._compatible(Tag(CP, "abi3", _install.PLATFORM)) == 2
    assert _install._compatible(Tag(CP, CP, "manylinux_2_17_x86_64")) == 0
    assert _install._compatible(Tag("py2", "none", "any")) == 0


def test_highest_allowed_version_and_its_dependencies(native_runtime: Runtime) -> None:
    loader = start(native_runtime)
    serve(loader, "app", {"app-1.0-py3-none-any.whl": wheel("app", "1.0"),
                          "app-2.0-py3-none-any.whl": wheel("app", "2.0", ["dep>=1", "win; sys_platform == 'win32'"]),
                          "app-3.0-py3-none-any.whl": wheel("app", "3.0")})  # fmt: skip
    serve(loader, "dep", {"dep-1.5-py3-none-any.whl": wheel("dep", "1.5")})
    assert install("app<3") == ["app-2.0", "dep-1.5"]


def test_requires_python_filters_candidates(native_runtime: Runtime) -> None:
    loader = start(native_runtime)
    serve(loader, "lib", {"lib-1.0-py3-none-any.whl": wheel("lib", "1.0"),
                          "lib-2.0-py3-none-any.whl": wheel("lib", "2.0")},
          {"lib-2.0-py3-none-any.whl": ">=4"})  # fmt: skip
    assert install("lib") == ["lib-1.0"]


def test_a_lock_package_is_preferred_to_the_index(native_runtime: Runtime) -> None:
    attrs = wheel("attrs", "26.1.0")
    loader = start(native_runtime, {"name": "attrs", "version": "26.1.0",
                                    "sha256": hashlib.sha256(attrs).hexdigest()})  # fmt: skip
    loader.files["attrs"] = attrs  # what the loader fetches for the lock entry
    serve(loader, "uses-attrs", {"uses_attrs-1.0-py3-none-any.whl": wheel("uses_attrs", "1.0", ["attrs"])})
    assert install("uses-attrs") == ["attrs", "uses-attrs-1.0"]
    assert ("fetch_url", INDEX + "attrs/") not in loader.calls
    assert _packages.is_installed("attrs")


def test_a_version_the_lock_lacks_comes_from_the_index(native_runtime: Runtime) -> None:
    loader = start(native_runtime, {"name": "attrs", "version": "26.1.0"})
    serve(loader, "attrs", {"attrs-25.4.0-py3-none-any.whl": wheel("attrs", "25.4.0"),
                            "attrs-26.1.0-py3-none-any.whl": wheel("attrs", "26.1.0")})  # fmt: skip
    assert install("attrs==25.4.0") == ["attrs-25.4.0"]
    assert not any(op == "fetch" for op, _ in loader.calls)  # the lock's wheel was not fetched
    assert (Path(_packages.SITE_PACKAGES) / "attrs" / "__init__.py").read_text() == (
        "VERSION = '25.4.0'\n"
    )


def test_nothing_compatible_names_the_versions_seen(native_runtime: Runtime) -> None:
    loader = start(native_runtime)
    serve(loader, "native", {f"native-1.0-{CP}-{CP}-manylinux_2_17_x86_64.whl": b""})
    with pytest.raises(_packages.PackageError,
                       match=r"package native \(requested\): no wheel at .* versions there: 1.0"):  # fmt: skip
        install("native")


def test_unknown_project_says_where_it_looked(native_runtime: Runtime) -> None:
    start(native_runtime)
    with pytest.raises(_packages.PackageError,
                       match=r"package nosuch \(requested\): not found in the lock file nor at"):  # fmt: skip
        install("nosuch")


def test_wrong_hash_from_the_index_installs_nothing(native_runtime: Runtime) -> None:
    loader = start(native_runtime)
    serve(loader, "lib", {"lib-1.0-py3-none-any.whl": wheel("lib", "1.0")})
    loader.files["https://index.test/files/lib-1.0-py3-none-any.whl"] = wheel("lib", "6.6")
    with pytest.raises(_packages.PackageError, match="the index says .* refusing to install it"):
        install("lib")
    assert not (Path(_packages.SITE_PACKAGES) / "lib").exists()


def test_bad_requirement_is_named(native_runtime: Runtime) -> None:
    start(native_runtime)
    with pytest.raises(_packages.PackageError, match="bad requirement 'a b c'"):
        install("a b c")
