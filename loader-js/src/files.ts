// Reading the distribution's files from indexURL (fetch.ts gets the bytes); a failure is a
// LoadError naming the file and indexURL.
import { FetchError, LoadError } from "./errors.js";
import { isNode, nodeModule, type Host } from "./environment.js";
import { fetchBytes, fetchOk } from "./fetch.js";

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

/** The bytes of one of the distribution's files; a LoadError naming it otherwise. */
export async function loadBytes(url: string, indexURL: string): Promise<Uint8Array> {
  try {
    return await fetchBytes(url);
  } catch (e) {
    throw asLoadError(e, indexURL);
  }
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
      resp = await fetchOk(url);
    } catch (e) {
      throw asLoadError(e, indexURL);
    }
    if (resp.headers.get("content-type")?.startsWith("application/wasm")) {
      return WebAssembly.instantiateStreaming(resp, imports);
    }
    return WebAssembly.instantiate(await resp.arrayBuffer(), imports);
  }
  const bytes = await loadBytes(url, indexURL);
  return WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, imports);
}
