// FFI and asyncio micro-benchmarks in one fresh node process, driven by bench/ffi.py.
//
//   node ffi_driver.mjs '<json config>'
//
// config: { loader, exportName: "loadPinnace" | "loadPyodide", ffi: "pinnace.ffi" | "pyodide.ffi",
//           repeats: int }
// Prints one line "BENCH_RESULT <json>": for each operation, the best per-operation time in
// microseconds over `repeats` runs.
import { pathToFileURL } from "node:url";

const config = JSON.parse(process.argv[2]);
const toStderr = (line) => process.stderr.write(`${line}\n`);
const load = (await import(pathToFileURL(config.loader).href))[config.exportName];
const py = await load({ stdout: toStderr, stderr: toStderr });

globalThis.benchIdentity = (x) => x;
globalThis.benchObject = { x: 1 };
globalThis.benchArray = Array.from({ length: 10000 }, (_, i) => i);

py.runPython(`
import time, asyncio, js
from ${config.ffi} import to_js

def per_op(n, body):
    start = time.perf_counter()
    body(n)
    return (time.perf_counter() - start) / n * 1e6

def py_to_js_call(n):
    f = js.benchIdentity
    for i in range(n):
        f(i)

def py_attr(n):
    o = js.benchObject
    for _ in range(n):
        o.x

big_list = list(range(10000))

def to_js_10k(n):
    for _ in range(n):
        to_js(big_list)

def to_py_10k(n):
    a = js.benchArray
    for _ in range(n):
        a.to_py()

def identity(x):
    return x

class Obj:
    x = 1
obj = Obj()

async def sleep0(n):
    start = time.perf_counter()
    for _ in range(n):
        await asyncio.sleep(0)
    return (time.perf_counter() - start) / n * 1e6
`);

const pyPerOp = (name, n) => py.runPython(`per_op(${n}, ${name})`);

function jsPerOp(n, body) {
  const start = performance.now();
  body(n);
  return ((performance.now() - start) / n) * 1000;
}

const identity = py.globals.get("identity");
const obj = py.globals.get("obj");
const ops = {
  "Python -> JS call": () => pyPerOp("py_to_js_call", 50000),
  "JS -> Python call": () => jsPerOp(50000, (n) => { for (let i = 0; i < n; i++) identity(i); }),
  "attribute access, Python reads a JS object's": () => pyPerOp("py_attr", 50000),
  "attribute access, JS reads a Python object's": () => jsPerOp(50000, (n) => { for (let i = 0; i < n; i++) obj.x; }),
  "to_js of a 10,000-element list": () => pyPerOp("to_js_10k", 20),
  "to_py of a 10,000-element array": () => pyPerOp("to_py_10k", 20),
  "asyncio.sleep(0) round trip": async () => await py.runPythonAsync("await sleep0(2000)"),
};

const results = {};
for (const [name, op] of Object.entries(ops)) {
  await op(); // warm-up
  let best = Infinity;
  for (let r = 0; r < config.repeats; r++) best = Math.min(best, await op());
  results[name] = best;
}
console.log("BENCH_RESULT " + JSON.stringify(results));
