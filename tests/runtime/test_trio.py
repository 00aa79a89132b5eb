"""Trio on the host event loop (pinnace.trio), under node and in Chromium: guest mode with the
JS-host I/O manager, JS promises inside Trio and their cancellation, tracebacks, what cannot
work; and a named subset of Trio's own test suite inside the wasm build (pinnace python)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from support.hosts import REPO, Node
from support.runners import PARAMS, PageRunner, last_json, runner
from support.wasm_suite import run_suite


@pytest.fixture(params=PARAMS)
def js(request: pytest.FixtureRequest, node: Node) -> Node | PageRunner:
    return runner(request, node)


PRIMITIVES = r"""
import trio, trio.testing, pinnace.trio

async def primitives():
    log = {}
    # nursery + sleep + Event
    done = trio.Event()
    order = []
    async def sleeper(n):
        await trio.sleep(0.01 * n)
        order.append(n)
        if n == 3:
            done.set()
    async with trio.open_nursery() as nursery:
        for n in (3, 1, 2):
            nursery.start_soon(sleeper, n)
        await done.wait()
    log["nursery"] = sorted(order)  # deadlines due together wake in random order
    # cancel scopes
    with trio.move_on_after(0.02) as scope:
        await trio.sleep(10)
    log["move_on_after"] = scope.cancelled_caught
    try:
        with trio.fail_after(0.01):
            await trio.sleep_forever()
    except trio.TooSlowError:
        log["fail_after"] = "TooSlowError"
    with trio.CancelScope() as scope:
        scope.cancel()
        await trio.sleep(1)
    log["cancel"] = scope.cancelled_caught
    # memory channels
    send, receive = trio.open_memory_channel(2)
    async def producer():
        async with send:
            for i in range(5):
                await send.send(i)
    got = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(producer)
        async with receive:
            async for item in receive:
                got.append(item)
    log["channel"] = got
    return log

async def autojump():
    start = trio.current_time()
    order = []
    async def sleeper(hours):
        await trio.sleep(hours * 3600)
        order.append(hours)
    async with trio.open_nursery() as nursery:
        for hours in (3, 1, 2):
            nursery.start_soon(sleeper, hours)
    with trio.move_on_after(86400):
        await trio.sleep_forever()
    return [trio.current_time() - start, order]

result = await pinnace.trio.run(primitives)
result["autojump"] = await pinnace.trio.run(autojump, clock=trio.testing.MockClock(autojump_threshold=0))
import json
json.dumps(result)
"""


def test_trio_primitives(js: Node | PageRunner) -> None:
    out = js.run(
        f"""
        const py = await loadPinnace();
        console.log(await py.runPythonAsync({json.dumps(PRIMITIVES)}));
        """
    )
    assert last_json(out) == {
        "nursery": [1, 2, 3],
        "move_on_after": True,
        "fail_after": "TooSlowError",
        "cancel": True,
        "channel": [0, 1, 2, 3, 4],
        "autojump": [97200.0, [1, 2, 3]],  # virtual time: 3 h + 24 h, in deadline order
    }


def test_trio_run_is_a_promise_in_js(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        await py.runPythonAsync(`
import trio, pinnace.trio
async def double(x):
    await trio.sleep(0.01)
    return x * 2
async def fails():
    async with trio.open_nursery() as n:
        n.start_soon(trio.sleep, 1)
        await trio.sleep(0)
        raise KeyError("gone")
`);
        const run = py.globals.get("pinnace").trio.run;
        const res = {};
        const promise = run(py.globals.get("double"), 21);
        res.value = await promise;
        res.thenable = typeof promise.then;
        try {
          await run(py.globals.get("fails"));
        } catch (e) {
          res.error = e.constructor.name;
          res.type = e.type;
          res.message = e.message;
        }
        console.log(JSON.stringify(res));
        """
    )
    res = last_json(out)
    assert res["value"] == 42 and res["thenable"] == "function"
    assert res["error"] == "PythonError" and res["type"] == "ExceptionGroup"
    message = res["message"]
    assert "KeyError: 'gone'" in message
    assert "line 10, in fails" in message  # the user's frame
    for machinery in ("trio/_core", "/pinnace/", "outcome/"):
        assert machinery not in message, message


def test_js_promises_in_trio_and_abort_on_cancel(js: Node | PageRunner, server: Any) -> None:
    url = server.url + "dist/pinnace-lock.json"
    out = js.run(
        r"""
        const py = await loadPinnace();
        const aborted = [];
        py.globals.set("delayed", (v, ms) => new Promise((resolve) => setTimeout(() => resolve(v), ms)));
        const gates = [];
        py.globals.set("gate", (v) => new Promise((resolve) => gates.push(() => resolve(v))));
        py.globals.set("release", () => { const n = gates.length; gates.reverse().forEach((f) => f()); return n; });
        py.globals.set("failing", () => Promise.reject(new TypeError("bad input")));
        py.globals.set("abortable", (signal) => new Promise((resolve, reject) => {
          signal.addEventListener("abort", () => { aborted.push(String(signal.reason)); reject(signal.reason); });
        }));
        const res = await py.runPythonAsync(`
import js, json, trio, trio.testing, pinnace.trio
from pinnace.ffi import JsException

async def main():
    res = {}
    res["plain"] = await delayed("value", 5)
    res["many"] = []
    async with trio.open_nursery() as n:
        for i in range(3):
            async def one(i=i):
                res["many"].append(await gate(i))
            n.start_soon(one)
        await trio.testing.wait_all_tasks_blocked()
        res["pending"] = release()  # all three wait at once; JS settles them now
    try:
        await failing()
    except JsException as e:
        res["rejected"] = [e.name, e.message]
    controller = js.AbortController.new()
    with trio.move_on_after(0.01) as scope:
        await pinnace.trio.await_js(abortable(controller.signal), on_cancel=controller.abort)
    res["cancelled"] = scope.cancelled_caught
    with trio.move_on_after(0.01):
        await delayed("late", 50)  # a plain await: cancelling stops waiting
    res["after"] = await delayed("still running", 60)
    response = await pinnace.trio.fetch("URL")
    seen = []
    body = await pinnace.trio.read_body(response, lambda got, total: seen.append((got, total)))
    res["fetch"] = [response.status, json.loads(body)["info"]["arch"], seen[-1][0] == len(body)]
    with trio.move_on_after(0) as scope:
        await pinnace.trio.fetch("URL")
    res["fetch_cancelled"] = scope.cancelled_caught
    return json.dumps(res)

await pinnace.trio.run(main)
`.replace(/URL/g, "__URL__"));
        console.log(JSON.stringify(aborted));
        console.log(res);
        """.replace("__URL__", url)
    )
    lines = out.strip().splitlines()
    aborted = json.loads(lines[-2])
    assert len(aborted) == 1 and "AbortError" in aborted[0], aborted
    res = json.loads(lines[-1])
    assert res["plain"] == "value"
    assert res["pending"] == 3 and sorted(res["many"]) == [0, 1, 2]
    assert res["rejected"] == ["TypeError", "bad input"]
    assert res["cancelled"] is True
    assert res["after"] == "still running"
    assert res["fetch"] == [200, "wasm32", True]
    assert res["fetch_cancelled"] is True


def test_asyncio_and_trio_side_by_side(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        console.log(await py.runPythonAsync(`
import asyncio, trio, pinnace.trio, json
events = []
def count(side):
    return sum(1 for e in events if e[0] == side)
async def asyncio_side():  # each side waits for the other's step: they must run together
    for i in range(3):
        events.append(("asyncio", i))
        while count("trio") <= i:
            await asyncio.sleep(0.001)
async def trio_side():
    for i in range(3):
        while count("asyncio") <= i:
            await trio.sleep(0.001)
        events.append(("trio", i))
    return "trio done"
task = asyncio.ensure_future(asyncio_side())
result = await pinnace.trio.run(trio_side)
await task
json.dumps([result, events])
`));
        """
    )
    result, events = last_json(out)
    assert result == "trio done"
    assert events == [
        ["asyncio", 0],
        ["trio", 0],
        ["asyncio", 1],
        ["trio", 1],
        ["asyncio", 2],
        ["trio", 2],
    ]


def test_what_cannot_work_fails_clearly(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        const res = {};
        try { await py.runPythonAsync("import trio\nasync def f(): pass\ntrio.run(f)"); }
        catch (e) { res.run = e.message.trim().split("\n").pop(); }
        res.others = await py.runPythonAsync(`
import trio, pinnace.trio, json
async def attempt(fn, *args):
    try:
        await fn(*args)
    except NotImplementedError as e:
        return str(e)
async def main():
    return [
        await attempt(trio.to_thread.run_sync, print),
        await attempt(trio.open_tcp_stream, "127.0.0.1", 80),
        await attempt(trio.run_process, ["ls"]),
    ]
json.dumps(await pinnace.trio.run(main))
`);
        res.second = await py.runPythonAsync(`
first = pinnace.trio.run(trio.sleep, 0.01)
try:
    pinnace.trio.run(trio.sleep, 0)
except RuntimeError as e:
    message = str(e)
await first
message`);
        res.usable = await py.runPythonAsync("async def ok():\n    return 'usable'\nawait pinnace.trio.run(ok)");
        console.log(JSON.stringify(res));
        """
    )
    res = last_json(out)
    assert res["run"].startswith("RuntimeError: trio.run() would block the JS event loop")
    assert "pinnace.trio.run(main)" in res["run"]
    threads, sockets, processes = json.loads(res["others"])
    assert "need threads" in threads
    assert "sockets are not available" in sockets
    assert "subprocesses" in processes
    assert res["second"].startswith("a Trio run is already in progress (one at a time)")
    assert res["usable"] == "usable"


def test_trio_run_blocks_in_pinnace_python(dist: Any) -> None:
    """`pinnace python` has no host loop to give back to: trio.run works there (and waits
    without spinning), while pinnace.trio.run and JS promises say why they cannot."""
    code = """
import trio, js, pinnace.trio
async def main():
    with trio.move_on_after(0.05) as scope:
        await trio.sleep(5)
    try:
        await js.Promise.resolve(1)
    except RuntimeError as e:
        print(str(e).split(" (")[0])
    return scope.cancelled_caught
print(trio.run(main))
try:
    pinnace.trio.run(main)
except RuntimeError as e:
    print(str(e).split(" (")[0])
"""
    res = subprocess.run([str(REPO / ".venv/bin/pinnace"), "python", "-c", code],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "a JS promise cannot settle while trio.run() blocks the JS event loop",
        "True",
        "pinnace.trio.run() needs the host's event loop",
    ]


def test_cancelling_the_future_cancels_the_run(node: Node) -> None:
    out = node.run(
        r"""
        const py = await loadPinnace();
        console.log(await py.runPythonAsync(`
import asyncio, trio, pinnace.trio, json
state = []
async def forever():
    try:
        await trio.sleep_forever()
    finally:
        state.append("trio cleanup ran")
async def quick():
    return "second run"
future = pinnace.trio.run(forever)
await asyncio.sleep(0.01)
future.cancel()
second = pinnace.trio.run(quick)  # starts when the cancelled run has ended
try:
    await future
except asyncio.CancelledError:
    state.append("cancelled")
state.append(await second)
json.dumps(state)
`));
        """
    )
    assert last_json(out) == ["cancelled", "trio cleanup ran", "second run"]


# Trio's own tests run inside the wasm build, and what is deselected, with the reason.
TRIO_TESTS = [
    "trio._tests.test_sync",
    "trio._tests.test_channel",
    "trio._tests.test_timeouts",
    "trio._tests.test_testing",
    "trio._core._tests.test_run",
    "trio._core._tests.test_parking_lot",
    "trio._core._tests.test_local",
    "trio._core._tests.test_unbounded_queue",
    "trio._core._tests.test_mock_clock",
    "trio._core._tests.test_cancelled",
    "trio._core._tests.test_instrumentation",
    "trio._core._tests.test_asyncgen",
    "trio._tests.test_scheduler_determinism",
    "trio._tests.test_contextvars",
    "trio._tests.test_tracing",
]
TRIO_SKIPS = {
    "thread": "no threads in this build (trio.to_thread, from_thread, start_thread_soon)",
    "socket or tcp or stream": "no sockets on the JS host",
    "subprocess or process": "no subprocesses in WebAssembly",
    "ki or keyboard or signal": "signals/KeyboardInterrupt: docs/interrupts.md, not Trio's test harness",
    "guest": "guest mode on a threaded host loop (test_guest_mode.py is not in the list either)",
    "asyncio": "stdlib asyncio's own loop needs a socketpair (the runtime's socket emulation)",
    "cancel_scope_repr or context_detection": "these tests call trio.to_thread (no threads)",
}


@pytest.mark.slow
def test_trio_test_suite_subset(dist: Any) -> None:
    run_suite(TRIO_TESTS, TRIO_SKIPS, ("-p", "trio._tests.pytest_plugin", "--run-slow"))


def test_keyboard_interrupt_reaches_the_code_awaiting_the_run(node: Node) -> None:
    """An interrupt (the interrupt buffer) while a Trio run waits reaches the runPythonAsync code
    that awaits the run, the run's tasks clean up, and the runtime stays usable."""
    out = node.run(
        r"""
        const signals = new Int32Array(new SharedArrayBuffer(4));
        let cleaned;
        const cleanup = new Promise((resolve) => { cleaned = resolve; });
        const py = await loadPinnace({
          stdout: (line) => {
            console.log(line);
            // 2: SIGINT, once Python is back to waiting (set now, the task itself would get it)
            if (line === "trio waiting") setTimeout(() => Atomics.store(signals, 0, 2), 0);
            if (line === "trio cleanup ran") cleaned();
          },
        });
        py.setInterruptBuffer(signals);
        try {
          await py.runPythonAsync(`
import trio, pinnace.trio
async def ticker():
    print("trio waiting")
    try:
        while True:
            await trio.sleep(0.02)
    finally:
        print("trio cleanup ran")
await pinnace.trio.run(ticker)
`, { filename: "user.py" });
          console.log("not interrupted");
        } catch (e) {
          console.log(e.type, e.message.includes('File "user.py"'), e.message.includes("trio/_core"));
        }
        await cleanup;  // a new run may start at once: it waits for the cancelled one to end
        console.log(await py.runPythonAsync(
          "async def again():\n    await trio.sleep(0.01)\n    return 'usable'\nawait pinnace.trio.run(again)"));
        """
    )
    lines = out.splitlines()
    assert lines[0] == "trio waiting" and lines[-1] == "usable"
    # Python notices the interrupt buffer every few dozen bytecode checks: in the loop's
    # machinery (delivered to the awaiting code, which cancels the run: cleanup comes after)
    # or in the Trio task's next step (the task fails with it: cleanup comes first)
    assert sorted(lines[1:3]) == ["KeyboardInterrupt true false", "trio cleanup ran"]


def test_keyboard_interrupt_stops_a_busy_trio_task(node: Node) -> None:
    out = node.run(
        r"""
        const signals = new Int32Array(new SharedArrayBuffer(4));
        const py = await loadPinnace({ stdout: (line) => console.log(line) });
        py.setInterruptBuffer(signals);
        py.globals.set("interrupt", () => Atomics.store(signals, 0, 2));  // 2: SIGINT
        try {
          await py.runPythonAsync(`
import trio, pinnace.trio
async def busy():
    await trio.sleep(0.01)
    n = 0
    try:
        while True:
            n += 1
            if n == 1000:
                interrupt()
    finally:
        print("busy cleanup ran", n >= 1000)
await pinnace.trio.run(busy)
`, { filename: "user.py" });
          console.log("not interrupted");
        } catch (e) {
          // CPython reads the interrupt buffer every so many bytecodes: the signal lands on one of
          // the loop's lines (7 to 10), after interrupt() has been called, never before.
          console.log(e.type);
          console.log(/File "user\.py", line (7|8|9|10), in busy/.test(e.message), e.message.includes("/pinnace/"));
        }
        console.log(await py.runPythonAsync("await pinnace.trio.run(trio.sleep, 0)"));
        """
    )
    assert out.splitlines() == [
        "busy cleanup ran True",
        "KeyboardInterrupt",
        "true false",
        "undefined",
    ]
