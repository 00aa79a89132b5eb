// Reading the distribution's files from indexURL: fetch() in browsers, the file system in Node.
import { LoadError } from "./errors.js";
import { isNode } from "./environment.js";

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

export async function fetchBytes(url: string, indexURL: string): Promise<Uint8Array> {
  if (url.startsWith("file:") && isNode()) {
    const { readFile } = await import("node:fs/promises");
    const { fileURLToPath } = await import("node:url");
    try {
      return new Uint8Array(await readFile(fileURLToPath(url)));
    } catch (e: any) {
      throw new LoadError(url, e?.code === "ENOENT" ? "file not found" : String(e?.message ?? e), indexURL);
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
