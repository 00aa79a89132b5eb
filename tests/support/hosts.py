"""The hosts tests run the built interpreter on: node (ES-module snippets, `pinnace python`)
and Chromium (Playwright's launch options; Web Workers made from a source text)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from pinnace_build.serve import StaticServer

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging", "--v=0",  # to CHROME_LOG_FILE (plugin.py shows it when a page crashes)
]  # fmt: skip


class Node:
    """Runs ES-module snippets under node with `loadPinnace` imported from dist/."""

    def __init__(self, dist: Path, tmp: Path) -> None:
        self.dist = dist
        self.tmp = tmp
        self.count = 0

    def run(self, body: str, *, check: bool = True, timeout: float = 120,
            node_args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:  # fmt: skip
        self.count += 1
        script = self.tmp / f"snippet{self.count}.mjs"
        script.write_text(
            f"import {{ loadPinnace, PythonError, LoadError }} from "
            f"{(self.dist / 'pinnace.mjs').as_uri()!r};\n" + textwrap.dedent(body)
        )
        res = subprocess.run(["node", *node_args, str(script)], capture_output=True, text=True,
                             timeout=timeout, env=None if env is None else {**os.environ, **env})  # fmt: skip
        if check and res.returncode != 0:
            raise AssertionError(f"node failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        return res.stdout + res.stderr if not check else res.stdout


PINNACE = [sys.executable, "-m", "pinnace_build.cli", "python"]
ENV_PATH = str(BUILD)


def run_pinnace_python(args: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=ENV_PATH)
    return subprocess.run([*PINNACE, *args], capture_output=True, env=env, timeout=300, **kw)  # type: ignore[call-overload, no-any-return]


RUN_WORKER = """async ([source, type]) => {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url, { type });
    const messages = [];
    return await new Promise((resolve, reject) => {
        worker.onerror = (e) => reject(new Error(e.message));
        worker.onmessage = (e) => {
            messages.push(e.data);
            if ("value" in e.data || "error" in e.data) resolve(messages);
        };
    });
}"""


def run_worker(page: Any, server: StaticServer, source: str, kind: str) -> list[dict[str, Any]]:
    page.goto(server.url + "demos/")
    result: list[dict[str, Any]] = page.evaluate(RUN_WORKER, [source % {"base": server.url}, kind])
    return result
