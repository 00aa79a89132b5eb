// Fetching and checking package files: digests, the integrity check, the synchronous and
// asynchronous fetches of this host (Node) against real files and a real HTTP server.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { FetchError, PackageError } from "../src/errors.js";
import { fetchBytes } from "../src/fetch.js";
import { detectHost } from "../src/environment.js";
import { checkSha256, makeDigest, syncFetcher } from "../src/packages/fetch.js";
import { loadNodeModules } from "../src/packages/node.js";

const DATA = new TextEncoder().encode("pinnace");
const SHA = "0f5a0e4a0b7ad3e17d7f6e8c2b6c2a9a0c8e0e4bd2c9b1f0f7d5c4b0a2a0e7b1"; // not DATA's

test("Node's and Web Crypto's sha256 agree", async () => {
  const node = makeDigest(await loadNodeModules());
  const web = makeDigest();
  assert.equal(web.sync, undefined);
  assert.equal(node.sync!(DATA), "bea77703104490949b1e48b64a6eab58fa2b6a6d7bfa4391f3133c152021013c"); // sha256sum of "pinnace"
  assert.equal(await web.async(DATA), "bea77703104490949b1e48b64a6eab58fa2b6a6d7bfa4391f3133c152021013c");
  assert.equal(await node.async(DATA), "bea77703104490949b1e48b64a6eab58fa2b6a6d7bfa4391f3133c152021013c");
});

test("bytes that are not the lock's are refused with the package, URL and sizes", async () => {
  const digest = makeDigest().async;
  const entry = { name: "inner", version: "1", file_name: "inner.whl", sha256: SHA };
  const actual = await digest(DATA);
  assert.throws(() => checkSha256(entry, "https://x.test/inner.whl", DATA, actual), (e: unknown) => {
    assert.ok(e instanceof PackageError);
    assert.equal(e.message, `package inner: https://x.test/inner.whl has sha256 ${actual}, but pinnace-lock.json ` +
                            `says ${SHA} (7 bytes received); refusing to install it`);
    assert.deepEqual([e.package, e.url], ["inner", "https://x.test/inner.whl"]);
    return true;
  });
  checkSha256({ ...entry, sha256: actual }, "u", DATA, actual); // the right bytes pass
});

function tmpFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinnace-fetch-test-"));
  fs.writeFileSync(path.join(dir, "a.whl"), DATA);
  return dir;
}

test("Node fetches file: URLs synchronously and asynchronously; a missing file is 'missing'", async () => {
  const dir = tmpFile();
  const host = detectHost();
  const fetchNow = syncFetcher(host, await loadNodeModules(), 1000)!;
  const url = pathToFileURL(path.join(dir, "a.whl")).href;
  assert.deepEqual(fetchNow(url), DATA);
  const seen: number[] = [];
  assert.deepEqual(await fetchBytes(url, (n) => seen.push(n), host), DATA);
  assert.deepEqual(seen, [DATA.length]);
  const missing = url.replace("a.whl", "b.whl");
  assert.throws(() => fetchNow(missing), (e: unknown) => e instanceof FetchError && e.failure.kind === "missing");
  await assert.rejects(fetchBytes(missing, undefined, host), { name: "FetchError", reason: "file not found" });
  fs.rmSync(dir, { recursive: true });
});

test("a browser's main thread has no synchronous fetch", () => {
  assert.equal(syncFetcher({ kind: "browser", environment: "browser", nodeAPIs: false }, undefined, 1000), undefined);
});

test("http(s): both ways give the bytes, or a FetchError with the HTTP status as data", async () => {
  const server = http.createServer((req, res) => {
    if (req.url === "/a.whl") res.end(Buffer.from(DATA));
    else {
      res.statusCode = 404;
      res.statusMessage = "File not found";
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  try {
    const fetchNow = syncFetcher(detectHost(), await loadNodeModules(), 1000)!;
    assert.deepEqual(await fetchBytes(base + "a.whl"), DATA);
    // the synchronous way is a child process: the server must answer while this thread waits,
    // so it runs in a second process here
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, ["-e", `require("http").createServer((q, r) => r.end("x")).listen(0, "127.0.0.1", function () { console.log(this.address().port) })`]);
    const port = await new Promise<string>((resolve) => child.stdout.once("data", (d) => resolve(String(d).trim())));
    try {
      assert.equal(new TextDecoder().decode(fetchNow(`http://127.0.0.1:${port}/x`)), "x");
    } finally {
      child.kill();
    }
    await assert.rejects(fetchBytes(base + "b.whl"), (e: unknown) => {
      assert.ok(e instanceof FetchError);
      assert.deepEqual(e.failure, { kind: "http", status: 404, statusText: "File not found" });
      return true;
    });
    assert.throws(() => fetchNow("http://127.0.0.1:1/nothing"), (e: unknown) =>
      e instanceof FetchError && e.failure.kind === "network" && e.reason.startsWith("network error ("));
  } finally {
    server.close();
  }
});

test("a server that stalls: both ways fail with a 'timeout' FetchError, before or during the body", async () => {
  // in a second process: the synchronous way blocks this thread while it waits
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["-e", `require("http").createServer((q, r) => {
      if (q.url === "/body") { r.writeHead(200, { "Content-Length": "100" }); r.write("0123456789"); }
    }).listen(0, "127.0.0.1", function () { console.log(this.address().port) })`]);
  const port = await new Promise<string>((resolve) => child.stdout.once("data", (d) => resolve(String(d).trim())));
  try {
    const fetchNow = syncFetcher(detectHost(), await loadNodeModules(), 300)!;
    for (const [path, received] of [["headers", 0], ["body", 10]] as const) {
      const url = `http://127.0.0.1:${port}/${path}`;
      const timedOut = (e: unknown) =>
        e instanceof FetchError && e.failure.kind === "timeout" && e.failure.received === received && e.failure.ms === 300;
      assert.throws(() => fetchNow(url), timedOut);
      await assert.rejects(fetchBytes(url, undefined, undefined, 300), timedOut);
    }
    const e = new FetchError("http://x/", { kind: "timeout", ms: 30000, received: 10 });
    assert.equal(e.reason, "timed out: nothing received for 30 s after 10 bytes");
  } finally {
    child.kill();
  }
});
