"""KeyboardInterrupt: the host interrupts running Python through the interrupt buffer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import BUILD, REPO, Node

LOOP = """
import sys
print("ready", flush=True)
try:
    n = 0
    while True:
        n += 1
except KeyboardInterrupt:
    print("interrupted; cleanup runs", flush=True)
print("still usable:", sum(range(10)), flush=True)
"""


def test_interrupt_buffer_from_another_thread(node: Node) -> None:
    """A worker_threads worker runs Python; the main thread writes SIGINT into the buffer."""
    loader = (node.dist / "pinnace.mjs").as_uri()
    out = node.run(
        """
        import { Worker } from "node:worker_threads";
        const signals = new Int32Array(new SharedArrayBuffer(4));
        const source = `
          const { workerData, parentPort } = await import("node:worker_threads");
          const { loadPinnace } = await import("__LOADER__");
          const py = await loadPinnace({ stdout: (l) => parentPort.postMessage(l) });
          py.setInterruptBuffer(workerData);
          parentPort.postMessage("running");
          try {
            py.runPython("n = 0\\\\nwhile True:\\\\n    n += 1");
          } catch (e) {
            parentPort.postMessage(e.type);
          }
          parentPort.postMessage(String(py.runPython("n > 0 and sum(range(5))")));
        `;
        const worker = new Worker(source, { eval: true, workerData: signals });
        worker.on("message", (m) => {
          console.log(m);
          if (m === "running") setTimeout(() => Atomics.store(signals, 0, 2), 200);
        });
        await new Promise((resolve) => worker.on("exit", resolve));
        console.log("buffer reset:", Atomics.load(signals, 0) === 0);
        """.replace("__LOADER__", loader)
    )
    assert out.split("\n")[:4] == ["running", "KeyboardInterrupt", "10", "buffer reset: true"]


def test_interrupt_while_awaiting_reaches_the_awaiting_code(node: Node) -> None:
    """Code that awaits runs no bytecode: the interrupt lands in the loop's machinery (here the
    callback that settles the awaited JS promise) and is delivered to the newest runPythonAsync
    still running, where it awaited; older ones carry on."""
    out = node.run(
        r"""
        const signals = new Int32Array(new SharedArrayBuffer(4));
        let waiting = 0, settleLater;
        const py = await loadPinnace({
          stdout: (line) => {
            console.log(line);
            if (line === "waiting" && ++waiting === 2) {
              setTimeout(() => {  // when Python has returned to JS: both code blocks await
                Atomics.store(signals, 0, 2);  // 2: SIGINT
                setTimeout(settleLater, 100);
              }, 0);
            }
          },
        });
        py.setInterruptBuffer(signals);
        py.runPython("import asyncio");
        py.globals.set("later", new Promise((resolve) => { settleLater = resolve; }));
        const background = py.runPythonAsync(
          "print('waiting')\nawait asyncio.sleep(1.0)\n'background done'");
        try {
          await py.runPythonAsync(
            "print('waiting')\ntry:\n    await later\nfinally:\n    print('cleanup ran')",
            { filename: "user.py" });
          console.log("not interrupted");
        } catch (e) {
          console.log(e.type);
          console.log(e.message.includes('File "user.py", line 3'), e.message.includes("_run.py"));
        }
        console.log(await background);
        console.log(await py.runPythonAsync("await asyncio.sleep(0.01)\n6 * 7"));
        """
    )
    assert out.split("\n")[:7] == [
        "waiting",
        "waiting",
        "cleanup ran",
        "KeyboardInterrupt",
        "true false",
        "background done",
        "42",
    ], out


@pytest.mark.usefixtures("dist")
def test_ctrl_c_in_pinnace_python(tmp_path: Path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    env = dict(os.environ, PYTHONPATH=str(BUILD))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pinnace_build.cli", "python", str(script)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C does; `pinnace python` is node by now (exec)
    rest, _ = proc.communicate(timeout=60)
    assert rest == "interrupted; cleanup runs\nstill usable: 45\n"
    assert proc.returncode == 0


WORKER = """
import { loadPinnace } from "%(base)sdist/pinnace.mjs";
const py = await loadPinnace();
onmessage = (e) => {
  py.setInterruptBuffer(e.data);
  postMessage("running");
  try {
    py.runPython("n = 0\\nwhile True:\\n    n += 1");
    postMessage("not interrupted");
  } catch (err) {
    postMessage(err.type + " " + py.runPython("str(n > 0)"));
  }
};
postMessage("ready");
"""

INTERRUPT_FROM_PAGE = """async (source) => {
    const signals = new Int32Array(new SharedArrayBuffer(4));
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    return await new Promise((resolve, reject) => {
        worker.onerror = (e) => reject(new Error(e.message));
        worker.onmessage = (e) => {
            if (e.data === "ready") worker.postMessage(signals);
            else if (e.data === "running") setTimeout(() => Atomics.store(signals, 0, 2), 300);
            else resolve({ result: e.data, isolated: crossOriginIsolated });
        };
    });
}"""


@pytest.mark.chromium
def test_page_interrupts_python_in_a_worker(browser: Any, dist: Path) -> None:
    """The Stop-button path: a cross-origin isolated page writes SIGINT into a
    SharedArrayBuffer that Python, busy in a Web Worker, polls."""
    srv = StaticServer(REPO, isolation=True).start()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(srv.url + "demos/")
        got = page.evaluate(INTERRUPT_FROM_PAGE, WORKER % {"base": srv.url})
        context.close()
    finally:
        srv.stop()
    assert got == {"result": "KeyboardInterrupt True", "isolated": True}
