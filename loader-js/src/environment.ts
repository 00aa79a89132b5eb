// Where the loader runs: a browser main thread, a Web Worker, Node, or one of Electron's
// processes and contexts.  See docs/electron.md for the markers and where they come from.

export type HostKind = "browser" | "worker" | "node";

/** Where the loader runs, as `pinnace.environment` reports it. */
export type Environment =
  | "browser"
  | "worker"
  | "node"
  /** Electron's main process: process.type === "browser". */
  | "electron-main"
  /** An Electron utility process (utilityProcess.fork): process.type === "utility". */
  | "electron-utility"
  /** A preload script's isolated world: process.type === "renderer", process.contextIsolated. */
  | "electron-preload"
  /** A renderer page with Node: process.type === "renderer" in the page's own world
   * (nodeIntegration with contextIsolation off; a preload script without context isolation
   * runs in this same world). */
  | "electron-renderer-node"
  /** A renderer page without Node (the default: contextIsolation, no nodeIntegration): no
   * `process` in the page; the user agent names Electron. */
  | "electron-renderer"
  /** A Web Worker in an Electron renderer (process.type === "worker" with
   * nodeIntegrationInWorker, else the user agent). */
  | "electron-worker";

export interface Host {
  kind: HostKind;
  /** The precise environment (Electron's processes and contexts told apart). */
  environment: Environment;
  /** Electron's version when running under Electron. */
  electron?: string;
  /** Node's modules (fs, path, ...) are reachable here: Node, Electron's main and utility
   * processes, and Electron renderer contexts with Node that are not sandboxed. */
  nodeAPIs: boolean;
}

/** Electron's version from the user agent ("... Electron/33.2.0 ..."), for contexts without
 * `process`. */
function electronFromUserAgent(g: any): string | undefined {
  const ua: unknown = g.navigator?.userAgent;
  const m = typeof ua === "string" ? / Electron\/([0-9][^ ]*)/.exec(ua) : null;
  return m ? m[1] : undefined;
}

function baseKind(g: any): HostKind {
  const proc = g.process;
  if (proc?.versions?.node && typeof g.window === "undefined" && typeof g.importScripts !== "function") {
    return "node";
  }
  if (typeof g.window === "undefined" && typeof g.importScripts === "function") return "worker";
  if (typeof g.WorkerGlobalScope !== "undefined" && g instanceof g.WorkerGlobalScope) return "worker";
  return "browser";
}

export function detectHost(g: any = globalThis): Host {
  const kind = baseKind(g);
  const proc = g.process;
  const electron: string | undefined = proc?.versions?.electron ? String(proc.versions.electron) : undefined;
  if (electron) {
    const type = String(proc.type ?? "");
    // A sandboxed renderer's `process` is a reduced object without Node's modules.
    const nodeAPIs = proc.sandboxed !== true;
    if (type === "browser") return { kind: "node", environment: "electron-main", electron, nodeAPIs: true };
    if (type === "utility") return { kind: "node", environment: "electron-utility", electron, nodeAPIs: true };
    if (type === "worker" || type === "service-worker" || kind === "worker") {
      return { kind: "worker", environment: "electron-worker", electron, nodeAPIs };
    }
    if (proc.contextIsolated === true) {
      return { kind: "browser", environment: "electron-preload", electron, nodeAPIs };
    }
    return { kind: "browser", environment: "electron-renderer-node", electron, nodeAPIs };
  }
  const uaElectron = kind === "node" ? undefined : electronFromUserAgent(g);
  if (uaElectron) {
    const environment = kind === "worker" ? "electron-worker" : "electron-renderer";
    return { kind, environment, electron: uaElectron, nodeAPIs: false };
  }
  return { kind, environment: kind, nodeAPIs: kind === "node" };
}

/** Where this code runs (see `Environment`); the same value as `pinnace.environment`.
 * `scope` (default globalThis) is the global object whose markers are read. */
export function detectEnvironment(scope: object = globalThis): Environment {
  return detectHost(scope).environment;
}

export const isNode = (): boolean => detectHost().kind === "node";

/** Paths that are inside an ASAR archive (read-only): a path component ending in ".asar". */
export function isInsideAsar(path: string): boolean {
  return path.split(/[\\/]+/).some((part) => /\.asar$/i.test(part));
}

type NodeRequire = (id: string) => any;

/** A `require` for Node's built-in modules where the context has one: Electron's renderer with
 * nodeIntegration defines a global `require`; elsewhere (Node, Electron's main process, an
 * isolated preload) the modules come through import(). */
export async function nodeModule<T>(name: string, given?: NodeRequire): Promise<T> {
  const req: NodeRequire | undefined = given ?? (globalThis as any).require;
  if (typeof req === "function") return req(name) as T;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ "node:" + name)) as T;
}

type NodeFs = typeof import("node:fs");
let fsProbe: Promise<NodeFs | null> | undefined;

/** Node's fs where this context reaches it, else null.  In Node and Electron's main process a
 * failure is an error; in an Electron renderer context it is a capability probe (e.g. a
 * preload whose import() goes to Chromium's loader), and the caller reads files:// URLs with
 * XMLHttpRequest instead. */
export function nodeFs(host: Host): Promise<NodeFs | null> {
  if (!host.nodeAPIs) return Promise.resolve(null);
  fsProbe ??= nodeModule<NodeFs>("fs").catch((e: unknown) => {
    if (host.kind === "node") throw e;
    return null;
  });
  return fsProbe;
}
