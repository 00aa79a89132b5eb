"""Deep recursion raises RecursionError, and the interpreter stays usable, on every host.

wasm frames live on the JS engine's native stack; the loader sizes CPython's C recursion
budget to it (loader-js/src/recursion.ts, docs/loader.md "Recursion limits").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import Node, run_worker
from support.hosts import run_pinnace_python as run_pinnace_python
from support.runners import PARAMS, PageRunner, last_json, runner

# Far deeper than any host's budget; each construction is iterative, the use recursive.
SETUP = """
import json, pickle, sys
sys.setrecursionlimit(1_000_000)
def nest(d):
    x = []
    for _ in range(d):
        x = [x]
    return x
def g(n):
    return list(map(g, [n - 1])) if n else 0
class R:
    def __init__(self, n):
        self.n = n
    def __repr__(self):
        return repr(R(self.n - 1)) if self.n else ''
deep = nest(100_000)
"""
CASES = {
    "repr": "repr(deep)",
    "json": "json.dumps(deep)",
    "pickle": "pickle.dumps(deep)",
    "python-c-python": "g(100_000)",
    "python-repr": "repr(R(100_000))",
    "compile": "compile('+'.join(['x'] * 100_000), 's', 'eval')",
}
# What must still work everywhere: the budget is not absurdly small.
SHALLOW = "len(repr(nest(150))) + len(json.dumps(nest(150))) + len(repr(g(60))) + len(repr(R(30)))"

# JS: `run(code)` runs Python (sync or async); results in `out`, one per case, then "1 + 1".
BODY = """
const SETUP = %(setup)s, CASES = %(cases)s, SHALLOW = %(shallow)s;
const out = {};
await run(SETUP);
for (const [name, code] of Object.entries(CASES)) {
  try { await run(code); out[name] = "no error"; }
  catch (e) { out[name] = e.name === "PythonError" ? e.message.trim().split("\\n").pop() : e.name + ": " + e.message; }
  out[name + " then 1 + 1"] = await run("1 + 1");
}
out.shallow = await run(SHALLOW);
"""


def body(run: str) -> str:
    setup = {"setup": json.dumps(SETUP), "cases": json.dumps(CASES), "shallow": json.dumps(SHALLOW)}
    return run + BODY % setup


def check(out: dict[str, Any]) -> None:
    for name in CASES:
        assert out[name].startswith("RecursionError: maximum recursion depth exceeded"), (name, out[name])
        assert out[name + " then 1 + 1"] == 2, name
    namespace: dict[str, Any] = {}
    exec(SETUP, namespace)  # natively, for the expected value
    assert out["shallow"] == eval(SHALLOW, namespace)


SYNC = "const py = await loadPinnace();\nconst run = (code) => py.runPython(code);"


@pytest.fixture(params=PARAMS)
def js(request: pytest.FixtureRequest, node: Node) -> Node | PageRunner:
    return runner(request, node)


def test_deep_recursion_raises_recursion_error(js: Node | PageRunner) -> None:
    """Node's main thread and a Chromium page's main thread (runPython)."""
    check(last_json(js.run(body(SYNC) + "console.log(JSON.stringify(out));")))


@pytest.mark.chromium
def test_deep_recursion_in_runpythonasync_on_a_page(page: Any, server: StaticServer) -> None:
    """On a page with JSPI, runPythonAsync runs on V8's separate JSPI stack."""
    js = PageRunner(page, server)
    run = "const py = await loadPinnace();\nconst run = (code) => py.runPythonAsync(code);"
    out = last_json(js.run(body(run) + "console.log(JSON.stringify({ ...out, jspi: py.lazyImports }));"))
    assert out["jspi"] == "jspi"
    check(out)


@pytest.mark.chromium
def test_deep_recursion_in_a_web_worker(page: Any, server: StaticServer) -> None:
    code = body(SYNC) + "postMessage({ value: out });"
    assert "%" not in code  # run_worker fills in %(base)s
    source = 'import { loadPinnace } from "%(base)sdist/pinnace.mjs";\n' + code
    messages = run_worker(page, server, source, "module")
    check(messages[-1]["value"])


def test_node_stack_size_raises_the_budget(node: Node) -> None:
    """node --stack-size=N gives Python a proportionally larger budget."""
    code = (
        "const py = await loadPinnace();\n"
        f"py.runPython({json.dumps(SETUP)});\n"
        "try { console.log(py.runPython('len(json.dumps(nest(1000)))')); }\n"
        "catch (e) { console.log(e.message.trim().split('\\n').pop()); }"
    )
    assert node.run(code, node_args=("--stack-size=4000",)).strip().splitlines()[-1] == "2002"
    assert node.run(code).strip().splitlines()[-1].startswith("RecursionError")


@pytest.mark.usefixtures("dist")
def test_pinnace_python_keeps_the_default_budget(tmp_path: Path) -> None:
    """`pinnace python` runs with a 16 MB stack: CPython's own budget (10000) fits it."""
    script = tmp_path / "deep.py"
    script.write_text(
        SETUP + "print(len(json.dumps(nest(5000))), len(pickle.dumps(nest(4000))) > 0)\n"
        "for code in ['repr(deep)', 'json.dumps(deep)', 'g(100_000)']:\n"
        "    try:\n        eval(code)\n    except RecursionError as e:\n        print(type(e).__name__)\n"
    )
    res = run_pinnace_python([str(script)])
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().split() == ["10002", "True", "RecursionError", "RecursionError", "RecursionError"]


@pytest.mark.usefixtures("dist")
def test_deeply_nested_source_compiles_or_is_a_python_error() -> None:
    """The compiler's passes keep their frames on the C stack in linear memory (16 MB,
    build/pinnace_build/link.py): source nested 3,800 deep compiles (with 5 MB the process
    ended, "memory access out of bounds"), and deeper source is the parser's MemoryError."""
    code = (
        "for n in (3800, 50000):\n"
        "    try:\n        compile('-' * n + '1', 's', 'eval'); print('compiled')\n"
        "    except MemoryError as e:\n        print(type(e).__name__)\n"
        "print(sum(range(10)))\n"
    )
    res = run_pinnace_python(["-c", code])
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    assert res.stdout.decode().split() == ["compiled", "MemoryError", "45"]
