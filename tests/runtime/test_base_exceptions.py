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
    assert f"raise {kind}" in result["stderr"] and "pinnace/" not in result["stderr"]


EXIT_BODY = r"""
const py = await loadPinnace();
const codes = {};
for (const code of ["sys.exit()", "sys.exit(None)", "sys.exit(3)", "sys.exit(True)", "sys.exit('bad input')",
                    "raise SystemExit(-2)", "raise KeyboardInterrupt", "1/0"]) {
  try { py.runPython(`import sys\n${code}`); codes[code] = "no error"; }
  catch (e) { codes[code] = [e.type, e.exitCode === undefined ? "undefined" : e.exitCode]; }
}
try { await py.runPythonAsync("import sys, asyncio\nawait asyncio.sleep(0)\nsys.exit(7)"); }
catch (e) { codes.async = [e.type, e.exitCode]; }
const f = py.runPython("import sys\nclass Quit(SystemExit):\n    pass\ndef f(n):\n    raise Quit(n)\nf");
try { f(9); } catch (e) { codes.subclass = [e.type, e.exitCode]; }
console.log(JSON.stringify(codes));
"""


def test_system_exit_carries_its_exit_status(node: Node) -> None:
    codes = json.loads(node.run(EXIT_BODY).strip().splitlines()[-1])
    assert codes == {
        "sys.exit()": ["SystemExit", 0], "sys.exit(None)": ["SystemExit", 0],
        "sys.exit(3)": ["SystemExit", 3], "sys.exit(True)": ["SystemExit", 1],
        "sys.exit('bad input')": ["SystemExit", 1], "raise SystemExit(-2)": ["SystemExit", -2],
        "raise KeyboardInterrupt": ["KeyboardInterrupt", "undefined"],
        "1/0": ["ZeroDivisionError", "undefined"],
        "async": ["SystemExit", 7], "subclass": ["Quit", 9],
    }  # fmt: skip
