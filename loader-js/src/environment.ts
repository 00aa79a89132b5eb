// Where the loader runs: a browser main thread, a Web Worker, Node, or Electron.

export type HostKind = "browser" | "worker" | "node";

export interface Host {
  kind: HostKind;
  /** Electron process type when running under Electron ("browser" = main, "renderer", ...). */
  electron?: string;
}

export function detectHost(): Host {
  const g = globalThis as any;
  const proc = g.process;
  const electron: string | undefined = proc?.versions?.electron ? String(proc.type ?? "browser") : undefined;
  if (proc?.versions?.node && typeof g.window === "undefined" && typeof g.importScripts !== "function") {
    return { kind: "node", electron };
  }
  if (typeof g.window === "undefined" && typeof g.importScripts === "function") {
    return { kind: "worker", electron };
  }
  if (typeof g.WorkerGlobalScope !== "undefined" && g instanceof g.WorkerGlobalScope) {
    return { kind: "worker", electron };
  }
  return { kind: "browser", electron };
}

export const isNode = (): boolean => detectHost().kind === "node";
