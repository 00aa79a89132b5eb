"""The examples in docs/host.md run as written: its C blocks are built with the command on their
first line, then its Python blocks run in order, in one namespace, in a scratch directory."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from .host_helpers import CLANG

DOC = Path(__file__).parents[2] / "docs" / "host.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(DOC.read_text()) if lang == language]


def test_doc_has_examples() -> None:
    assert len(blocks("python")) >= 8 and len(blocks("c")) == 2


def test_doc_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wasm_dir: dict[str, Path]
) -> None:
    monkeypatch.chdir(tmp_path)
    for index, source in enumerate(blocks("c")):
        first = source.splitlines()[0]
        assert first.startswith("// build: "), f"C block {index} does not say how to build it"
        command = shlex.split(first.removeprefix("// build: "))
        name = command[command.index("-o") - 1]
        (tmp_path / name).write_text(source)
        command[0] = CLANG
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    namespace: dict[str, object] = {"__name__": "docs_host"}
    for index, source in enumerate(blocks("python")):
        code = compile(source, f"docs/host.md python block {index}", "exec")
        exec(code, namespace)
