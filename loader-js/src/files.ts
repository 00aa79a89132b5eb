// Reading the distribution's files from indexURL: fetch() for http(s), the file system for
// file: URLs where Node's fs is reachable (Node, Electron's main process, renderers with Node;
// Electron's fs reads inside ASAR archives), XMLHttpRequest for file: URLs elsewhere.
import { LoadError } from "./errors.js";
import { detectHost, isNode, nodeFs, nodeModule, type Host } from "./environment.js";

/** Normalise indexURL to an absolute URL ending in "/". Node accepts plain paths too. */
export async function resolveIndexURL(indexURL: string): Promise<string> {
  let url = indexURL;
  if (isNode() && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const { pathToFileURL } = await import("node:url");
    const path = await import("node:path");
    url = pathToFileURL(path.resolve(url)).href;
  } else if (typeof location !== "undefined") {
    url = new URL(url, location.href).href;
  }
  return url.endsWith("/") ? url : url + "/";
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

function xhrRead(url: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.responseType = "arraybuffer";
    // file: responses have status 0 (no HTTP); a missing file is an error event.
    xhr.onload = () =>
      (xhr.status === 0 || xhr.status === 200) && xhr.response
        ? resolve(new Uint8Array(xhr.response as ArrayBuffer))
        : reject(new Error(`HTTP ${xhr.status} ${xhr.statusText}`.trim()));
    xhr.onerror = () => reject(new Error("file not found, or not readable from this page"));
    xhr.send();
  });
}

/** The bytes of a file: URL.  Throws an Error whose message is the reason alone. */
export async function readFileURL(url: string, host: Host = detectHost()): Promise<Uint8Array> {
  const fs = await nodeFs(host);
  if (!fs) return xhrRead(url);
  const { fileURLToPath } = await nodeModule<typeof import("node:url")>("url");
  try {
    return new Uint8Array(await fs.promises.readFile(fileURLToPath(url)));
  } catch (e: any) {
    throw new Error(e?.code === "ENOENT" ? "file not found" : String(e?.message ?? e));
  }
}

export async function fetchBytes(url: string, indexURL: string): Promise<Uint8Array> {
  if (url.startsWith("file:")) {
    try {
      return await readFileURL(url);
    } catch (e: any) {
      throw new LoadError(url, String(e?.message ?? e), indexURL);
    }
  }
  let resp: Response;
  try {
    resp = await fetch(url);
  } catch (e: any) {
    throw new LoadError(url, `network error (${e?.message ?? e})`, indexURL);
  }
  if (!resp.ok) {
    throw new LoadError(url, `HTTP ${resp.status} ${resp.statusText}`.trim(), indexURL);
  }
  return new Uint8Array(await resp.arrayBuffer());
}

/** Compile and instantiate a wasm file, streaming where the host can. */
export async function instantiateWasm(
  url: string,
  indexURL: string,
  imports: WebAssembly.Imports,
): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  if (!url.startsWith("file:") && typeof WebAssembly.instantiateStreaming === "function") {
    let resp: Response;
    try {
      resp = await fetch(url);
    } catch (e: any) {
      throw new LoadError(url, `network error (${e?.message ?? e})`, indexURL);
    }
    if (!resp.ok) throw new LoadError(url, `HTTP ${resp.status} ${resp.statusText}`.trim(), indexURL);
    if (resp.headers.get("content-type")?.startsWith("application/wasm")) {
      return WebAssembly.instantiateStreaming(resp, imports);
    }
    return WebAssembly.instantiate(await resp.arrayBuffer(), imports);
  }
  const bytes = await fetchBytes(url, indexURL);
  return WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, imports);
}
