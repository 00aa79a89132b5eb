"""KeyboardInterrupt: the host interrupts running Python through the interrupt buffer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Node

BUILD = str(Path(__file__).resolve().parents[1] / "build")
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


@pytest.mark.usefixtures("dist")
def test_ctrl_c_in_pinnace_python(tmp_path: Path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    env = dict(os.environ, PYTHONPATH=BUILD)
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
