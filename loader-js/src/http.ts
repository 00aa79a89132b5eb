// HTTP requests for Python (runtime/pinnace/http.py; urllib, http.client and requests go through
// it): the host's fetch, asynchronously everywhere, and synchronously where the host can block:
// Node and Electron's main process (a worker thread fetches while this thread waits on an
// Atomics word), Web Workers (synchronous XMLHttpRequest).  A browser page's main thread cannot
// block: there Python suspends (JSPI) or awaits.  Every failure without an answer is a
// FetchError whose failure says why: "refused", "timeout", "cors" (a browser refused to hand
// the answer to this page) or "network".  An answer of any status is an answer, not an error.
import { FetchError, type FetchFailure } from "./errors.js";
import { corsFailure, networkFailure } from "./fetch.js";
import type { Host } from "./environment.js";

export interface HttpRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body: Uint8Array | null;
  /** ms the request may wait for the answer's headers, then for each part of its body (0: no
   * limit); a synchronous XMLHttpRequest can only limit the whole request */
  timeoutMs: number;
  /** "manual": a redirect is itself the answer (where the host gives it: Node), for clients
   * that follow redirects themselves (http.client) */
  redirect: "follow" | "manual";
  /** other fields of fetch's init, as Python gave them (credentials, mode, cache, ...) */
  options: Record<string, unknown>;
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  /** the URL of the answer (after redirects) */
  url: string;
  redirected: boolean;
  headers: [string, string][];
  body: Uint8Array;
}

/** What fetch() threw, reduced to what classifies it. */
interface Thrown {
  message: string;
  code?: string;
  cause?: string;
  stalled: boolean;
}

/** What one request came to: an answer, or what was thrown after `received` bytes. */
type Outcome = { answer: HttpAnswer } | { thrown: Thrown; received: number };

/** One request with fetch(), the answer read whole.  Self-contained (it refers to nothing but
 * the host's globals): the worker thread of Node's synchronous requests runs its source. */
async function fetchOutcome(req: HttpRequest): Promise<Outcome> {
  const controller = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let received = 0;
  const progress = () => {
    if (req.timeoutMs <= 0) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, req.timeoutMs);
  };
  try {
    progress();
    const init: RequestInit = { ...req.options, method: req.method, headers: req.headers,
                                redirect: req.redirect, signal: controller.signal }; // fmt: skip
    if (req.body !== null) init.body = req.body as Uint8Array<ArrayBuffer>;
    const resp = await fetch(req.url, init);
    const chunks: Uint8Array[] = [];
    const reader = resp.body?.getReader();
    for (;;) {
      if (!reader) break;
      progress();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
    }
    const body = new Uint8Array(received);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    const headers: [string, string][] = [];
    resp.headers.forEach((value, name) => headers.push([name, value]));
    const answer = { status: resp.status, statusText: resp.statusText, url: resp.url || req.url,
                     redirected: resp.redirected, headers, body }; // fmt: skip
    return { answer };
  } catch (e) {
    const err = e as { message?: string; cause?: { code?: string; message?: string } } | undefined;
    const thrown = { message: String(err?.message ?? e), code: err?.cause?.code, cause: err?.cause?.message, stalled };
    return { thrown, received };
  } finally {
    clearTimeout(timer);
  }
}

/** The failure of a request that got no answer. */
function failureOf(t: Thrown, req: HttpRequest, received: number): FetchFailure {
  if (t.stalled) return { kind: "timeout", ms: req.timeoutMs, received };
  if (t.code === "ECONNREFUSED") return { kind: "refused", detail: t.cause ?? t.message };
  const cause = t.cause === undefined ? undefined : { message: t.cause };
  return networkFailure({ message: t.message, cause }, received || undefined);
}

/** Why a request got no answer: in a browser, CORS or an unreachable server (fetch.ts). */
async function noAnswer(t: Thrown, req: HttpRequest, received: number): Promise<FetchFailure> {
  const opaque = t.message === "Failed to fetch" || t.message.startsWith("NetworkError");
  if (t.stalled || received > 0 || !opaque) return failureOf(t, req, received);
  return (await corsFailure(req.url)) ?? failureOf(t, req, received);
}

/** A request, asynchronously (every host); throws FetchError. */
export async function request(req: HttpRequest): Promise<HttpAnswer> {
  const out = await fetchOutcome(req);
  if ("answer" in out) return out.answer;
  throw new FetchError(req.url, await noAnswer(out.thrown, req, out.received));
}

/** A request that blocks this thread until answered; throws FetchError. */
export type SyncRequest = (req: HttpRequest) => HttpAnswer;

/** What Node offers for blocking on a worker thread. */
export interface NodeThreads {
  Worker: typeof import("node:worker_threads").Worker;
  MessageChannel: typeof import("node:worker_threads").MessageChannel;
  receiveMessageOnPort: typeof import("node:worker_threads").receiveMessageOnPort;
}

/** The synchronous request of this host, or undefined where it cannot block (a page). */
export function syncRequester(host: Host, threads: NodeThreads | undefined): SyncRequest | undefined {
  if (host.kind === "node" && threads) return nodeRequester(threads);
  if (host.kind === "worker" && typeof XMLHttpRequest !== "undefined") return xhrRequest;
  return undefined;
}

// The worker thread's program (a CommonJS script): for each request it is sent, fetchOutcome,
// the answer's body transferred, posted on the request's port; then it wakes the waiting thread
// through the shared word.
const WORKER_SCRIPT = `
const { parentPort } = require("node:worker_threads");
const fetchOutcome = ${fetchOutcome.toString()};
parentPort.on("message", async ({ req, port, word }) => {
  const out = await fetchOutcome(req);
  port.postMessage(out, out.answer ? [out.answer.body.buffer] : []);
  port.close();
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
});
`;

function nodeRequester(t: NodeThreads): SyncRequest {
  let worker: InstanceType<NodeThreads["Worker"]> | undefined;
  return (req) => {
    if (!worker) {
      worker = new t.Worker(WORKER_SCRIPT, { eval: true });
      worker.unref(); // it never keeps the process alive
    }
    const word = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new t.MessageChannel();
    worker.postMessage({ req, port: port2, word }, [port2]); // the body is copied (cloned)
    // The worker's own timer ends a stalled request; this wait only guards against a worker
    // that died, so it is long.
    const limit = req.timeoutMs > 0 ? req.timeoutMs * 4 + 60_000 : Infinity;
    let got: ReturnType<NodeThreads["receiveMessageOnPort"]>;
    for (;;) {
      const waited = Atomics.wait(word, 0, 0, limit);
      got = t.receiveMessageOnPort(port1);
      if (got !== undefined || waited === "timed-out") break;
    }
    port1.close();
    if (got === undefined) throw new FetchError(req.url, { kind: "network", detail: "the fetching thread did not answer" });
    const out = got.message as Outcome;
    if ("answer" in out) return out.answer;
    throw new FetchError(req.url, failureOf(out.thrown, req, out.received));
  };
}

// Headers a synchronous XMLHttpRequest refuses to set (the browser sets them itself).
const XHR_FORBIDDEN = new Set(["accept-encoding", "connection", "content-length", "host", "user-agent"]);

function xhrRequest(req: HttpRequest): HttpAnswer {
  const xhr = new XMLHttpRequest();
  xhr.open(req.method, req.url, false);
  xhr.responseType = "arraybuffer";
  if (req.timeoutMs > 0) xhr.timeout = req.timeoutMs;
  if (req.options.credentials === "include") xhr.withCredentials = true;
  for (const [k, v] of req.headers) if (!XHR_FORBIDDEN.has(k.toLowerCase())) xhr.setRequestHeader(k, v);
  try {
    xhr.send(req.body as Uint8Array<ArrayBuffer> | null);
  } catch (e) {
    const name = (e as { name?: string }).name;
    throw new FetchError(req.url, name === "TimeoutError"
      ? { kind: "timeout", ms: req.timeoutMs, received: 0 }
      : { kind: "network", detail: "the server could not be reached, or CORS refused this page the answer" });
  }
  const headers: [string, string][] = [];
  for (const line of xhr.getAllResponseHeaders().split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0) headers.push([line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()]);
  }
  const url = xhr.responseURL || req.url;
  return { status: xhr.status, statusText: xhr.statusText, url, redirected: url !== req.url, headers,
           body: new Uint8Array(xhr.response as ArrayBuffer) }; // fmt: skip
}

/** A request as Python's pinnace.http sends it (JSON): the body, if any, in a file of the
 * Emscripten FS. */
export interface PythonRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body_path: string | null;
  timeout_ms: number;
  redirect: "follow" | "manual";
  options: Record<string, unknown>;
}

/** The answer as Python gets it (JSON): the body in a file of the Emscripten FS, which Python
 * reads and removes. */
export interface PythonAnswer {
  status: number;
  status_text: string;
  url: string;
  redirected: boolean;
  headers: [string, string][];
  body_path: string;
}

interface FileSystem {
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array, opts?: { canOwn?: boolean }): void;
}

/** Python's requests: bodies in and out through files (the one way that is the same whether
 * the request was made synchronously, awaited or while Python was suspended). */
export class PythonRequests {
  private seq = 0;

  /** `manualRedirects`: whether this host's fetch can hand over a redirect as it is (Node's
   * can; a browser's gives an opaque one, so there a redirect is always followed). */
  constructor(private readonly fs: FileSystem, private readonly dir: string,
              private readonly now: SyncRequest | undefined,
              private readonly manualRedirects: boolean) {} // fmt: skip

  /** Blocking: where the host can (Python asks only where the loader's mode is "sync"). */
  requestNow(r: PythonRequest): PythonAnswer {
    if (!this.now) throw new FetchError(r.url, { kind: "network", detail: "this thread cannot wait for a request" });
    return this.toPython(this.now(this.fromPython(r)));
  }

  async request(r: PythonRequest): Promise<PythonAnswer> {
    return this.toPython(await request(this.fromPython(r)));
  }

  private fromPython(r: PythonRequest): HttpRequest {
    const body = r.body_path === null ? null : this.fs.readFile(r.body_path);
    const redirect = this.manualRedirects ? r.redirect : "follow";
    return { url: r.url, method: r.method, headers: r.headers, body, timeoutMs: r.timeout_ms, redirect,
             options: r.options ?? {} }; // fmt: skip
  }

  private toPython(a: HttpAnswer): PythonAnswer {
    const path = `${this.dir}/http-${++this.seq}`;
    this.fs.writeFile(path, a.body, { canOwn: true });
    return { status: a.status, status_text: a.statusText, url: a.url, redirected: a.redirected,
             headers: a.headers, body_path: path }; // fmt: skip
  }
}
