// Bundles the loader into dist/: pinnace.mjs (ES module), pinnace.js (classic script that
// defines the global loadPinnace) and pinnace-python.mjs (the `pinnace python` entry for node).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { buildDefine } from "./buildinfo.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.env.PINNACE_DIST ?? path.join(here, "..", "dist");
const common = {
  bundle: true,
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
  // node: modules are loaded lazily and only in Node/Electron; browsers never reach them.
  external: ["node:*"],
  logOverride: { "empty-import-meta": "silent" },
  define: buildDefine(),
};
await build({ ...common, entryPoints: [path.join(here, "src/index.ts")], format: "esm",
              platform: "neutral", outfile: path.join(outdir, "pinnace.mjs") });
await build({ ...common, entryPoints: [path.join(here, "src/global.ts")], format: "iife",
              platform: "browser", outfile: path.join(outdir, "pinnace.js") });
await build({ ...common, entryPoints: [path.join(here, "src/node-cli.ts")], format: "esm",
              platform: "node", outfile: path.join(outdir, "pinnace-python.mjs"),
              banner: { js: "#!/usr/bin/env node" } }); // the npm package's `pinnace-python` command
