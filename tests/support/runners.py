"""Running the same JS test bodies under node and in Chromium (the FFI and asyncio tests).

A body is ES-module code with `loadPinnace` and `PythonError` in scope that reports through
`console.log`; `run(body)` returns what it logged, like support.hosts.Node.run.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from support.hosts import Node

PARAMS = ["node", pytest.param("chromium", marks=pytest.mark.chromium)]


class PageRunner:
    """Runs a body inside a page served from the repository (dist/ at /dist/)."""

    def __init__(self, page: Any, server: Any) -> None:
        self.page = page
        page.goto(server.url + "demos/")

    def run(self, body: str, *, timeout: float = 120) -> str:
        script = (
            "async () => {\n"
            "  const __out = [];\n"
            "  const console = { log: (...a) => __out.push(a.map(String).join(' ')) };\n"
            "  const { loadPinnace, PythonError } = await import('/dist/pinnace.mjs');\n"
            f"{textwrap.dedent(body)}\n"
            "  return __out.join('\\n');\n"
            "}"
        )
        self.page.set_default_timeout(timeout * 1000)
        out = self.page.evaluate(script)
        assert self.page.page_errors == [], self.page.page_errors
        return str(out) + "\n"


def runner(request: pytest.FixtureRequest, node: Node) -> Node | PageRunner:
    if request.param == "node":
        return node
    return PageRunner(request.getfixturevalue("page"), request.getfixturevalue("server"))


def last_json(out: str) -> Any:
    return json.loads(out.strip().splitlines()[-1])


# Python for the wasm side of a test: attempt(name, call) records in `out` (a dict the snippet
# makes) "no error" or the OSError's type, errno and text.
PY_ATTEMPT = """
def attempt(name, call):
    try:
        call()
        out[name] = "no error"
    except OSError as e:
        out[name] = f"{type(e).__name__} {e.errno} {e.strerror}"
"""
