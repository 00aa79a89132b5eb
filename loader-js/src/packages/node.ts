// The Node modules the package manager (and Python's HTTP requests and TCP connections) use where Node's fs is reachable (Node, Electron's main
// and utility processes, renderers with Node), loaded once.
import { nodeModule } from "../environment.js";

export interface NodeModules {
  fs: typeof import("node:fs");
  path: typeof import("node:path");
  os: typeof import("node:os");
  crypto: typeof import("node:crypto");
  url: typeof import("node:url");
  threads: typeof import("node:worker_threads");
  net: typeof import("node:net");
}

export async function loadNodeModules(): Promise<NodeModules> {
  return {
    fs: await nodeModule("fs"),
    path: await nodeModule("path"),
    os: await nodeModule("os"),
    crypto: await nodeModule("crypto"),
    url: await nodeModule("url"),
    threads: await nodeModule("worker_threads"),
    net: await nodeModule("net"),
  };
}
