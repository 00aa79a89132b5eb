// The lock file: parsing, entries, URLs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PackageError } from "../src/errors.js";
import { entryOf, entryURL, LOCK_NAME, parseLock } from "../src/packages/lock.js";

const bytes = (o: unknown) => new TextEncoder().encode(typeof o === "string" ? o : JSON.stringify(o));
const LOCK = {
  info: { python: "3.13.5" },
  packages: {
    outcome: { name: "outcome", version: "1.3.0", file_name: "outcome-1.3.0-py3-none-any.whl", sha256: "ab".repeat(32) },
  },
};

test("a lock file keeps its text for Python and its entries by name", () => {
  const lock = parseLock(bytes(LOCK), "https://x.test/pinnace-lock.json");
  assert.equal(lock.text, JSON.stringify(LOCK));
  assert.equal(entryOf(lock, "outcome").version, "1.3.0");
});

test("no lock file means no packages", () => {
  assert.deepEqual(parseLock(null, "u"), { text: "", packages: {} });
});

test("a broken lock file is a PackageError naming its URL", () => {
  const url = "https://x.test/" + LOCK_NAME;
  for (const [body, words] of [
    ["{not json", "is not valid JSON"],
    [{ info: {} }, 'has no "packages" object'],
    [{ packages: { a: { name: "a", file_name: "a.whl" } } }, "the entry of package a has no file_name or sha256"],
  ] as const) {
    assert.throws(() => parseLock(bytes(body), url), (e: unknown) => {
      assert.ok(e instanceof PackageError);
      assert.equal(e.url, url);
      assert.match(e.message, new RegExp(words.replace(/[()]/g, "\\$&")));
      return true;
    });
  }
});

test("an unknown package is a PackageError with the package's name", () => {
  const lock = parseLock(bytes(LOCK), "u");
  assert.throws(() => entryOf(lock, "nope"), { name: "PackageError", package: "nope" });
});

test("a package's URL is its file name relative to the index", () => {
  const e = entryOf(parseLock(bytes(LOCK), "u"), "outcome");
  assert.equal(entryURL(e, "https://cdn.test/dist/"), "https://cdn.test/dist/outcome-1.3.0-py3-none-any.whl");
  assert.equal(entryURL(e, "file:///srv/dist/"), "file:///srv/dist/outcome-1.3.0-py3-none-any.whl");
  assert.equal(entryURL({ ...e, file_name: "sub/x y.whl" }, "https://cdn.test/d/"), "https://cdn.test/d/sub/x%20y.whl");
});

test("fileURLs (a bundler's renamed files) overrides the index for the files it names", () => {
  const e = entryOf(parseLock(bytes(LOCK), "u"), "outcome");
  const moved = { "outcome-1.3.0-py3-none-any.whl": "/assets/outcome-1.3.0-py3-none-any-Bx9f.whl" };
  assert.equal(entryURL(e, "https://cdn.test/dist/", moved), "/assets/outcome-1.3.0-py3-none-any-Bx9f.whl");
  assert.equal(entryURL(e, "https://cdn.test/dist/", { "other.whl": "/x.whl" }),
               "https://cdn.test/dist/outcome-1.3.0-py3-none-any.whl");
});

// Structure-aware fuzzing of the lock file (issue 17): a realistic lock, mutated field by field
// with values of every wrong kind.  parseLock either refuses it with a PackageError, or every
// entry it accepts has what the runtime relies on (checked here independently).
function prng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}
const VALUES: unknown[] = [undefined, null, 0, -1, 1.5, 2 ** 60, "", "x", "../../etc/passwd", "/abs", "a/b.so",
  ".hidden.so", "ab".repeat(32), "AB".repeat(32), "g".repeat(64), [], ["x"], [1], [null], {}, { a: 1 }, true, "site", "dynlib", "stdlib"];
const FIELDS = ["name", "version", "file_name", "sha256", "size", "imports", "depends", "shared_libraries",
  "imported_by", "install_dir", "package_type"];
const REAL = {
  info: { python: "3.13.5" },
  packages: {
    numpy: { name: "numpy", version: "2.4.6", file_name: "numpy-2.4.6.whl", sha256: "ab".repeat(32), size: 10, imports: ["numpy"],
             depends: [], install_dir: "site", package_type: "package", shared_libraries: ["numpy/_core/x.so"] },
    libopenblas: { name: "libopenblas", version: "0.3.31", file_name: "libopenblas-0.3.31.zip", sha256: "cd".repeat(32),
                   size: 5, imports: [], depends: [], install_dir: "dynlib", package_type: "shared_library",
                   shared_libraries: ["libopenblas.so"] },
    scipy: { name: "scipy", version: "1.18.1", file_name: "scipy-1.18.1.whl", sha256: "ef".repeat(32), imports: ["scipy"],
             depends: ["numpy", "libopenblas"], install_dir: "site", shared_libraries: [] },
  },
};

function assertUsable(lock: ReturnType<typeof parseLock>): void {
  for (const e of Object.values(lock.packages) as unknown as Record<string, unknown>[]) {
    assert.equal(typeof e.file_name, "string");
    assert.match(e.sha256 as string, /^[0-9a-f]{64}$/);
    assert.equal(typeof e.version, "string");
    for (const k of ["imports", "depends", "shared_libraries", "imported_by"]) {
      assert.ok(e[k] === undefined || (Array.isArray(e[k]) && (e[k] as unknown[]).every((s) => typeof s === "string")), k);
    }
    for (const d of (e.depends as string[] | undefined) ?? []) assert.ok(d in lock.packages, d);
    if (e.install_dir === "dynlib") for (const f of e.shared_libraries as string[]) assert.ok(!f.includes("/") && !f.startsWith("."));
    assert.ok(e.install_dir === undefined || e.install_dir === "site" || e.install_dir === "dynlib");
  }
}

test("fuzzed lock files are refused with a PackageError or accepted whole", () => {
  const rand = prng(20261205);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const lock = structuredClone(REAL) as { packages: Record<string, Record<string, unknown>> };
    for (let m = 1 + Math.floor(rand() * 3); m > 0; m--) {
      const entry = lock.packages[pick(Object.keys(lock.packages))];
      const field = pick(FIELDS);
      const value = pick(VALUES);
      if (value === undefined) delete entry[field];
      else entry[field] = structuredClone(value);
    }
    let parsed;
    try {
      parsed = parseLock(bytes(lock), "u");
    } catch (e) {
      assert.ok(e instanceof PackageError, String(e));
      refused++;
      continue;
    }
    assertUsable(parsed);
  }
  assert.ok(refused > 1000 && refused < 3000, `refused ${refused}`); // both outcomes were exercised
});
