// Fails (exit 1) if the loader's modules import each other in a circle: `make lint` runs it.
// Only value imports count: `import type` and imports whose every name is `type X` vanish when
// TypeScript compiles, and dynamic import() is resolved at run time, after every module loaded.
//
//   node tools/check-cycles.mjs [src]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, "..", "src"));

/** Every .ts file below dir. */
function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : d.name.endsWith(".ts") && !d.name.endsWith(".d.ts") ? [p] : [];
  });
}

// import ... from "x" / export ... from "x" / import "x" (statements, possibly over several lines)
const STATEMENT = /^\s*(import|export)\s+([^;]*?)\s*from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gms;

/** The relative modules `file` imports values from. */
export function valueImports(text) {
  const found = [];
  for (const m of text.matchAll(STATEMENT)) {
    const [, , clause, from, bare] = m;
    const target = from ?? bare;
    if (!target.startsWith(".")) continue;
    if (clause !== undefined && isTypeOnly(clause)) continue;
    found.push(target);
  }
  return found;
}

function isTypeOnly(clause) {
  if (/^type\s/.test(clause)) return true; // import type {...} / export type {...}
  const braces = /^\{([^}]*)\}$/s.exec(clause.trim());
  if (!braces) return false; // a default or namespace import, or export *
  const names = braces[1].split(",").map((s) => s.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

function resolve(from, spec) {
  const base = path.resolve(path.dirname(from), spec).replace(/\.js$/, "");
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`${path.relative(root, from)}: cannot resolve ${spec}`);
}

/** The cycles of the graph (each as a list of files, first repeated last). */
export function cycles(graph) {
  const found = [];
  const state = new Map(); // file -> "active" | "done"
  const stack = [];
  const visit = (node) => {
    state.set(node, "active");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "active") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

// (run as a program, not when a test imports it: tests are bundled, so compare by name)
if (path.basename(process.argv[1] ?? "") === "check-cycles.mjs") {
  const graph = new Map();
  for (const file of sources(root)) {
    graph.set(file, valueImports(fs.readFileSync(file, "utf8")).map((spec) => resolve(file, spec)));
  }
  const found = cycles(graph);
  for (const c of found) console.error("import cycle: " + c.map((f) => path.relative(root, f)).join(" -> "));
  if (found.length) process.exit(1);
  console.log(`no import cycles among ${graph.size} modules of ${path.relative(process.cwd(), root) || "."}`);
}
