"""asyncio on the host event loop (pinnace.loop) and promise interop, under node and Chromium
(setImmediate and MessageChannel scheduling)."""

from __future__ import annotations

import json

import pytest

from support.hosts import Node
from support.runners import PARAMS, PageRunner, runner


@pytest.fixture(params=PARAMS)
def js(request: pytest.FixtureRequest, node: Node) -> Node | PageRunner:
    return runner(request, node)


def test_asyncio_basics_on_the_host_loop(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        const res = {};
        res.sleep = await py.runPythonAsync("import asyncio\nawait asyncio.sleep(0.01)\n'slept'");
        res.gather = await py.runPythonAsync(`
async def work(i):
    await asyncio.sleep(0)
    return i * i
sum(await asyncio.gather(*(work(i) for i in range(10))))`);
        res.taskgroup = await py.runPythonAsync(`
async with asyncio.TaskGroup() as tg:
    t1 = tg.create_task(asyncio.sleep(0.01, 'a'))
    t2 = tg.create_task(asyncio.sleep(0, 'b'))
t1.result() + t2.result()`);
        try {
          await py.runPythonAsync("async with asyncio.timeout(0.01):\n    await asyncio.sleep(10)");
        } catch (e) { res.timeout = e.type; }
        res.cancel = await py.runPythonAsync(`
t = asyncio.ensure_future(asyncio.sleep(10))
await asyncio.sleep(0)
t.cancel()
try:
    await t
except asyncio.CancelledError:
    r = 'cancelled'
r`);
        res.threadsafe = await py.runPythonAsync(`
loop = asyncio.get_running_loop()
f = loop.create_future()
loop.call_soon_threadsafe(f.set_result, 'ts')
await f`);
        res.later = await py.runPythonAsync(`
order = []
late = loop.call_later(0.02, order.append, 'late')
early = loop.call_later(0.01, order.append, 'early')
h = loop.call_later(0.005, order.append, 'cancelled')
h.cancel()
loop.call_soon(order.append, 'soon')
await asyncio.sleep(0.05)
# by deadline: on a loaded machine the second call_later may come 10 ms after the first
order == ['soon'] + [n for _, n in sorted([(late.when(), 'late'), (early.when(), 'early')])]`);
        res.running = py.runPython("asyncio.get_running_loop() is asyncio.get_event_loop()");
        console.log(JSON.stringify(res));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got == {
        "sleep": "slept", "gather": 285, "taskgroup": "ab", "timeout": "TimeoutError",
        "cancel": "cancelled", "threadsafe": "ts", "later": True,
        "running": True,
    }  # fmt: skip


def test_promises_and_coroutines_cross(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        const res = {};
        // A Python coroutine returned to JS is a thenable (scheduled on the loop).
        res.coro = await py.runPython("async def co(x):\n    return x + 1\nco(6)");
        const co = py.globals.get("co");
        res.awaitCall = await co(41);
        res.promiseThen = await new Promise((r) => co(1).then(r));
        // A JS promise is awaitable in Python.
        py.globals.set("later", (v) => new Promise((r) => setTimeout(() => r(v), 5)));
        res.jsPromise = await py.runPythonAsync("await later('from js')");
        res.jsObj = await py.runPythonAsync("import js\n(await later(js.Object.new())).constructor.name");
        // A JS rejection raises JsException in Python; back in JS it is the same error object.
        const err = new SyntaxError("rejected");
        py.globals.set("failing", () => Promise.reject(err));
        try { await py.runPythonAsync("await failing()"); } catch (e) { res.sameRejection = e === err; }
        res.caught = await py.runPythonAsync(`
from pinnace.ffi import JsException
try:
    await failing()
except JsException as e:
    r = e.name
r`);
        // A Python exception rejects the promise with a PythonError (user frames only).
        try {
          await py.runPythonAsync("async def boom():\n    raise KeyError('k')\nawait boom()", { filename: "a.py" });
        } catch (e) {
          res.pyErr = [e.type, e.message];
        }
        // Python -> JS -> Python through a promise keeps the exception object.
        res.roundTrip = await py.runPythonAsync(`
import js
class Boom(Exception): pass
async def raiser():
    raise Boom()
try:
    await js.Promise.resolve(raiser())
except Boom as e:
    r = type(e).__name__
r`);
        // Async iteration from JS.
        const agen = py.runPython("async def agen():\n    for i in range(3):\n        yield i\nagen()");
        res.agen = [];
        for await (const x of agen) res.agen.push(x);
        // Awaiting in sync runPython code is not possible; ensure_future works.
        py.runPython("import asyncio\nfut = asyncio.ensure_future(asyncio.sleep(0.001, 'bg'))");
        res.bg = await py.globals.get("fut");
        console.log(JSON.stringify(res));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["coro"] == 7 and got["awaitCall"] == 42 and got["promiseThen"] == 2
    assert got["jsPromise"] == "from js" and got["jsObj"] == "Object"
    assert got["sameRejection"] is True and got["caught"] == "SyntaxError"
    assert got["pyErr"] == [
        "KeyError",
        'Traceback (most recent call last):\n  File "a.py", line 3, in <module>\n    await boom()\n'
        "  File \"a.py\", line 2, in boom\n    raise KeyError('k')\nKeyError: 'k'\n",
    ]
    assert got["roundTrip"] == "Boom"
    assert got["agen"] == [0, 1, 2] and got["bg"] == "bg"


def test_what_needs_threads_fails_clearly(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        const last = (code) => {
          try { py.runPython(code); return "no error"; }
          catch (e) { return e.message.trim().split("\n").pop(); }
        };
        console.log(JSON.stringify([
          last("import asyncio\nasyncio.get_event_loop().run_until_complete(asyncio.sleep(0))"),
          last("asyncio.get_event_loop().run_forever()"),
          last("asyncio.run(asyncio.sleep(0))"),
          last("asyncio.get_event_loop().run_in_executor(None, print)"),
          py.runPython("1 + 1"),
        ]));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got[0].startswith(
        "RuntimeError: loop.run_until_complete() would block the JS event loop"
    )
    assert got[1].startswith("RuntimeError: loop.run_forever() would block the JS event loop")
    assert got[2] == "RuntimeError: asyncio.run() cannot be called from a running event loop"
    assert got[3].startswith("NotImplementedError: run_in_executor() needs threads")
    assert got[4] == 2


def test_unawaited_task_exception_is_reported(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const err = [];
        const py = await loadPinnace({ stderr: (l) => err.push(l) });
        py.runPython("import asyncio\nasync def boom():\n    raise ValueError('nobody awaits me')\nasyncio.ensure_future(boom())\nNone");
        for (let i = 0; i < 200 && !err.length; i++) await new Promise((r) => setTimeout(r, 10));
        console.log(JSON.stringify(err));
        """
    )
    err = "\n".join(json.loads(out.strip().splitlines()[-1]))
    assert "Task exception was never retrieved" in err
    assert "Traceback (most recent call last):" in err
    assert "raise ValueError('nobody awaits me')" in err and "ValueError: nobody awaits me" in err


def test_sys_exit_in_run_python_async_rejects_once(node: Node) -> None:
    """SystemExit (like KeyboardInterrupt, re-raised by asyncio's Task after it ends the task)
    rejects runPythonAsync's promise and nothing else: no uncaught exception in the host."""
    out = node.run(
        r"""
        const uncaught = [];
        process.on("uncaughtException", (e) => uncaught.push(String(e)));
        const py = await loadPinnace();
        const got = [];
        for (const code of ["import sys\nsys.exit(3)",
                            "import asyncio\nawait asyncio.sleep(0)\nraise SystemExit('bye')"]) {
          try { await py.runPythonAsync(code); got.push("resolved"); }
          catch (e) { got.push(e.type); }
        }
        await new Promise((r) => setTimeout(r, 50));
        got.push(py.runPython("1 + 1"));
        console.log(JSON.stringify({ got, uncaught }));
        """
    )
    assert json.loads(out.strip().splitlines()[-1]) == {
        "got": ["SystemExit", "SystemExit", 2], "uncaught": []
    }


def test_1000_concurrent_tasks_with_timeouts_do_not_block_the_host(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        let ticks = 0;
        const timer = setInterval(() => ticks++, 1);  // the JS event loop keeps running
        const started = performance.now();
        const result = await py.runPythonAsync(`
import asyncio, random
random.seed(4)
async def worker(i):
    try:
        async with asyncio.timeout(0.05):
            await asyncio.sleep(random.choice([0, 0.001, 0.01, 0.2]))
            return 'done'
    except TimeoutError:
        return 'timeout'
results = await asyncio.gather(*(worker(i) for i in range(1000)))
[results.count('done'), results.count('timeout'), len(asyncio.all_tasks())]`);
        clearInterval(timer);
        const host = typeof document === "undefined" ? "node" : "page";
        console.log(JSON.stringify({ result: result.toJs(), ticks, ms: performance.now() - started, host }));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    done, timeouts, pending = got["result"]
    assert done + timeouts == 1000 and done > 0 and timeouts > 0
    assert pending == 1  # only the runPythonAsync task itself
    # JS timers kept firing while Python waited: no busy-waiting (a busy-waiting loop would never
    # let the interval run before the program ends).  How often it fired depends on the machine's
    # load, so only "it fired" is checked: a test never passes or fails on wall time.
    assert got["ticks"] >= 1, got
