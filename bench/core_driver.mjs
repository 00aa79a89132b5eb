// One measurement in one fresh node process, driven by bench/core_node.py.
//
//   node core_driver.mjs '<json config>'     (or '@<file holding the json config>')
//
// config: { loader: absolute path of the distribution's ES-module loader,
//           exportName: "loadPinnace" | "loadPyodide",
//           mode: "startup" | "workload" | "memory",
//           secondLoad: bool            (startup: load again in the same process),
//           setup: str, names: [str], reps: int   (workload),
//           numpy: bool                 (memory: also import numpy and use it) }
//
// memory: the process's peak RSS (process.resourceUsage().maxRSS) and the size of the wasm
// linear memory (the Emscripten module's HEAPU8, `_module` on both loaders' Python object) at
// three points: before the loader is imported, after runPython("1+1"), after `import numpy`.
// Pyodide gets `await loadPackage("numpy")` first; the caller asks for numpy only when the
// distribution's own files hold the wheels (nothing is fetched from elsewhere).
//
// Prints exactly one line "BENCH_RESULT <json>" on stdout; everything the distributions print
// goes to stderr. Times are performance.now() differences in milliseconds.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const baselineKiB = process.resourceUsage().maxRSS; // node alone, before the loader is imported
const given = process.argv[2];
const config = JSON.parse(given.startsWith("@") ? readFileSync(given.slice(1), "utf8") : given);
const toStderr = (line) => process.stderr.write(`${line}\n`);
const options = { stdout: toStderr, stderr: toStderr };

const importStart = performance.now();
const loaderModule = await import(pathToFileURL(config.loader).href);
const importMs = performance.now() - importStart;
const load = loaderModule[config.exportName];
if (typeof load !== "function") {
  throw new Error(`${config.loader} exports no function ${config.exportName}`);
}

// From calling the loader to the first runPython result.
async function timedStart() {
  const start = performance.now();
  const py = await load(options);
  const value = py.runPython("1+1");
  const ms = performance.now() - start;
  if (value !== 2) throw new Error(`runPython("1+1") returned ${value}`);
  return { py, ms };
}

const INFO = "import os, sys; sys.version.split()[0] + ' ' + os.uname().release";

async function startup() {
  const first = await timedStart();
  const result = { importMs, firstMs: first.ms, info: first.py.runPython(INFO) };
  if (config.secondLoad) result.secondMs = (await timedStart()).ms;
  return result;
}

async function workload() {
  const { py } = await timedStart();
  py.runPython(config.setup);
  const timings = Object.fromEntries(config.names.map((name) => [name, []]));
  const values = {};
  for (let rep = -1; rep < config.reps; rep++) { // rep -1 is the untimed warm-up round
    for (const name of config.names) {
      const start = performance.now();
      const value = py.runPython(`${name}()`);
      const ms = performance.now() - start;
      if (rep >= 0) timings[name].push(ms);
      values[name] = value;
    }
  }
  return { timings, values, info: py.runPython(INFO) };
}

// Peak RSS in bytes (maxRSS is in KiB) and the wasm linear memory's size in bytes, right now.
function memoryNow(py) {
  return { peakRss: process.resourceUsage().maxRSS * 1024, wasm: py._module.HEAPU8.length };
}

const NUMPY_USE = "import numpy; str(numpy.arange(10).sum())";

async function memory() {
  const { py } = await timedStart();
  const result = { baseline: { peakRss: baselineKiB * 1024 }, afterStart: memoryNow(py) };
  if (config.numpy) {
    if (config.exportName === "loadPyodide") await py.loadPackage("numpy");
    const value = py.runPython(NUMPY_USE);
    if (value !== "45") throw new Error(`numpy.arange(10).sum() gave ${value}`);
    result.afterNumpy = memoryNow(py);
  }
  result.info = py.runPython(INFO);
  return result;
}

const modes = { startup, workload, memory };
const result = await modes[config.mode]();
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
