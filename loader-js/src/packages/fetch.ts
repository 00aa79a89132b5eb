// How package files are fetched on this host, chosen once: synchronously where the host can
// (Node and Electron: the file system, or a short-lived child process for http(s); Web Workers:
// synchronous XMLHttpRequest), and asynchronously everywhere (../fetch.ts).  Also the sha256
// of bytes, and the one check of downloaded bytes against the lock.
import { FetchError, PackageError, type FetchFailure } from "../errors.js";
import { fileFailure, networkFailure } from "../fetch.js";
import type { Host } from "../environment.js";
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
  if (host.kind === "node" && node) return (url) => nodeFetchSync(url, host, node, timeoutMs);
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

// A child node process that fetches one URL into a file: how Node gets a synchronous download.
// A failure is written to stderr as the JSON of a FetchFailure; nothing received for `ms`
// milliseconds (the headers, then each part of the body) is a "timeout" failure.
const NODE_FETCH_SCRIPT = `
const [url, out, ms] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const fail = (f) => { process.stderr.write(JSON.stringify(f)); process.exit(2); };
let received = 0, timer;
const progress = () => { clearTimeout(timer); if (ms > 0) timer = setTimeout(() => fail({ kind: "timeout", ms, received }), ms); };
progress();
fetch(url).then(async (r) => {
  if (!r.ok) fail({ kind: "http", status: r.status, statusText: r.statusText });
  const chunks = [], reader = r.body.getReader();
  for (;;) {
    progress();
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
  }
  clearTimeout(timer);
  require("fs").writeFileSync(out, Buffer.concat(chunks));
}).catch((e) => fail({ kind: "network", detail: String(e.cause?.message ?? e.message ?? e), received: received || undefined }));
`;

let seq = 0;

function nodeFetchSync(url: string, host: Host, n: NodeModules, timeoutMs: number): Uint8Array {
  if (url.startsWith("file:")) {
    try {
      return new Uint8Array(n.fs.readFileSync(n.url.fileURLToPath(url)));
    } catch (e) {
      throw new FetchError(url, fileFailure(e));
    }
  }
  const out = n.path.join(n.os.tmpdir(), `pinnace-fetch-${process.pid}-${++seq}`);
  try {
    // Electron's binary is node only with ELECTRON_RUN_AS_NODE (the runAsNode fuse).
    const env = host.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: "1" } : process.env;
    const res = n.child.spawnSync(process.execPath, ["-e", NODE_FETCH_SCRIPT, url, out, String(timeoutMs)], { encoding: "utf8", env });
    if (res.status !== 0) throw new FetchError(url, childFailure(res.status, res.stderr, res.error));
    return new Uint8Array(n.fs.readFileSync(out));
  } finally {
    n.fs.rmSync(out, { force: true });
  }
}

/** The FetchFailure a fetching child process reported (or why it did not run). */
function childFailure(status: number | null, stderr: string, error?: Error): FetchFailure {
  try {
    const f = JSON.parse(stderr) as FetchFailure;
    if (f && typeof f.kind === "string") return f;
  } catch {
    // not our JSON: the process itself failed (below)
  }
  if (error) return networkFailure(error);
  return { kind: "network", detail: stderr.trim() || `the fetching process ended with status ${status}` };
}
