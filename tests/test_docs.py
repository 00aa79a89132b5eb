"""The examples in the docs run, and print what the docs say they print.

A ```js block that imports from "pinnace" and is followed by a ```text block is run under node
(with "pinnace" resolved to dist/pinnace.mjs); its output must equal the text block.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
PAIR = re.compile(r"```js\n(?P<code>.*?)```\n\n```text\n(?P<out>.*?)```", re.S)


def examples() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        for i, m in enumerate(PAIR.finditer(doc.read_text())):
            if 'from "pinnace"' in m["code"]:
                found.append((f"{doc.name}#{i + 1}", m["code"], m["out"]))
    return found


@pytest.mark.usefixtures("dist")
@pytest.mark.parametrize(("name", "code", "expected"), examples(), ids=[e[0] for e in examples()])
def test_js_example(name: str, code: str, expected: str, tmp_path: Path) -> None:
    dist_uri = (REPO / "dist" / "pinnace.mjs").as_uri()
    script = tmp_path / "example.mjs"
    script.write_text(code.replace('from "pinnace"', f'from "{dist_uri}"'))
    res = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == expected


def test_there_are_examples() -> None:
    assert len(examples()) >= 3
