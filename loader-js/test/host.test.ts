// URL handling and where the loader runs: indexURL normalisation, Electron's local-files rule,
// environments from a context's markers, and the versions the loader was built with.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { checkLocal, resolveIndexURL } from "../src/files.js";
import { detectEnvironment, detectHost, isInsideAsar } from "../src/environment.js";
import { BUILD, SITE_PACKAGES, STDLIB_ZIP, VERSION } from "../src/version.js";

test("indexURL: a path in Node becomes a file: URL, every URL ends in /", async () => {
  assert.equal(await resolveIndexURL("dist"), pathToFileURL(path.resolve("dist")).href + "/");
  assert.equal(await resolveIndexURL("https://cdn.test/p"), "https://cdn.test/p/");
  assert.equal(await resolveIndexURL("https://cdn.test/p/"), "https://cdn.test/p/");
});

test("Electron fetches over the network only when told to", () => {
  const renderer = { kind: "browser", environment: "electron-renderer", electron: "33.0.0", nodeAPIs: false } as const;
  assert.throws(() => checkLocal(renderer, "https://x.test/dist/", false, "indexURL"),
                { name: "LoadError", url: "https://x.test/dist/", message: /indexURL would be fetched over the network/ });
  checkLocal(renderer, "https://x.test/dist/", true, "indexURL"); // explicit: allowed
  checkLocal(renderer, "file:///app/dist/", false, "indexURL");
  checkLocal({ kind: "browser", environment: "browser", nodeAPIs: false }, "https://x.test/", false, "indexURL");
});

test("environments from their markers", () => {
  assert.equal(detectEnvironment(globalThis), "node");
  assert.equal(detectEnvironment({ window: {}, navigator: { userAgent: "Chrome/130" } }), "browser");
  assert.equal(detectEnvironment({ importScripts() {}, navigator: { userAgent: "x" } }), "worker");
  assert.equal(detectEnvironment({ window: {}, navigator: { userAgent: "Chrome/130 Electron/33.2.0 x" } }),
               "electron-renderer");
  const main = detectHost({ process: { versions: { node: "20", electron: "33.2.0" }, type: "browser" } });
  assert.deepEqual(main, { kind: "node", environment: "electron-main", electron: "33.2.0", nodeAPIs: true });
  assert.ok(isInsideAsar("/a/app.asar/b") && !isInsideAsar("/a/app.asar.unpacked/b"));
});

test("the versions come from the build (build/pinnace_build/versions.py)", () => {
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
  assert.equal(BUILD.python.split(".").slice(0, 2).join("."), BUILD.python_major_minor);
  assert.equal(STDLIB_ZIP, `python${BUILD.python_major_minor.replace(".", "")}.zip`);
  assert.equal(SITE_PACKAGES, `/lib/python${BUILD.python_major_minor}/site-packages`);
  assert.match(BUILD.platform, /^pyemscripten_\d+_\d+_wasm32$/);
});
