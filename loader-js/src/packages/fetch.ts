// How package files are fetched on this host, chosen once: synchronously where the host can
// (Node and Electron: the file system, or for http(s) a worker thread while this one waits, as
// Python's HTTP does; Web Workers: synchronous XMLHttpRequest), and asynchronously everywhere
// (../fetch.ts).  Also the sha256
// of bytes, and the one check of downloaded bytes against the lock.
import { FetchError, PackageError } from "../errors.js";
import { fileFailure, networkFailure } from "../fetch.js";
import type { Host } from "../environment.js";
import { syncRequester, type SyncRequest } from "../http.js";
import { LOCK_NAME, type LockEntry } from "./lock.js";
import type { NodeModules } from "./node.js";

/** sha256 as lowercase hex: synchronously where the host can (Node's crypto), always async. */
export interface Digest {
  sync?: (bytes: Uint8Array) => string;
  async: (bytes: Uint8Array) => Promise<string>;
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function makeDigest(node?: NodeModules): Digest {
  if (node) {
    const sync = (bytes: Uint8Array) => node.crypto.createHash("sha256").update(bytes).digest("hex");
    return { sync, async: async (bytes) => sync(bytes) };
  }
  return { async: async (bytes) => hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)) };
}

/** Refuse bytes whose sha256 is not the lock's: the one integrity check of the loader (Python
 * checks again what it installs). */
export function checkSha256(entry: LockEntry, url: string, bytes: Uint8Array, digest: string): void {
  if (digest === entry.sha256) return;
  throw new PackageError(
    `package ${entry.name}: ${url} has sha256 ${digest}, but ${LOCK_NAME} says ${entry.sha256} ` +
      `(${bytes.length} bytes received); refusing to install it`,
    entry.name,
    url,
  );
}

/** Fetch the bytes at a URL synchronously; throws FetchError. */
export type SyncFetch = (url: string) => Uint8Array;

/** The synchronous fetch of this host, or undefined where it has none (a browser's main
 * thread). */
export function syncFetcher(host: Host, node: NodeModules | undefined, timeoutMs: number): SyncFetch | undefined {
  if (host.kind === "node" && node) {
    const request = syncRequester(host, node.threads)!;
    return (url) => nodeFetchSync(url, node, request, timeoutMs);
  }
  if (host.kind === "worker" && typeof XMLHttpRequest !== "undefined") return xhrFetchSync;
  return undefined;
}

function xhrFetchSync(url: string): Uint8Array {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", url, false);
  xhr.responseType = "arraybuffer";
  try {
    xhr.send();
  } catch (e) {
    throw new FetchError(url, networkFailure(e));
  }
  if (xhr.status !== 200) throw new FetchError(url, { kind: "http", status: xhr.status, statusText: xhr.statusText });
  return new Uint8Array(xhr.response as ArrayBuffer);
}

/** Node: a file: URL read from disk; http(s) through Python's HTTP path, a worker thread that
 * fetches while this thread waits (../http.ts), with the same stall timeout as asynchronous
 * downloads. */
function nodeFetchSync(url: string, n: NodeModules, request: SyncRequest, timeoutMs: number): Uint8Array {
  if (url.startsWith("file:")) {
    try {
      return new Uint8Array(n.fs.readFileSync(n.url.fileURLToPath(url)));
    } catch (e) {
      throw new FetchError(url, fileFailure(e));
    }
  }
  const answer = request({ url, method: "GET", headers: [], body: null, timeoutMs, redirect: "follow", options: {} });
  if (answer.status !== 200) {
    throw new FetchError(url, { kind: "http", status: answer.status, statusText: answer.statusText });
  }
  return answer.body;
}
