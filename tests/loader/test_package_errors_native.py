"""pinnace._loader on ordinary CPython (no dist/): how a JS error of the loader becomes a
Python error, field by field.  The JS error is a stand-in with the attributes a JsProxy of it
would have (a missing JS property is an AttributeError, as through the FFI)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "runtime" / "pinnace" / "_loader.py"


@pytest.fixture(scope="module")
def packages() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pinnace_loader_native", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # imports json and typing only at module level
    return module


def js_exception(name: str, message: str, **fields: Any) -> SimpleNamespace:
    """What pinnace.ffi.JsException gives: name, message and the JS error (js_error)."""
    return SimpleNamespace(name=name, message=message, js_error=SimpleNamespace(**fields))


def test_a_package_error_keeps_package_url_and_failure(packages: ModuleType) -> None:
    url = "https://x.test/inner-1.0-py3-none-any.whl"
    message = f"package inner: could not fetch {url}: HTTP 404 Not Found"
    failure = SimpleNamespace(kind="http", status=404, statusText="Not Found")
    e = packages._from_js(
        js_exception("PackageError", message, package="inner", url=url, failure=failure)
    )
    assert isinstance(e, packages.PackageError) and isinstance(e, ImportError)
    assert (str(e), e.package, e.url) == (message, "inner", url)
    assert isinstance(e.failure, OSError)
    assert (e.failure.kind, e.failure.status, e.failure.url, e.failure.not_found) == (
        "http",
        404,
        url,
        True,
    )


def test_a_package_error_without_a_fetch_failure(packages: ModuleType) -> None:
    e = packages._from_js(js_exception("PackageError", "package liar: … refusing to install it",
                                       package="liar", url="u"))  # fmt: skip
    assert (e.package, e.url, e.failure) == ("liar", "u", None)


@pytest.mark.parametrize(
    ("failure", "not_found"),
    [
        (SimpleNamespace(kind="missing"), True),
        (SimpleNamespace(kind="http", status=503, statusText="Unavailable"), False),
        (SimpleNamespace(kind="network", detail="ECONNRESET"), False),
    ],
)
def test_a_fetch_error_is_an_oserror_whose_text_is_the_reason(
    packages: ModuleType, failure: SimpleNamespace, not_found: bool
) -> None:
    e = packages._from_js(js_exception("FetchError", "could not fetch u: why", url="u",
                                       reason="why", failure=failure))  # fmt: skip
    assert isinstance(e, packages.FetchError) and isinstance(e, OSError)
    assert (str(e), e.reason, e.url, e.kind, e.not_found) == (
        "why",
        "why",
        "u",
        failure.kind,
        not_found,
    )


def test_other_js_errors_stay_what_they_are(packages: ModuleType) -> None:
    exc = js_exception("TypeError", "x is not a function")
    assert packages._from_js(exc) is exc


def test_every_operation_has_known_ways(packages: ModuleType) -> None:
    assert packages.OPS and all(
        ways and set(ways) <= {"sync", "promise", "suspend"} for ways in packages.OPS.values()
    )
