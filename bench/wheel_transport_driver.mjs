// One import from one package set in one fresh node process, driven by bench/wheel_transport.py.
//
//   node wheel_transport_driver.mjs '<json config>'
//
// config: { loader: the set's pinnace.mjs (absolute path), indexURL: the set's folder,
//           code: what runPythonAsync runs (its imports are fetched first: the pre-scan) }
//
// The wheels are read from the folder (file reads, no cache: packageCacheDir null).  Prints one
// line "BENCH_RESULT <json>": { loadMs, importMs, value } or { error }.
import { pathToFileURL } from "node:url";

const config = JSON.parse(process.argv[2]);
const toStderr = (line) => process.stderr.write(`${line}\n`);
let result;
try {
  const { loadPinnace } = await import(pathToFileURL(config.loader).href);
  const loadStart = performance.now();
  const py = await loadPinnace({ indexURL: config.indexURL, packageCacheDir: null,
                                 stdout: toStderr, stderr: toStderr });
  const loadMs = performance.now() - loadStart;
  const start = performance.now();
  const value = String(await py.runPythonAsync(config.code));
  result = { loadMs, importMs: performance.now() - start, value };
} catch (err) {
  result = { error: String(err?.stack ?? err) };
}
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
