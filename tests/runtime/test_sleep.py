"""time.sleep blocks without spinning where the thread may block (runtime/src/sleep.c,
loader-js/src/sleep.ts; docs/interrupts.md#timesleep), and an interrupt ends it.  These check
CPU time against the sleep's length with a generous bound (a correctness check: a spinning sleep
uses a whole core for its duration), never wall time."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from support.hosts import BUILD, Node

SLEEP = 3.0  # seconds; a spinning sleep would use about this much CPU


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.mark.usefixtures("dist")
def test_time_sleep_in_pinnace_python_uses_no_cpu(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(BUILD))
    command = [sys.executable, "-m", "pinnace_build.cli", "python", "-c"]
    before = child_cpu()
    subprocess.run([*command, "pass"], check=True, env=env, timeout=120)
    baseline = child_cpu() - before
    before = child_cpu()
    done = subprocess.run([*command, f"import time; t = time.monotonic(); time.sleep({SLEEP}); "
                           "print(time.monotonic() - t >= 2.99)"], check=True, env=env, timeout=120,
                          capture_output=True, text=True)  # fmt: skip
    sleeping = child_cpu() - before
    assert done.stdout == "True\n"  # it did sleep as long as asked
    assert sleeping - baseline < SLEEP / 3, (baseline, sleeping)


def test_time_sleep_in_node_uses_no_cpu(node: Node) -> None:
    out = node.run(f"""
        const py = await loadPinnace();
        const cpu = process.cpuUsage();
        const t = performance.now();
        py.runPython("import time; time.sleep({SLEEP})");
        const used = process.cpuUsage(cpu);
        console.log(JSON.stringify({{ wall: performance.now() - t, cpu: (used.user + used.system) / 1000 }}));
    """)
    import json

    result = json.loads(out.strip().splitlines()[-1])
    assert result["wall"] >= SLEEP * 1000 - 20
    assert result["cpu"] < SLEEP * 1000 / 3, result


@pytest.mark.usefixtures("dist")
def test_ctrl_c_ends_a_sleep_in_pinnace_python(tmp_path: Path) -> None:
    script = tmp_path / "sleepy.py"
    script.write_text("import time\ntry:\n    print('ready', flush=True)\n    time.sleep(600)\n"
                      "except KeyboardInterrupt:\n    print('woken')\n")  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(BUILD))
    proc = subprocess.Popen([sys.executable, "-m", "pinnace_build.cli", "python", str(script)],
                            stdout=subprocess.PIPE, env=env, text=True)  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=120)  # far less than the 600 s sleep: the interrupt woke it
    assert rest == "woken\n" and proc.returncode == 0
