// The package cache: keys, and the Node directory (real files in a temporary directory).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cacheFileName, DirectoryCache, lockCopyName } from "../src/packages/cache.js";
import { chooseCacheDir } from "../src/packages/cache-location.js";
import { makeDigest } from "../src/packages/fetch.js";
import { loadNodeModules } from "../src/packages/node.js";
import type { LockEntry } from "../src/packages/lock.js";

const DATA = new TextEncoder().encode("a wheel");

async function setUp() {
  const node = await loadNodeModules();
  const digest = makeDigest(node);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinnace-cache-test-"));
  const entry: LockEntry = { name: "a", version: "1", file_name: "a-1-py3-none-any.whl", sha256: digest.sync!(DATA) };
  return { node, digest, dir, entry, cache: new DirectoryCache(path.join(dir, "c"), node, digest) };
}

test("cache keys: the lock digest and file name; the lock copy by the index URL's digest", () => {
  const entry = { name: "a", version: "1", file_name: "a.whl", sha256: "f".repeat(64) };
  assert.equal(cacheFileName(entry), `${"f".repeat(64)}-a.whl`);
  assert.equal(lockCopyName("0a"), "lock-0a.json");
});

test("a directory cache keeps intact files only, and drops a damaged one", async () => {
  const { dir, entry, cache } = await setUp();
  assert.equal(cache.getSync(entry), undefined);
  cache.putSync({ ...entry, sha256: "0".repeat(64) }, DATA); // not the lock's bytes: not kept
  assert.equal(fs.existsSync(cache.dir), false);
  await cache.put(entry, "u", DATA);
  assert.deepEqual(await cache.get(entry), DATA);
  assert.equal(cache.hits, 1);
  const file = path.join(cache.dir, cacheFileName(entry));
  fs.writeFileSync(file, "damaged");
  assert.equal(cache.getSync(entry), undefined);
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(fs.readdirSync(cache.dir), []); // no partial files left
  fs.rmSync(dir, { recursive: true });
});

test("the copy of an index's lock file", async () => {
  const { dir, cache, digest } = await setUp();
  const index = "https://cdn.test/dist/";
  assert.equal(cache.readLockCopy(index), undefined);
  cache.keepLockCopy(index, DATA);
  assert.equal(path.basename(cache.lockCopyPath(index)),
               lockCopyName(digest.sync!(new TextEncoder().encode(index))));
  assert.deepEqual(cache.readLockCopy(index), DATA);
  fs.rmSync(dir, { recursive: true });
});

test("where the cache lives: given, none, Node's default, never inside an ASAR archive", async () => {
  const node = await loadNodeModules();
  const nodeHost = { kind: "node", environment: "node", nodeAPIs: true } as const;
  const http = "https://cdn.test/dist/";
  assert.equal(await chooseCacheDir("rel/dir", http, nodeHost, node), path.resolve("rel/dir"));
  assert.equal(await chooseCacheDir(null, http, nodeHost, node), undefined);
  assert.equal(await chooseCacheDir(undefined, "file:///srv/dist/", nodeHost, node), undefined);
  assert.equal(await chooseCacheDir(undefined, http, nodeHost, node), path.join(os.homedir(), ".cache", "pinnace-packages"));
  const utility = { kind: "node", environment: "electron-utility", electron: "33.0.0", nodeAPIs: true } as const;
  assert.equal(await chooseCacheDir(undefined, http, utility, node), undefined);
  await assert.rejects(chooseCacheDir("/app/resources/app.asar/cache", http, nodeHost, node),
                       { name: "PackageError", message: /inside an ASAR archive, which is read-only/ });
});
