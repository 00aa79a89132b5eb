// The error classes: one base, names, fields, and the one place failure texts are made.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  describeFailure, DestroyedProxyError, FetchError, InternalError, isNotFound, LoadError, PackageError,
  PinnaceError, PythonError, StartError, SuspendedError,
} from "../src/errors.js";
import { fileFailure, networkFailure } from "../src/fetch.js";

test("every error of the loader is a PinnaceError named after its class", () => {
  const errors = {
    PythonError: new PythonError("KeyError", "Traceback ..."), FetchError: new FetchError("u", { kind: "missing" }),
    LoadError: new LoadError("u", "why", "i/"), StartError: new StartError("no"), PackageError: new PackageError("p"),
    SuspendedError: new SuspendedError("package numpy"), DestroyedProxyError: new DestroyedProxyError("gone"),
    InternalError: new InternalError("bug"), PinnaceError: new PinnaceError("any"),
  };
  for (const [name, e] of Object.entries(errors)) {
    assert.ok(e instanceof PinnaceError && e instanceof Error);
    assert.equal(e.name, name);
    assert.ok(String(e).startsWith(name + ": "));
  }
});

test("failures read the same wherever they happen", () => {
  assert.equal(describeFailure({ kind: "http", status: 404, statusText: "Not Found" }), "HTTP 404 Not Found");
  assert.equal(describeFailure({ kind: "http", status: 503, statusText: "" }), "HTTP 503");
  assert.equal(describeFailure(networkFailure(new TypeError("fetch failed", { cause: new Error("ECONNREFUSED") }))),
               "network error (ECONNREFUSED)");
  assert.equal(describeFailure(networkFailure(new Error("reset"), 10)), "network error after 10 bytes (reset)");
  assert.equal(describeFailure(fileFailure(Object.assign(new Error("x"), { code: "ENOENT" }))), "file not found");
  assert.equal(describeFailure(fileFailure(Object.assign(new Error("EACCES: denied"), { code: "EACCES" }))), "EACCES: denied");
  assert.ok(isNotFound({ kind: "missing" }) && isNotFound({ kind: "http", status: 404, statusText: "" }));
  assert.ok(!isNotFound({ kind: "http", status: 500, statusText: "" }) && !isNotFound(undefined));
});

test("fetch failures become load and package errors with their fields", () => {
  const fetchError = new FetchError("https://x.test/a.whl", { kind: "http", status: 404, statusText: "Not Found" });
  assert.equal(fetchError.reason, "HTTP 404 Not Found");
  const pkg = PackageError.fromFetch("a", fetchError);
  assert.equal(pkg.message, "package a: could not fetch https://x.test/a.whl: HTTP 404 Not Found");
  assert.deepEqual([pkg.package, pkg.url, pkg.failure], ["a", fetchError.url, fetchError.failure]);
  const load = LoadError.fromFetch(fetchError, "https://x.test/");
  assert.equal(load.message, "Pinnace could not load https://x.test/a.whl: HTTP 404 Not Found " +
                             "(indexURL is https://x.test/; is it the directory holding pinnace.asm.wasm?)");
  assert.deepEqual([load.url, load.failure, load.cause], [fetchError.url, fetchError.failure, fetchError]);
});
