// One measurement in one fresh node process, driven by bench/core_node.py.
//
//   node core_driver.mjs '<json config>'     (or '@<file holding the json config>')
//
// config: { loader: absolute path of the distribution's ES-module loader,
//           exportName: "loadPinnace" | "loadPyodide",
//           mode: "startup" | "workload",
//           secondLoad: bool            (startup: load again in the same process),
//           setup: str, names: [str], reps: int   (workload) }
//
// Prints exactly one line "BENCH_RESULT <json>" on stdout; everything the distributions print
// goes to stderr. Times are performance.now() differences in milliseconds.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

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

const result = config.mode === "startup" ? await startup() : await workload();
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
