// The import-cycle check of `make lint` (tools/check-cycles.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-expect-error: a plain .mjs tool without types
import { cycles, valueImports } from "../tools/check-cycles.mjs";

test("type-only imports do not count; value imports and re-exports do", () => {
  const text = `
import type { A } from "./a.js";
import { type B, type C } from "./b.js";
import { type D, e } from "./d.js";
import {
  f,
} from "./f.js";
export { g } from "./g.js";
export type { H } from "./h.js";
import "./side.js";
import x from "node:fs";
const later = await import("./lazy.js");`;
  assert.deepEqual(valueImports(text), ["./d.js", "./f.js", "./g.js", "./side.js"]);
});

test("cycles are found, and only cycles", () => {
  const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assert.deepEqual(cycles(graph), [["a", "b", "c", "a"]]);
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", []]])), []);
});
