// Reading the distribution's files from indexURL (fetch.ts gets the bytes); a failure is a
// LoadError naming the file and indexURL.
import { FetchError, isNotFound, LoadError, type FetchFailure } from "./errors.js";
import { isNode, nodeModule, type Host } from "./environment.js";
import { corsFailure, fetchBytes, fetchOk } from "./fetch.js";

/** Normalise indexURL to an absolute URL ending in "/". Node accepts plain paths too. */
export async function resolveIndexURL(indexURL: string): Promise<string> {
  let url = indexURL;
  if (isNode() && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const { pathToFileURL } = await nodeModule<typeof import("node:url")>("url");
    const path = await nodeModule<typeof import("node:path")>("path");
    url = pathToFileURL(path.resolve(url)).href;
  } else if (typeof location !== "undefined") {
    url = new URL(url, location.href).href;
  }
  return url.endsWith("/") ? url : url + "/";
}

/** fileURLs with each URL made absolute (against the page, where there is one), so that every
 * use (fetch, import(), a modulepreload link) means the same file. */
export function absoluteURLs(urls: Record<string, string>): Record<string, string> {
  const base = typeof location !== "undefined" ? location.href : undefined;
  return Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, base ? new URL(url, base).href : url]));
}

/**
 * Electron loads everything from local files: an http(s) URL is used only when the caller
 * passed it (indexURL / packageIndexURL).  `what` names the option for the error.
 */
export function checkLocal(host: Host, url: string, explicit: boolean, what: string): void {
  if (!host.electron || explicit || !/^https?:/i.test(url)) return;
  throw new LoadError(
    url,
    `${what} would be fetched over the network`,
    url,
    `in Electron (${host.environment}) Pinnace reads local files only; ${what} defaulted to ` +
      `the loader's own location, ${url}. Pass ${what} explicitly (a file path or file:// URL, ` +
      `or an http(s) URL if the network is really wanted)`,
  );
}

/** A FetchError of a distribution's file as the LoadError that names indexURL; others as they are. */
function asLoadError(e: unknown, indexURL: string): unknown {
  return e instanceof FetchError ? LoadError.fromFetch(e, indexURL) : e;
}

/** The bytes of one of the distribution's files, checked against `integrity` when given (an
 * SRI value, "sha384-<base64>"); a LoadError naming it otherwise. */
export async function loadBytes(url: string, indexURL: string, integrity?: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await fetchBytes(url);
  } catch (e) {
    throw asLoadError(e, indexURL);
  }
  if (integrity) await checkIntegrity(url, bytes, integrity, indexURL);
  return bytes;
}

/** loadBytes, or null when there is no such file (HTTP 404, a missing local file). */
export async function loadBytesIfThere(url: string, indexURL: string, integrity?: string): Promise<Uint8Array | null> {
  try {
    return await loadBytes(url, indexURL, integrity);
  } catch (e) {
    if (e instanceof LoadError && isNotFound(e.failure)) return null;
    throw e;
  }
}

const DIGESTS: Record<string, string> = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };

/** Subresource Integrity, checked here: `integrity` holds hashes ("sha384-<base64>", several
 * separated by spaces); of the strongest algorithm named, one must match. */
export async function checkIntegrity(url: string, bytes: Uint8Array, integrity: string, indexURL: string): Promise<void> {
  const hashes = integrity.trim().split(/\s+/).map((t) => t.split("?")[0].split(/-(.*)/s, 2))
    .filter(([alg]) => Object.hasOwn(DIGESTS, alg));
  if (!hashes.length) throw new LoadError(url, `no sha256/sha384/sha512 hash in its integrity value ${JSON.stringify(integrity)}`, indexURL);
  const strongest = hashes.map(([alg]) => alg).sort().at(-1)!;
  if (!globalThis.crypto?.subtle) {
    throw new LoadError(url, "its integrity value cannot be checked here: crypto.subtle is missing", indexURL,
                        "browsers have it on secure origins only (https, localhost)");
  }
  const digest = new Uint8Array(await crypto.subtle.digest(DIGESTS[strongest], bytes as Uint8Array<ArrayBuffer>));
  const actual = btoa(String.fromCharCode(...digest));
  if (hashes.some(([alg, want]) => alg === strongest && want === actual)) return;
  throw new LoadError(url, `its ${strongest} is ${actual}, not what its integrity value says (${integrity})`, indexURL,
                      "the file is not the one the hashes were made from: another build, or altered on the way");
}

/** Import an ES module of the distribution (the interpreter's JS glue), first checking its
 * bytes against `integrity` where given: on a page through <link rel="modulepreload"
 * integrity> (the browser checks, and import() takes the module it loaded), elsewhere by
 * reading the file and checking it before importing it. */
export async function importModule(url: string, indexURL: string, integrity?: string): Promise<any> {
  if (integrity && modulePreloads()) {
    await new Promise<void>((resolve, reject) => {
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.integrity = integrity;
      link.href = url;
      link.onload = () => resolve();
      link.onerror = () => reject(new LoadError(url, `it does not match its integrity value (${integrity}), or could not be loaded`,
                                                indexURL, "see the browser's console for which"));
      document.head.append(link);
    });
  } else if (integrity) {
    await loadBytes(url, indexURL, integrity);
  }
  try {
    return await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
  } catch (e) {
    throw new LoadError(url, await whyNotImported(url, e), indexURL);
  }
}

/** Whether this is a page whose browser checks <link rel="modulepreload" integrity>. */
function modulePreloads(): boolean {
  if (typeof document === "undefined" || typeof document.createElement !== "function") return false;
  return document.createElement("link").relList?.supports?.("modulepreload") === true;
}

/** Why import(url) failed, as far as a fetch can tell: the server's answer (404, ...), CORS, or
 * the import's own message (a syntax error, a Content-Security-Policy, ...). */
async function whyNotImported(url: string, e: unknown): Promise<string | FetchFailure> {
  const message = String((e as Error)?.message ?? e);
  if (url.startsWith("file:")) return message;
  try {
    const resp = await fetch(url, { method: "HEAD" });
    return resp.ok ? message : { kind: "http", status: resp.status, statusText: resp.statusText };
  } catch {
    return (await corsFailure(url)) ?? message;
  }
}

/** Compile and instantiate a wasm file, streaming where the host can. */
export async function instantiateWasm(
  url: string,
  indexURL: string,
  imports: WebAssembly.Imports,
  integrity?: string,
): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  if (!integrity && !url.startsWith("file:") && typeof WebAssembly.instantiateStreaming === "function") {
    let resp: Response;
    try {
      resp = await fetchOk(url);
    } catch (e) {
      throw asLoadError(e, indexURL);
    }
    if (resp.headers.get("content-type")?.startsWith("application/wasm")) {
      return WebAssembly.instantiateStreaming(resp, imports);
    }
    return WebAssembly.instantiate(await resp.arrayBuffer(), imports);
  }
  const bytes = await loadBytes(url, indexURL, integrity);
  return WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, imports);
}
