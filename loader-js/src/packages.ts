// The loader's package manager: fetches wheels named by pinnace-lock.json, caches them, and
// hands their bytes to Python (runtime/pinnace/_packages.py), which verifies every byte
// against the lock's sha256 and installs them.  Python reaches this object synchronously
// through the `_pinnace_packages` bridge (runtime/src/packages.c): Module.pinnacePackages.
import { isInsideAsar, nodeFs, nodeModule, type Host } from "./environment.js";
import { readFileURL } from "./files.js";
import type { EmModule } from "./module.js";
import type { Jspi } from "./jspi.js";

export const LOCK_NAME = "pinnace-lock.json";
// Not under /tmp: `pinnace python` mounts the host's directories there.
const TMP_DIR = "/lib/pinnace-downloads";
const CACHE_NAME = "pinnace-packages";

/** Progress of a package download. */
export interface PackageProgress {
  package: string;
  /** bytes received so far */
  loaded: number;
  /** bytes expected (from the lock file) */
  total: number;
}

export interface PackageOptions {
  /** Called as bytes arrive, per package. */
  onProgress?: (p: PackageProgress) => void;
}

/** A package could not be resolved, fetched, verified or installed. */
export class PackageError extends Error {
  /** The package concerned, if known. */
  readonly package?: string;
  /** The URL that failed, if any. */
  readonly url?: string;

  constructor(message: string, pkg?: string, url?: string) {
    super(message);
    this.package = pkg;
    this.url = url;
  }

  override get name(): string {
    return "PackageError";
  }
}

interface LockEntry {
  name: string;
  version: string;
  file_name: string;
  sha256: string;
  size?: number;
  shared_libraries?: string[];
}

type NodeModules = {
  fs: typeof import("node:fs");
  path: typeof import("node:path");
  os: typeof import("node:os");
  crypto: typeof import("node:crypto");
  child: typeof import("node:child_process");
  url: typeof import("node:url");
};

// A child node process that fetches one URL into a file: how Node gets a synchronous download.
const NODE_FETCH_SCRIPT = `
const [url, out] = process.argv.slice(1);
fetch(url).then(async (r) => {
  if (!r.ok) { process.stderr.write("HTTP " + r.status + " " + r.statusText); process.exit(2); }
  require("fs").writeFileSync(out, new Uint8Array(await r.arrayBuffer()));
}).catch((e) => { process.stderr.write("network error (" + (e.cause?.message ?? e.message) + ")"); process.exit(3); });
`;

/** "a, b" from a JSON list of lock entries. */
function entryNames(entriesJson: string): string {
  return (JSON.parse(entriesJson) as LockEntry[]).map((e) => e.name).join(", ");
}

export class PackageManager {
  lockText = "";
  private node?: NodeModules;
  /** The directory caching downloaded packages (Node's fs), if any. */
  cacheDir?: string;
  /** How many package files came from cacheDir (for tests and diagnostics). */
  cacheHits = 0;
  private seq = 0;

  constructor(
    private readonly mod: EmModule,
    private readonly indexURL: string,
    private readonly host: Host,
    private readonly runPy: (code: string) => string,
    private readonly options: { packageCacheDir?: string | null } = {},
    /** Set where a lazy import may suspend Python while it downloads (jspi.ts). */
    private readonly jspi?: Jspi,
  ) {
    if (jspi) {
      jspi.handler = {
        describe: (op, arg) => (op === "fetch" ? `package ${entryNames(arg)}` : "a package's shared libraries"),
        run: (op, arg) => this.suspendedOp(op, arg),
      };
    }
  }

  /** Fetch the lock file and the Node modules the synchronous path needs; install the bridge. */
  async init(lockBytes: Promise<Uint8Array | null>): Promise<void> {
    if (this.host.nodeAPIs && (await nodeFs(this.host))) {
      this.node = {
        fs: await nodeModule("fs"),
        path: await nodeModule("path"),
        os: await nodeModule("os"),
        crypto: await nodeModule("crypto"),
        child: await nodeModule("child_process"),
        url: await nodeModule("url"),
      };
      this.cacheDir = await this.chooseCacheDir(this.node);
    } else if (this.options.packageCacheDir) {
      throw new PackageError(
        `packageCacheDir ${this.options.packageCacheDir} was given, but this context ` +
          `(${this.host.environment}) cannot write files: it has no Node. In an Electron renderer ` +
          `without nodeIntegration, downloads are cached with the Cache API`,
      );
    }
    const bytes = await this.lockOrCached(lockBytes);
    this.lockText = bytes ? new TextDecoder().decode(bytes) : "";
    this.mod.FS.mkdirTree(TMP_DIR);
    (this.mod as unknown as { pinnacePackages: unknown }).pinnacePackages = this;
  }

  /** The lock file; with a cache directory and an http(s) index, a copy is kept there, and
   * used (with a warning) when the index cannot be reached: an app that was online once starts
   * offline with the packages it has.  Any other failure is the caller's error. */
  private async lockOrCached(lockBytes: Promise<Uint8Array | null>): Promise<Uint8Array | null> {
    const n = this.node;
    const file =
      n && this.cacheDir && /^https?:/.test(this.indexURL)
        ? n.path.join(this.cacheDir, `lock-${n.crypto.createHash("sha256").update(this.indexURL).digest("hex")}.json`)
        : undefined;
    let bytes: Uint8Array | null;
    try {
      bytes = await lockBytes;
    } catch (e: any) {
      if (!file || !/: network error \(/.test(String(e?.message)) || !n!.fs.existsSync(file)) throw e;
      console.warn(`Pinnace: ${e.message}\nPinnace: using the copy of ${LOCK_NAME} cached in ${file}`);
      return new Uint8Array(n!.fs.readFileSync(file));
    }
    if (file && bytes) {
      n!.fs.mkdirSync(this.cacheDir!, { recursive: true });
      n!.fs.writeFileSync(`${file}.${process.pid}.part`, bytes);
      n!.fs.renameSync(`${file}.${process.pid}.part`, file);
    }
    return bytes;
  }

  /** The cache directory: the one given; by default none for a file: index (read in place),
   * else Electron's user-data directory in Electron's main process and
   * ~/.cache/pinnace-packages in Node; none elsewhere.  Never inside an ASAR archive. */
  private async chooseCacheDir(n: NodeModules): Promise<string | undefined> {
    const given = this.options.packageCacheDir;
    let dir: string | undefined;
    if (given) dir = n.path.resolve(given);
    else if (given === null || this.indexURL.startsWith("file:")) return undefined;
    else if (this.host.environment === "electron-main") {
      dir = n.path.join(await electronUserData(this.host), "pinnace-packages");
    } else if (this.host.environment === "node") {
      dir = n.path.join(n.os.homedir(), ".cache", "pinnace-packages");
    } else {
      // Electron's other contexts cannot ask `app` (main-process only) for the user-data
      // directory: renderers use the Cache API, utility processes cache nothing, unless given.
      return undefined;
    }
    if (isInsideAsar(dir)) {
      throw new PackageError(
        `packageCacheDir ${dir} is inside an ASAR archive, which is read-only; ` +
          `use a writable directory such as app.getPath("userData")`,
      );
    }
    return dir;
  }

  urlOf(entry: LockEntry): string {
    return new URL(entry.file_name, this.indexURL).href;
  }

  // ------------------------------------------------------------------ the bridge (sync)
  /** Entry point of `_pinnace_packages.call(op, arg)`.  Throws Error on failure. */
  call(op: string, arg: string): string {
    if (op === "lock") return this.lockText;
    if (op === "mode") return this.syncMode();
    if (op === "fetch") {
      const entries = JSON.parse(arg) as LockEntry[];
      return JSON.stringify(entries.map((e) => ({ path: this.fetchSync(e), url: this.urlOf(e) })));
    }
    if (op === "fetch_url") return this.fetchURLSync(arg);
    if (op === "resumed") {
      this.jspi?.resumed();
      return "";
    }
    throw new Error(`unknown package bridge operation ${op}`);
  }

  /** How an import fetches here: "sync" (synchronously), "jspi" (suspending Python, where it
   * was entered through the asyncio loop), otherwise the reason it cannot. */
  syncMode(): string {
    if (this.host.kind === "node") return "sync";
    if (this.host.kind === "worker" && typeof XMLHttpRequest !== "undefined") return "sync";
    if (this.jspi) return "jspi";
    return "a browser's main thread cannot download synchronously";
  }

  /** `_pinnace_packages.suspend(op, arg)` (while Python is suspended): "fetch" downloads lock
   * entries like the synchronous "fetch" (Cache API, sha256 checked) and returns their paths;
   * "preload" compiles the side modules of what Python has just installed. */
  private async suspendedOp(op: string, arg: string): Promise<string> {
    if (op === "fetch") {
      const entries = JSON.parse(arg) as LockEntry[];
      const items = await this.downloadAll(entries, {});
      return JSON.stringify(items.map(({ path, url }) => ({ path, url })));
    }
    if (op === "preload") {
      await this.preloadLibraries(JSON.parse(arg) as string[]);
      return "";
    }
    throw new Error(`unknown package operation ${op}`);
  }

  private tmpPath(entry: LockEntry): string {
    return `${TMP_DIR}/${++this.seq}-${entry.file_name}`;
  }

  private fail(entry: LockEntry, url: string, reason: string): PackageError {
    return new PackageError(`package ${entry.name}: could not fetch ${url}: ${reason}`, entry.name, url);
  }

  /** Download one file synchronously into the Emscripten FS; returns its path there. */
  private fetchSync(entry: LockEntry): string {
    const url = this.urlOf(entry);
    let bytes: Uint8Array;
    if (this.host.kind === "node") {
      bytes = this.nodeFetchSync(entry, url);
    } else {
      try {
        bytes = this.rawFetchSync(url);
      } catch (e: any) {
        throw this.fail(entry, url, String(e?.message ?? e));
      }
    }
    const path = this.tmpPath(entry);
    this.mod.FS.writeFile(path, bytes);
    return path;
  }

  private nodeFetchSync(entry: LockEntry, url: string): Uint8Array {
    const cached = this.cacheRead(entry);
    if (cached) return cached;
    let bytes: Uint8Array;
    try {
      bytes = this.rawFetchSync(url);
    } catch (e: any) {
      throw this.fail(entry, url, String(e?.message ?? e));
    }
    this.cacheWrite(entry, bytes);
    return bytes;
  }

  /** The bytes at `url`, synchronously (Node: file read or a child process; workers: XHR).
   * Throws an Error whose message is the reason alone. */
  private rawFetchSync(url: string): Uint8Array {
    if (this.host.kind !== "node") {
      const xhr = new XMLHttpRequest();
      xhr.open("GET", url, false);
      xhr.responseType = "arraybuffer";
      try {
        xhr.send();
      } catch (e: any) {
        throw new Error(`network error (${e?.message ?? e})`);
      }
      if (xhr.status !== 200) throw new Error(`HTTP ${xhr.status} ${xhr.statusText}`.trim());
      return new Uint8Array(xhr.response as ArrayBuffer);
    }
    const n = this.node!;
    if (url.startsWith("file:")) {
      try {
        return new Uint8Array(n.fs.readFileSync(n.url.fileURLToPath(url)));
      } catch (e: any) {
        throw new Error(e?.code === "ENOENT" ? "file not found" : String(e?.message ?? e));
      }
    }
    const out = n.path.join(n.os.tmpdir(), `pinnace-fetch-${process.pid}-${++this.seq}`);
    try {
      // Electron's binary is node only with ELECTRON_RUN_AS_NODE (the runAsNode fuse).
      const env = this.host.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: "1" } : process.env;
      const res = n.child.spawnSync(process.execPath, ["-e", NODE_FETCH_SCRIPT, url, out], { encoding: "utf8", env });
      if (res.status !== 0) throw new Error(res.stderr || res.error?.message || `exit ${res.status}`);
      return new Uint8Array(n.fs.readFileSync(out));
    } finally {
      n.fs.rmSync(out, { force: true });
    }
  }

  /** `fetch_url` of the bridge: any URL (pinnace.install's index pages and wheels) into a
   * temporary file of the Emscripten FS, whose path it returns. */
  private fetchURLSync(url: string): string {
    return this.writeTmp(this.rawFetchSync(url));
  }

  private writeTmp(bytes: Uint8Array): string {
    const path = `${TMP_DIR}/${++this.seq}-url`;
    this.mod.FS.writeFile(path, bytes);
    return path;
  }

  // -------------------------------------------------------------- Node cache directory
  private cacheFile(entry: LockEntry): string | undefined {
    return this.cacheDir && this.node!.path.join(this.cacheDir, `${entry.sha256}-${entry.file_name}`);
  }

  private cacheRead(entry: LockEntry): Uint8Array | undefined {
    const file = this.cacheFile(entry);
    if (!file || !this.node!.fs.existsSync(file)) return undefined;
    const bytes = new Uint8Array(this.node!.fs.readFileSync(file));
    if (this.node!.crypto.createHash("sha256").update(bytes).digest("hex") === entry.sha256) {
      this.cacheHits++;
      return bytes;
    }
    this.node!.fs.rmSync(file, { force: true }); // damaged: fetch again
    return undefined;
  }

  private cacheWrite(entry: LockEntry, bytes: Uint8Array): void {
    const file = this.cacheFile(entry);
    if (!file) return;
    if (this.node!.crypto.createHash("sha256").update(bytes).digest("hex") !== entry.sha256) return;
    this.node!.fs.mkdirSync(this.cacheDir!, { recursive: true });
    const tmp = `${file}.${process.pid}.part`;
    this.node!.fs.writeFileSync(tmp, bytes);
    this.node!.fs.renameSync(tmp, file);
  }

  // ------------------------------------------------------------------ async (loadPackage)
  private async sha256(bytes: Uint8Array): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  private async fetchAsync(entry: LockEntry, options: PackageOptions): Promise<Uint8Array> {
    const url = this.urlOf(entry);
    const total = entry.size ?? 0;
    const report = (loaded: number) => options.onProgress?.({ package: entry.name, loaded, total });
    const cached = this.cacheRead(entry);
    if (cached) {
      report(cached.length);
      return cached;
    }
    if (url.startsWith("file:")) {
      // Local files are read in place (Electron: also from inside an ASAR archive).
      let bytes: Uint8Array;
      try {
        bytes = this.host.kind === "node" ? this.rawFetchSync(url) : await readFileURL(url, this.host);
      } catch (e: any) {
        throw this.fail(entry, url, String(e?.message ?? e));
      }
      this.cacheWrite(entry, bytes);
      report(bytes.length);
      return bytes;
    }
    const cache =
      typeof caches !== "undefined" && !this.cacheDir && this.host.kind !== "node" ? await caches.open(CACHE_NAME) : null;
    if (cache) {
      const hit = await cache.match(url);
      if (hit) {
        const bytes = new Uint8Array(await hit.arrayBuffer());
        if ((await this.sha256(bytes)) === entry.sha256) {
          report(bytes.length);
          return bytes;
        }
        await cache.delete(url);
      }
    }
    let resp: Response;
    try {
      resp = await fetch(url);
    } catch (e: any) {
      throw this.fail(entry, url, `network error (${e?.cause?.message ?? e?.message ?? e})`);
    }
    if (!resp.ok) throw this.fail(entry, url, `HTTP ${resp.status} ${resp.statusText}`.trim());
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    try {
      const reader = resp.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        report(loaded);
      }
    } catch (e: any) {
      throw this.fail(entry, url, `network error after ${loaded} bytes (${e?.cause?.message ?? e?.message ?? e})`);
    }
    const bytes = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    const digest = await this.sha256(bytes);
    if (digest !== entry.sha256) {
      throw new PackageError(
        `package ${entry.name}: ${url} has sha256 ${digest}, but ${LOCK_NAME} says ${entry.sha256} ` +
          `(${bytes.length} bytes received); refusing to install it`,
        entry.name,
        url,
      );
    }
    if (this.cacheDir) this.cacheWrite(entry, bytes);
    else if (cache) await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>));
    return bytes;
  }

  private python(code: string): string {
    try {
      return this.runPy(code);
    } catch (e: any) {
      const lines = String(e?.message ?? e).trim().split("\n");
      const last = lines[lines.length - 1].replace(/^[\w.]*(PackageError|Error): /, "");
      throw new PackageError(last);
    }
  }

  /** Install packages (package or import names) with their dependencies. */
  async loadPackage(names: string | string[], options: PackageOptions = {}): Promise<string[]> {
    const list = typeof names === "string" ? [names] : names;
    if (this.jspi?.suspendedOn) await this.jspi.free(); // wait for a lazy import to finish
    const plan = JSON.parse(
      this.python(`__import__("pinnace._packages")._packages.plan_json(${JSON.stringify(JSON.stringify(list))})`),
    ) as LockEntry[];
    if (plan.length === 0) return [];
    const items = await this.downloadAll(plan, options);
    if (this.jspi?.suspendedOn) await this.jspi.free();
    let libs: string[];
    try {
      libs = JSON.parse(
        this.python(`__import__("pinnace._packages")._packages.install_files_json(${JSON.stringify(JSON.stringify(items))})`),
      );
    } finally {
      for (const it of items) if (this.mod.FS.analyzePath(it.path).exists) this.mod.FS.unlink(it.path);
    }
    await this.preloadLibraries(libs);
    return plan.map((e) => e.name);
  }

  /** Download every entry (in parallel) into temporary files: all or, on a failure, none. */
  private async downloadAll(plan: LockEntry[], options: PackageOptions) {
    const settled = await Promise.allSettled(plan.map((e) => this.fetchAsync(e, options)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    return plan.map((entry, i) => {
      const path = this.tmpPath(entry);
      this.mod.FS.writeFile(path, (settled[i] as PromiseFulfilledResult<Uint8Array>).value);
      return { entry, path, url: this.urlOf(entry) };
    });
  }

  /** Compile and instantiate side modules ahead of Python's dlopen(): a browser's main thread
   * may not compile large modules synchronously. */
  async preloadLibraries(paths: string[]): Promise<void> {
    const mod = this.mod as unknown as {
      loadWebAssemblyModule(b: Uint8Array, flags: object, name: string, scope: object): Promise<object>;
      preloadedWasm: Record<string, object>;
    };
    for (const path of paths) {
      if (mod.preloadedWasm[path]) continue;
      const bytes = this.mod.FS.readFile(path);
      mod.preloadedWasm[path] = await mod.loadWebAssemblyModule(bytes, { loadAsync: true, nodelete: true }, path, {});
    }
  }

  /** The not-installed packages that `code` imports (the pre-scan of runPythonAsync). */
  importsOf(code: string): string[] {
    return JSON.parse(
      this.python(`__import__("json").dumps(__import__("pinnace.importer").importer.scan_imports(${JSON.stringify(code)}))`),
    );
  }

  /** An operation a coroutine awaits (the asynchronous twin of `call`); pinnace.install
   * awaits its promise through the FFI (the module `_pinnace_packages_js`). */
  async perform(op: string, arg: string): Promise<string> {
    if (op === "fetch_url") {
      if (arg.startsWith("file:")) return this.fetchURLSync(arg);
      let resp: Response;
      try {
        resp = await fetch(arg);
      } catch (e: any) {
        throw new Error(`network error (${e?.cause?.message ?? e?.message ?? e})`);
      }
      if (!resp.ok) throw new Error(`HTTP ${resp.status} ${resp.statusText}`.trim());
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await resp.arrayBuffer());
      } catch (e: any) {
        throw new Error(`network error (${e?.cause?.message ?? e?.message ?? e})`);
      }
      return this.writeTmp(bytes);
    }
    if (op === "load") return JSON.stringify(await this.loadPackage(JSON.parse(arg) as string[]));
    throw new Error(`unknown package operation ${op}`);
  }
}

/** Electron's user-data directory, from the main process's `electron` module. */
async function electronUserData(host: Host): Promise<string> {
  const { createRequire } = await nodeModule<typeof import("node:module")>("module");
  const { pathToFileURL } = await nodeModule<typeof import("node:url")>("url");
  const base = (import.meta as { url?: string }).url ?? pathToFileURL(process.cwd() + "/").href;
  const electron = createRequire(base)("electron") as { app?: { getPath(name: string): string } };
  if (!electron.app) {
    throw new PackageError(
      `Electron (${host.environment}) has no \`app\` here to ask for the user-data directory; ` +
        "pass loadPinnace({ packageCacheDir }) or packageCacheDir: null",
    );
  }
  try {
    return electron.app.getPath("userData");
  } catch (e: any) {
    throw new PackageError(
      `Electron's app.getPath("userData") failed (${e?.message ?? e}); pass ` +
        "loadPinnace({ packageCacheDir }) or packageCacheDir: null",
    );
  }
}
