// `npm test`: the loader's unit tests (test/*.test.ts, node:test) of its pure parts.  They are
// bundled with esbuild (as the loader is, with the same version defines) into a temporary
// directory, then run by `node --test`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildDefine } from "../buildinfo.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const tests = fs.readdirSync(here).filter((f) => f.endsWith(".test.ts")).map((f) => path.join(here, f));
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "pinnace-loader-tests-"));
try {
  await build({
    entryPoints: tests, outdir, bundle: true, format: "esm", platform: "node", target: "node18",
    outExtension: { ".js": ".mjs" }, external: ["node:*"], define: buildDefine(), logLevel: "warning",
    logOverride: { "empty-import-meta": "silent" },
  });
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith(".mjs")).map((f) => path.join(outdir, f));
  const { status } = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
  process.exitCode = status ?? 1;
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
