// The operations between Python and the loader: one table on each side, naming the same
// operations the same ways (loader-js/src/packages/ops.ts and runtime/pinnace/_loader.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { declaredOps, opsOf, PACKAGE_OPS, Way } from "../src/packages/ops.js";
import { PackageManager } from "../src/packages/manager.js";
import { detectHost } from "../src/environment.js";
import type { Bridge } from "../src/ffi/bridge.js";
import type { EmModule } from "../src/module.js";

const REPO = path.resolve(process.cwd(), "..");

/** runtime/pinnace/_loader.py's OPS, read with Python's ast (the module itself needs wasm). */
function pythonOps(): Record<string, string[]> {
  const read = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
for node in tree.body:
    if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "OPS":
        print(json.dumps(ast.literal_eval(node.value)))
`;
  const file = path.join(REPO, "runtime", "pinnace", "_loader.py");
  return JSON.parse(execFileSync(process.env.PYTHON ?? "python3", ["-c", read, file], { encoding: "utf8" }));
}

test("Python's OPS and the loader's PACKAGE_OPS name the same operations the same ways", () => {
  const js = Object.fromEntries(Object.entries(PACKAGE_OPS).map(([op, ways]) => [op, [...ways]]));
  assert.deepEqual(pythonOps(), js);
});

test("the manager's table has exactly the operations PACKAGE_OPS gives each way", async () => {
  // a manager without a running Python: the table is plain JS (its operations are not called)
  const mod = { FS: { mkdirTree() {} } } as unknown as EmModule;
  const manager = await PackageManager.create({
    mod, bridge: {} as Bridge, indexURL: "file:///nowhere/", fileURLs: {}, host: detectHost(),
    lockBytes: Promise.resolve(null), packageCacheDir: null, downloadTimeout: 1000,
  });
  const table = manager.ops();
  for (const way of [Way.Sync, Way.Promise, Way.Suspend]) assert.deepEqual(opsOf(table, way), declaredOps(way));
  assert.equal(table.sync.lock(), "");
  assert.equal(table.sync.mode(), "sync");
  assert.equal(manager.cacheDir, undefined);
});
