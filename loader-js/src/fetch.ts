// Getting bytes from a URL, asynchronously: fetch() for http(s), the file system for file: URLs
// where Node's fs is reachable (Node, Electron's main process, renderers with Node; Electron's
// fs reads inside ASAR archives), XMLHttpRequest for file: URLs elsewhere.  Every failure is a
// FetchError whose `failure` says why (errors.ts makes its text).  The synchronous ways, which
// only packages need, are in packages/fetch.ts.
import { FetchError, type FetchFailure } from "./errors.js";
import { detectHost, nodeFs, nodeModule, type Host } from "./environment.js";

/** The failure of a request that got no (complete) answer: the one place that reads the
 * error a network stack threw.  `received`: the bytes that had arrived before it broke. */
export function networkFailure(e: unknown, received?: number): FetchFailure {
  const err = e as { cause?: { message?: string }; message?: string } | undefined;
  const detail = err?.cause?.message ?? err?.message ?? String(e);
  return received === undefined ? { kind: "network", detail } : { kind: "network", detail, received };
}

/** A browser's answer to a request it would not let the page read: "cors" when the server at
 * `url` answers a no-cors request (so only CORS was in the way), undefined otherwise (not a
 * browser, same origin, or the server cannot be reached either).  Browsers say "Failed to
 * fetch" for both; this is the one place that tells them apart. */
export async function corsFailure(url: string): Promise<FetchFailure | undefined> {
  const page = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (page === undefined || page === "null" || !/^https?:/i.test(url) || new URL(url).origin === page) return undefined;
  try {
    await fetch(url, { mode: "no-cors", method: "HEAD" }); // the answer's existence is enough
  } catch {
    return undefined;
  }
  return { kind: "cors", origin: page };
}

/** The failure of a local read that threw `e` (Node's fs errors carry a `code`). */
export function fileFailure(e: unknown): FetchFailure {
  const err = e as { code?: string; message?: string } | undefined;
  return err?.code === "ENOENT" ? { kind: "missing" } : { kind: "unreadable", detail: String(err?.message ?? e) };
}

/** How long a download may wait for its next bytes (the answer's headers, then each part of
 * its body) before it fails with a "timeout" FetchFailure: loadPinnace's `downloadTimeout`. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 30_000;

/** Aborts a request when `ms` pass without `progress()` being called (never, for ms = 0). */
class StallWatch {
  readonly controller = new AbortController();
  stalled = false;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly ms: number) {
    this.progress();
  }

  progress(): void {
    if (this.ms <= 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stalled = true;
      this.controller.abort();
    }, this.ms);
  }

  done(): void {
    clearTimeout(this.timer);
  }

  /** The failure of a request that threw `e` after `received` bytes. */
  failure(e: unknown, received?: number): FetchFailure {
    return this.stalled ? { kind: "timeout", ms: this.ms, received: received ?? 0 } : networkFailure(e, received);
  }
}

/** An http(s) response with status 200, or a FetchError. */
export async function fetchOk(url: string, watch = new StallWatch(0)): Promise<Response> {
  let resp: Response;
  try {
    resp = await fetch(url, { signal: watch.controller.signal });
  } catch (e) {
    watch.done();
    throw new FetchError(url, (!watch.stalled && await corsFailure(url)) || watch.failure(e));
  }
  if (!resp.ok) {
    watch.done();
    throw new FetchError(url, { kind: "http", status: resp.status, statusText: resp.statusText });
  }
  return resp;
}

/** The whole body of `resp`, reporting the bytes received so far to `onBytes`. */
export async function readBody(url: string, resp: Response, onBytes?: (loaded: number) => void,
                               watch = new StallWatch(0)): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    if (!resp.body) return new Uint8Array(await resp.arrayBuffer());
    const reader = resp.body.getReader();
    for (;;) {
      watch.progress();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      onBytes?.(loaded);
    }
  } catch (e) {
    throw new FetchError(url, watch.failure(e, loaded));
  } finally {
    watch.done();
  }
  return concat(chunks, loaded);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

function xhrRead(url: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.responseType = "arraybuffer";
    // file: responses have status 0 (no HTTP); a missing file is an error event.
    xhr.onload = () =>
      (xhr.status === 0 || xhr.status === 200) && xhr.response
        ? resolve(new Uint8Array(xhr.response as ArrayBuffer))
        : reject(new FetchError(url, { kind: "http", status: xhr.status, statusText: xhr.statusText }));
    xhr.onerror = () => reject(new FetchError(url, { kind: "missing", detail: "file not found, or not readable from this page" }));
    xhr.send();
  });
}

/** The bytes of a file: URL. */
export async function readFileURL(url: string, host: Host = detectHost()): Promise<Uint8Array> {
  const fs = await nodeFs(host);
  if (!fs) return xhrRead(url);
  const { fileURLToPath } = await nodeModule<typeof import("node:url")>("url");
  try {
    return new Uint8Array(await fs.promises.readFile(fileURLToPath(url)));
  } catch (e) {
    throw new FetchError(url, fileFailure(e));
  }
}

/** The bytes at a URL (file: or http(s)), reporting progress to `onBytes`; an http(s) download
 * that receives nothing for `timeoutMs` (0: no limit) fails. */
export async function fetchBytes(url: string, onBytes?: (loaded: number) => void, host?: Host,
                                 timeoutMs = DEFAULT_DOWNLOAD_TIMEOUT_MS): Promise<Uint8Array> {
  if (url.startsWith("file:")) {
    const bytes = await readFileURL(url, host);
    onBytes?.(bytes.length);
    return bytes;
  }
  const watch = new StallWatch(timeoutMs);
  return readBody(url, await fetchOk(url, watch), onBytes, watch);
}
