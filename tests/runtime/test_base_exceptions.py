"""SystemExit, KeyboardInterrupt and GeneratorExit from every entry point reach their caller
exactly once, as a PythonError of the right type, never as an uncaught host exception, and the
interpreter stays usable (issue 17's "BaseException everywhere")."""

from __future__ import annotations

import json

import pytest

from support.hosts import Node
from support.runners import PARAMS, PageRunner, runner

KINDS = ["SystemExit(4)", "KeyboardInterrupt()", "GeneratorExit()"]

# Every entry point, for one kind: runPython, runPythonAsync, a PyProxy call (what an event
# handler or any JS callback is), a coroutine awaited from JS, a PyProxy promise callback
# (then), an asyncio task nobody awaits (reported once on stderr), and a Trio run.
BODY = r"""
const kind = %(kind)s;
const uncaught = [];
const onUncaught = (e) => uncaught.push(String(e && e.message || e).split("\n").pop());
if (typeof process !== "undefined") process.on("uncaughtException", onUncaught);
else addEventListener("error", (ev) => { onUncaught(ev.error); ev.preventDefault(); });
const err = [];
const py = await loadPinnace({ stderr: (l) => err.push(l) });
const got = {};
const catching = async (name, f) => {
  try { await f(); got[name] = "no error"; } catch (e) { got[name] = (got[name] ? got[name] + "+" : "") + e.type; }
};
await catching("runPython", () => py.runPython(`raise ${kind}`));
await catching("runPythonAsync", () => py.runPythonAsync(`import asyncio\nawait asyncio.sleep(0)\nraise ${kind}`));
const f = py.runPython(`def f():\n    raise ${kind}\nf`);
await catching("call", () => f());
const g = py.runPython(`async def g():\n    raise ${kind}\ng`);
await catching("coroutine", () => g());
await catching("then", () => new Promise((resolve, reject) => g().then(resolve, reject)));
py.runPython(`import asyncio\nasync def t():\n    raise ${kind}\nasyncio.ensure_future(t())\nNone`);
await catching("trio", () => py.runPythonAsync(`import pinnace.trio\nasync def main():\n    raise ${kind}\nawait pinnace.trio.run(main)`));
for (let i = 0; i < 100 && !err.some((l) => l.includes("never retrieved")); i++) await new Promise((r) => setTimeout(r, 10));
got.usable = py.runPython("1 + 1");
console.log(JSON.stringify({ got, uncaught, reported: err.filter((l) => l.includes("never retrieved")).length,
                             stderr: err.join("\n") }));
"""


@pytest.fixture(params=PARAMS)
def js(request: pytest.FixtureRequest, node: Node) -> Node | PageRunner:
    return runner(request, node)


@pytest.mark.parametrize("kind", KINDS)
def test_base_exceptions_reach_the_caller_once(js: Node | PageRunner, kind: str) -> None:
    out = js.run(BODY % {"kind": json.dumps(kind)})
    result = json.loads(out.strip().splitlines()[-1])
    name = kind.split("(")[0]
    assert result["got"] == {
        "runPython": name, "runPythonAsync": name, "call": name, "coroutine": name,
        "then": name, "trio": name, "usable": 2,
    }  # fmt: skip
    assert result["uncaught"] == []
    assert result["reported"] == 1, result["stderr"]  # the task nobody awaits, once
    assert f'raise {kind}' in result["stderr"] and "pinnace/" not in result["stderr"]
