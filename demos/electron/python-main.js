// Python in Electron's main process: one interpreter, started on first use, that evaluates
// code sent by the renderer (main.js wires it to an IPC handler).  Plain Node modules only,
// so the tests can run this file under Node with Electron's environment markers.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

/** Where Pinnace's dist/ is: a copy inside the app (what you package, also inside app.asar),
 * else the repository's dist/ two levels up. */
function distDir() {
  const own = path.join(__dirname, "dist");
  return fs.existsSync(path.join(own, "pinnace.mjs")) ? own : path.join(__dirname, "..", "..", "dist");
}

let starting;
let output = [];

/** The interpreter (loaded once).  No packageCacheDir: packages come from dist/ in place;
 * with an http(s) packageIndexURL they would be cached in app.getPath("userData"). */
function python() {
  starting ??= import(pathToFileURL(path.join(distDir(), "pinnace.mjs")).href).then(({ loadPinnace }) =>
    loadPinnace({
      indexURL: distDir(),
      stdout: (line) => output.push(line),
      stderr: (line) => output.push(line),
    }),
  );
  return starting;
}

/** Run `code` (top-level await allowed; imports of dist/'s packages load on the way).
 * Resolves to { environment, result, output, error } — plain data, fit for IPC. */
async function evaluate(code) {
  const py = await python();
  output = [];
  try {
    const value = await py.runPythonAsync(String(code), { filename: "<main process>" });
    const result = value === undefined ? "" : String(value);
    if (value && typeof value.destroy === "function") value.destroy();
    return { environment: py.environment, result, output, error: null };
  } catch (e) {
    return { environment: py.environment, result: "", output, error: String(e && e.message ? e.message : e) };
  }
}

module.exports = { evaluate, python, distDir };
