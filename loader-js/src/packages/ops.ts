// The operations Python's runtime asks of the loader (its package code; pinnace.http's requests):
// one table, by how Python reaches them.  The Python side names the same operations in
// runtime/pinnace/_loader.py (OPS), and a unit test (loader-js/test/ops.test.ts) checks that both name the same ones the same ways.
//
// - "sync":    called through the FFI, the result returned at once (Python gets the table from
//              _pinnace_packages.ops(), runtime/src/packages.c).
// - "promise": called through the FFI, returning a promise Python awaits on the asyncio loop.
// - "suspend": reached through _pinnace_packages.suspend(op, json): a JSPI-suspending wasm import
//              (jspi.ts); the argument and the result cross as JSON, an error as the JS error.

import type { PythonAnswer, PythonRequest } from "../http.js";
import type { TcpEvents, TcpHandle } from "../tcp.js";

/** A package file downloaded into the Emscripten FS, for Python to check and install. */
export interface Fetched {
  name: string;
  /** where the bytes are, in the Emscripten FS */
  path: string;
  /** where they came from (for error messages) */
  url: string;
}

/** How Python reaches an operation. */
export const enum Way {
  Sync = "sync",
  Promise = "promise",
  Suspend = "suspend",
}

/** Every operation and the ways Python reaches it: the table the Python side mirrors. */
export const PACKAGE_OPS = {
  /** the lock file's text ("" when the distribution has none) */
  lock: [Way.Sync],
  /** "sync" (fetches at once), "jspi" (suspends to fetch) or the reason an import cannot fetch */
  mode: [Way.Sync],
  /** download packages (by name) into temporary files: [{name, path, url}] */
  fetch: [Way.Sync, Way.Suspend],
  /** download any URL (pinnace.install's index pages and wheels) into a temporary file: its path */
  fetch_url: [Way.Sync, Way.Promise],
  /** install lock packages (names) the loader's way, with loadPackage: the names installed */
  load: [Way.Promise],
  /** load the side modules (paths) Python has just installed, ahead of dlopen: a shared
   * library (in /lib/dynlib) under its file name, an extension module under its path */
  preload: [Way.Sync, Way.Suspend],
  /** Python runs again after a suspension (called by runtime/src/packages.c) */
  resumed: [Way.Sync],
  /** an HTTP request of pinnace.http (JSON of a PythonRequest): JSON of its PythonAnswer */
  request: [Way.Sync, Way.Promise, Way.Suspend],
  /** a TCP connection for asyncio (host, port, Python's TcpEvents): its TcpHandle (Node only) */
  tcp_connect: [Way.Sync],
} as const satisfies Record<string, readonly Way[]>;

export type OpName = keyof typeof PACKAGE_OPS;

/** The table itself, as Python sees it (Module.pinnacePackages). */
export interface PackageOps {
  [Way.Sync]: {
    lock(): string;
    mode(): string;
    fetch(names: string[]): Fetched[];
    fetch_url(url: string): string;
    preload(paths: string[]): void;
    resumed(): void;
    request(json: string): string;
    tcp_connect(host: string, port: number, events: TcpEvents): TcpHandle;
  };
  [Way.Promise]: {
    fetch_url(url: string): Promise<string>;
    load(names: string[]): Promise<string[]>;
    request(json: string): Promise<string>;
  };
  [Way.Suspend]: {
    fetch(names: string[]): Promise<Fetched[]>;
    preload(paths: string[]): Promise<void>;
    request(r: PythonRequest): Promise<PythonAnswer>;
  };
}

/** The operations of one way, as named in a table (for the test that both sides agree). */
export function opsOf(table: PackageOps, way: Way): string[] {
  return Object.keys(table[way]).sort();
}

/** The operations PACKAGE_OPS gives one way. */
export function declaredOps(way: Way): string[] {
  return Object.entries(PACKAGE_OPS)
    .filter(([, ways]) => (ways as readonly Way[]).includes(way))
    .map(([name]) => name)
    .sort();
}
