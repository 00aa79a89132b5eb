"""Soak (issue 17): in one node process, 100,000 runPython calls, 10,000 PyProxy calls that
call back into JS, 1,000 lazy-import attempts of a missing module and 1,000 asyncio tasks.
Nothing may grow without bound: the wasm heap, Python's live objects, the FFI's table of
JS handles and the JS heap are measured after a warm-up and again at the end, and each may
grow by a generous, fixed amount at most.  A bound on growth, not a timing."""

from __future__ import annotations

import json

from support.hosts import Node

SOAK = r"""
const py = await loadPinnace({ stderr: () => {} });
py.runPython(`
import asyncio, _pinnace_ffi
def call_back(cb, i):
    return cb(i) + 1
async def tick(i):
    await asyncio.sleep(0)
    return i
def objects():
    import gc
    gc.collect()
    return len(gc.get_objects())  # container objects alive (this build has no pymalloc counters)
`);
const callBack = py.globals.get("call_back");
// A PythonError keeps its Python exception until JS collects the error: a full GC, then the
// finalizers (they run on later turns of the event loop), then the counts.
const stats = async () => {
  for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
  return { wasm: py._module.HEAPU8.length, objects: py.runPython("objects()"),
           handles: py.runPython("_pinnace_ffi.handle_count()"), js: process.memoryUsage().heapUsed };
};
const round = async (scale) => {
  for (let i = 0; i < 100000 * scale; i++) if (py.runPython("1 + 1") !== 2) throw new Error("runPython");
  for (let i = 0; i < 10000 * scale; i++) if (callBack((x) => x * 2, i) !== 2 * i + 1) throw new Error("call");
  for (let i = 0; i < 1000 * scale; i++) {
    try { py.runPython("import no_such_module_anywhere"); throw new Error("imported"); }
    catch (e) { if (e.type !== "ModuleNotFoundError") throw e; }
  }
  const n = await py.runPythonAsync(`sum(await asyncio.gather(*(tick(i) for i in range(${1000 * scale}))))`);
  if (n !== (1000 * scale) * (1000 * scale - 1) / 2) throw new Error("tasks " + n);
};
await round(0.1);  // warm-up: caches, interned names, the first growth of the heap
const before = await stats();
await round(1);
const after = await stats();
callBack.destroy();
console.log(JSON.stringify({ before, after }));
"""


def test_long_runs_do_not_grow(node: Node) -> None:
    out = node.run(SOAK, node_args=("--expose-gc",), timeout=900)
    got = json.loads(out.strip().splitlines()[-1])
    before, after = got["before"], got["after"]
    assert after["wasm"] - before["wasm"] <= 8 << 20, got  # the wasm heap: at most 8 MiB more
    assert after["objects"] - before["objects"] <= 2000, got  # Python objects alive
    assert after["handles"] - before["handles"] <= 10, got  # JS values Python holds
    assert after["js"] - before["js"] <= 16 << 20, got  # the JS heap after a full GC
