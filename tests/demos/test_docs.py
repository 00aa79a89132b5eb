"""The examples in the docs run, and print what the docs say they print.

A ```js block that imports from "pinnace" and is followed by a ```text block is run under node
(with "pinnace" resolved to dist/pinnace.mjs); its output must equal the text block.  In docs/,
a ```python block followed by a ```text block runs in the wasm interpreter (`pinnace python`),
with the same check.  In both, the address ``http://localhost:8000`` (the HTTP examples' API)
is that of support/api_server.py, the tests' HTTP API.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.hosts import REPO

DOCS_API = "http://localhost:8000"

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# a code block never contains ``` itself: (?:(?!```).)* keeps a match inside one block
BLOCK = r"(?:(?!```).)*?"
PAIR = re.compile(rf"```js\n(?P<code>{BLOCK})```\n\n```text\n(?P<out>{BLOCK})```", re.S)


def examples() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        for i, m in enumerate(PAIR.finditer(doc.read_text())):
            if 'from "pinnace"' in m["code"]:
                found.append((f"{doc.name}#{i + 1}", m["code"], m["out"]))
    return found


@pytest.mark.usefixtures("dist")
@pytest.mark.parametrize(("name", "code", "expected"), examples(), ids=[e[0] for e in examples()])
def test_js_example(name: str, code: str, expected: str, tmp_path: Path, api: str) -> None:
    dist_uri = (REPO / "dist" / "pinnace.mjs").as_uri()
    script = tmp_path / "example.mjs"
    script.write_text(code.replace('from "pinnace"', f'from "{dist_uri}"').replace(DOCS_API, api))
    res = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected.replace(DOCS_API, api)


PY_PAIR = re.compile(rf"```python\n(?P<code>{BLOCK})```\n\n```text\n(?P<out>{BLOCK})```", re.S)


def python_examples() -> list[tuple[str, str, str]]:
    found = []
    for doc in sorted((REPO / "docs").glob("*.md")):
        for i, m in enumerate(PY_PAIR.finditer(doc.read_text())):
            found.append((f"{doc.name}#py{i + 1}", m["code"], m["out"]))
    return found


@pytest.mark.usefixtures("dist")
@pytest.mark.parametrize(
    ("name", "code", "expected"), python_examples(), ids=[e[0] for e in python_examples()]
)
def test_python_example(name: str, code: str, expected: str, api: str) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "pinnace_build.cli", "python", "-c", code.replace(DOCS_API, api)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected.replace(DOCS_API, api)


def test_there_are_examples() -> None:
    assert len(examples()) >= 3
    assert len(shell_sessions()) >= 2
    assert len(python_examples()) >= 3


SHELL = re.compile(rf"```sh\n(?P<body>\$ {BLOCK})```", re.S)


def shell_sessions() -> list[tuple[str, str, str]]:
    """``$ command`` lines and the output that follows them, from ```sh blocks."""
    found = []
    for doc in DOCS:
        for m in SHELL.finditer(doc.read_text()):
            for i, part in enumerate(m["body"].split("$ ")[1:]):
                command, _, output = part.partition("\n")
                found.append((f"{doc.name}:{command[:40]}#{i}", command, output))
    return found


@pytest.mark.usefixtures("dist")
@pytest.mark.parametrize(
    ("name", "command", "expected"), shell_sessions(), ids=[s[0] for s in shell_sessions()]
)
def test_shell_example(name: str, command: str, expected: str) -> None:
    res = subprocess.run(
        ["bash", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected


def test_readme_python_examples() -> None:
    """The README's ```python blocks (server-side pinnace_host) run natively."""
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    assert blocks
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md python block {i}", "exec"), {})
