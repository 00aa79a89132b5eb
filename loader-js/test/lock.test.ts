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
