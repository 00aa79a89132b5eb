// One `import numpy` measurement in one fresh node process, driven by bench/packages.py.
//
//   node packages_driver.mjs '<json config>'
//
// config: { loader: absolute path of the distribution's ES-module loader,
//           exportName: "loadPinnace" | "loadPyodide",
//           packageCacheDir: a fresh directory, or null (Pinnace: no cache),
//           timeoutMs: how long the package load may take before it counts as failed }
//
// Pinnace: runPython("import numpy") with nothing declared first (the lazy importer fetches it).
// Pyodide: await loadPackage("numpy"), then runPython("import numpy").
// Prints exactly one line "BENCH_RESULT <json>" on stdout: { loadMs, importMs, version } or
// { loadMs, error } when numpy could not be loaded. Times are performance.now() differences (ms).
import { pathToFileURL } from "node:url";

const config = JSON.parse(process.argv[2]);
const toStderr = (line) => process.stderr.write(`${line}\n`);
const messages = [];
const remember = (line) => {
  messages.push(String(line));
  toStderr(line);
};

const { [config.exportName]: load } = await import(pathToFileURL(config.loader).href);
const options = { stdout: toStderr, stderr: toStderr, packageCacheDir: config.packageCacheDir };

const loadStart = performance.now();
const py = await load(options);
if (py.runPython("1+1") !== 2) throw new Error("runPython(\"1+1\") is not 2");
const loadMs = performance.now() - loadStart;

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let result;
const start = performance.now();
try {
  if (config.exportName === "loadPyodide") {
    await withTimeout(
      py.loadPackage("numpy", { messageCallback: remember, errorCallback: remember }),
      config.timeoutMs,
    );
  }
  py.runPython("import numpy");
  const importMs = performance.now() - start;
  const version = py.runPython("import numpy; numpy.__version__ + ' ' + str(numpy.arange(4).sum())");
  result = { loadMs, importMs, version };
} catch (err) {
  const lines = String(err?.message ?? err).trim().split("\n");
  const error = lines.findLast((line) => /Error\b/.test(line)) ?? lines[lines.length - 1];
  result = { loadMs, error: error.trim(), messages: messages.slice(-3) };
}
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
