// The C recursion budget for this host (runtime/src/pyexports.c: pinnace_set_recursion_budget):
// how many nested C calls Python may make (repr of a nested list, json.dumps, pickle.dumps,
// Python -> C -> Python calls, the compiler's passes) before it raises RecursionError.
//
// wasm frames live on the JS engine's native stack.  If deep recursion overflows that stack the
// engine throws a RangeError through Python's C frames and the interpreter is left unusable, so
// the budget must run out first.  CPython's default (10000 units) is sized for an 8 MB C stack.
//
// The numbers are about half of what overflowed, measured (docs/loader.md has the table) with
// the costliest recursion per unit: a Python function called from C that recurses the same way
// (`def g(n): return list(map(g, [n - 1]))`, 2 units and one interpreter frame per level):
// - Chromium, a page's main thread (also inside JSPI calls, runPythonAsync): overflow at
//   ~1000 levels, ~2000 units.  A Web Worker's stack is smaller: ~600 levels, ~1200 units.
// - node 20 on its main thread (V8's default stack, 984 KB): ~360 levels, ~720 units, about
//   0.73 units per KB of stack; node's --stack-size=N (KB) scales it.
// - Whatever the native stack, the compiler's passes keep their frames on the C stack in
//   linear memory (STACK_SIZE: 16 MB since a 3800-deep expression overflowed 5 MB): MAX_BUDGET.
import type { Host } from "./environment.js";

const BROWSER_BUDGET = 1000;
const WORKER_BUDGET = 600;
const NODE_UNITS_PER_KB = 0.37;
const NODE_DEFAULT_STACK_KB = 984;
const MAX_BUDGET = 3000;

/** node's native stack size in KB: --stack-size=N, else V8's default. */
function nodeStackKB(): number {
  const argv: unknown = (globalThis as any).process?.execArgv;
  for (const arg of Array.isArray(argv) ? argv : []) {
    const m = /^--stack[-_]size=(\d+)$/.exec(String(arg));
    if (m) return Number(m[1]);
  }
  return NODE_DEFAULT_STACK_KB;
}

export function recursionBudget(host: Host): number {
  if (host.kind === "browser") return BROWSER_BUDGET;
  if (host.kind === "worker") return WORKER_BUDGET;
  return Math.min(MAX_BUDGET, Math.floor(nodeStackKB() * NODE_UNITS_PER_KB));
}
