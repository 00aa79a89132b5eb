// The package manager: fetches the files of lock packages (cache first), hands their bytes to
// Python, which verifies every byte against the lock's sha256 and installs them, and compiles
// side modules ahead of dlopen where it must.  Python reaches it through the table of ops()
// (ops.ts); JS code through loadPackage and importsOf.  The parts it is made of, each its own
// module: the lock file (lock.ts), the cache and where it lives (cache.ts, cache-location.ts),
// fetching (fetch.ts), the calls into Python (python.ts).
import { FetchError, InternalError, LoadError, PackageError } from "../errors.js";
import { nodeFs, type Host } from "../environment.js";
import { fetchBytes } from "../fetch.js";
import { PythonRequests, syncRequester } from "../http.js";
import { tcpConnect, type TcpEvents, type TcpHandle } from "../tcp.js";
import type { NodeModules } from "./node.js";
import type { Bridge } from "../ffi/bridge.js";
import type { Jspi } from "../jspi.js";
import { DOWNLOADS_DIR, type EmModule } from "../module.js";
import { CacheApiCache, DirectoryCache, type PackageCache } from "./cache.js";
import { chooseCacheDir, noFilesHere } from "./cache-location.js";
import { checkSha256, makeDigest, syncFetcher, type Digest, type SyncFetch } from "./fetch.js";
import { entryOf, entryURL, LOCK_NAME, parseLock, type Lock, type LockEntry } from "./lock.js";
import { loadNodeModules } from "./node.js";
import { Way, type Fetched, type PackageOps } from "./ops.js";
import { PythonPackages } from "./python.js";

const TMP_DIR = DOWNLOADS_DIR;

// Where shared_library packages (libopenblas) are installed: runtime/pinnace/_packages.py.
const DYNLIB_DIR = "/lib/dynlib/";

/** The name a side module is loaded under: a shared library of DYNLIB_DIR by its file name, the
 * name other modules give it as a dynamic dependency (Emscripten 3.1.69 finds a needed library
 * only among those loaded or preloaded under exactly that name, never in the file system); an
 * extension module by its path, the name Python's dlopen() gives. */
export function libraryName(path: string): string {
  return path.startsWith(DYNLIB_DIR) ? path.slice(DYNLIB_DIR.length) : path;
}

/** What Emscripten's dynamic linker offers for loading side modules ahead of dlopen. */
interface SideModules {
  loadWebAssemblyModule(b: Uint8Array, flags: { loadAsync: true; nodelete: boolean }, name: string, scope: object): Promise<object>;
  loadWebAssemblyModule(b: Uint8Array, flags: { loadAsync: false; nodelete: boolean }, name: string, scope: object): object;
  preloadedWasm: Record<string, object>;
}

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

export interface ManagerConfig {
  mod: EmModule;
  bridge: Bridge;
  /** where the lock file and the package files are */
  indexURL: string;
  /** files found elsewhere than indexURL, by file name (loadPinnace's fileURLs) */
  fileURLs: Record<string, string>;
  host: Host;
  /** the lock file's bytes (null: the distribution has none), as loadPinnace fetches them */
  lockBytes: Promise<Uint8Array | null>;
  packageCacheDir?: string | null;
  /** set where a lazy import may suspend Python while it downloads (jspi.ts) */
  jspi?: Jspi;
  /** ms a download may receive nothing before it fails (loadPinnace's downloadTimeout) */
  downloadTimeout: number;
  /** loadPinnace's onPackageProgress: every download, whichever path asked for it */
  onProgress?: (p: PackageProgress) => void;
}

export class PackageManager {
  private seq = 0;

  private constructor(
    private readonly config: ManagerConfig,
    readonly lock: Lock,
    private readonly python: PythonPackages,
    private readonly digest: Digest,
    private readonly cache: PackageCache | undefined,
    private readonly fetchNow: SyncFetch | undefined,
    private readonly requests: PythonRequests,
    private readonly node: NodeModules | undefined,
  ) {
    config.mod.FS.mkdirTree(TMP_DIR);
  }

  /** The manager of a started module: its cache chosen, its lock file read. */
  static async create(config: ManagerConfig): Promise<PackageManager> {
    const { host, indexURL, packageCacheDir } = config;
    const node = host.nodeAPIs && (await nodeFs(host)) ? await loadNodeModules() : undefined;
    if (!node && packageCacheDir) throw noFilesHere(packageCacheDir, host);
    const digest = makeDigest(node);
    const dir = node ? await chooseCacheDir(packageCacheDir, indexURL, host, node) : undefined;
    const cache = dir
      ? new DirectoryCache(dir, node!, digest)
      : host.kind !== "node" && CacheApiCache.available() ? new CacheApiCache(digest) : undefined;
    const lockCopies = cache instanceof DirectoryCache && /^https?:/.test(indexURL) ? cache : undefined;
    const lock = parseLock(await lockOrCopy(config.lockBytes, indexURL, lockCopies), indexURL + LOCK_NAME);
    const requests = new PythonRequests(config.mod.FS, TMP_DIR, syncRequester(host, node?.threads),
                                        host.kind === "node");
    return new PackageManager(config, lock, new PythonPackages(config.bridge), digest, cache,
                              syncFetcher(host, node, config.downloadTimeout), requests, node);
  }

  /** The directory caching downloaded packages (Node's fs), if any. */
  get cacheDir(): string | undefined {
    return this.cache instanceof DirectoryCache ? this.cache.dir : undefined;
  }

  /** How many package files came from cacheDir (for tests and diagnostics). */
  get cacheHits(): number {
    return this.cache instanceof DirectoryCache ? this.cache.hits : 0;
  }

  /** How an import fetches here: "sync" (synchronously), "jspi" (suspending Python, where it
   * was entered through the asyncio loop), otherwise the reason it cannot. */
  syncMode(): string {
    if (this.fetchNow) return "sync";
    if (this.config.jspi) return "jspi";
    return "a browser's main thread cannot download synchronously";
  }

  /** The operations Python reaches (ops.ts: PACKAGE_OPS names them). */
  ops(): PackageOps {
    return {
      [Way.Sync]: {
        lock: () => this.lock.text,
        mode: () => this.syncMode(),
        fetch: (names) => this.fetchAllNow(names.map((n) => entryOf(this.lock, n))),
        fetch_url: (url) => this.writeTmp(this.fetchURLNow(url), "url"),
        preload: (paths) => this.preloadLibrariesNow(paths),
        resumed: () => this.config.jspi?.resumed(),
        request: (json) => JSON.stringify(this.requests.requestNow(JSON.parse(json))),
        tcp_connect: (host, port, events) => this.tcpConnect(host, port, events),
      },
      [Way.Promise]: {
        fetch_url: async (url) => this.writeTmp(await this.fetchBytes(url), "url"),
        load: (names) => this.loadPackage(names),
        request: async (json) => JSON.stringify(await this.requests.request(JSON.parse(json))),
      },
      [Way.Suspend]: {
        fetch: (names) => this.downloadAll(names.map((n) => entryOf(this.lock, n)), {}),
        preload: (paths) => this.preloadLibraries(paths),
        request: (r) => this.requests.request(r),
      },
    };
  }

  private tcpConnect(host: string, port: number, events: TcpEvents): TcpHandle {
    if (!this.node) {
      throw new Error(`TCP connections need Node's net module (Node, Electron's main process), which ` +
                      `${this.config.host.environment} does not have`);
    }
    return tcpConnect(this.node.net, host, port, events);
  }

  /** What Python waits for while suspended on an operation, for errors ("package numpy"). */
  describeSuspension(op: string, arg: unknown): string {
    if (op === "fetch") return `package ${(arg as string[]).join(", ")}`;
    if (op === "request") return `an HTTP request to ${(arg as { url: string }).url}`;
    return "a package's shared libraries";
  }

  /** Install packages (package or import names) with their dependencies. */
  async loadPackage(names: string | string[], options: PackageOptions = {}): Promise<string[]> {
    const jspi = this.config.jspi;
    if (jspi?.suspendedOn) await jspi.free(); // wait for a lazy import to finish
    const plan = this.python.plan(typeof names === "string" ? [names] : [...names]);
    if (plan.length === 0) return [];
    const files = await this.downloadAll(plan, options);
    if (jspi?.suspendedOn) await jspi.free();
    let libs: string[];
    try {
      libs = this.python.install(files);
    } finally {
      this.removeTmp(files);
    }
    await this.preloadLibraries(libs);
    return plan.map((e) => e.name);
  }

  /** The not-installed packages that `code` imports (the pre-scan of runPythonAsync). */
  importsOf(code: string): string[] {
    return this.python.importsOf(code);
  }

  // ---------------------------------------------------------------- synchronous fetching
  private fetchURLNow(url: string): Uint8Array {
    if (!this.fetchNow) throw new InternalError(`Pinnace: ${this.config.host.environment} cannot fetch synchronously`);
    return this.fetchNow(url);
  }

  /** Download entries one after the other into temporary files: all, or on a failure none. */
  private fetchAllNow(entries: LockEntry[]): Fetched[] {
    const files: Fetched[] = [];
    try {
      for (const entry of entries) files.push(this.fetchOneNow(entry));
    } catch (e) {
      this.removeTmp(files);
      throw e;
    }
    return files;
  }

  private fetchOneNow(entry: LockEntry): Fetched {
    const url = entryURL(entry, this.config.indexURL, this.config.fileURLs);
    const dir = this.cache instanceof DirectoryCache ? this.cache : undefined;
    let bytes = dir?.getSync(entry);
    if (!bytes) {
      try {
        bytes = this.fetchURLNow(url);
      } catch (e) {
        throw e instanceof FetchError ? PackageError.fromFetch(entry.name, e) : e;
      }
      dir?.putSync(entry, bytes); // Python checks what it installs; the cache keeps only good bytes
    }
    this.report(entry, bytes.length);
    return { name: entry.name, path: this.writeTmp(bytes, entry.file_name), url };
  }

  /** Tell loadPackage's onProgress and loadPinnace's onPackageProgress how far a download is. */
  private report(entry: LockEntry, loaded: number, options: PackageOptions = {}): void {
    const progress = { package: entry.name, loaded, total: entry.size ?? 0 };
    options.onProgress?.(progress);
    this.config.onProgress?.(progress);
  }

  // --------------------------------------------------------------- asynchronous fetching
  private fetchBytes(url: string, onBytes?: (loaded: number) => void): Promise<Uint8Array> {
    return fetchBytes(url, onBytes, this.config.host, this.config.downloadTimeout);
  }

  /** Download every entry (in parallel) into temporary files: all or, on a failure, none. */
  private async downloadAll(plan: LockEntry[], options: PackageOptions): Promise<Fetched[]> {
    const settled = await Promise.allSettled(plan.map((e) => this.fetchOne(e, options)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    return plan.map((entry, i) => ({
      name: entry.name,
      path: this.writeTmp((settled[i] as PromiseFulfilledResult<Uint8Array>).value, entry.file_name),
      url: entryURL(entry, this.config.indexURL, this.config.fileURLs),
    }));
  }

  private async fetchOne(entry: LockEntry, options: PackageOptions): Promise<Uint8Array> {
    const url = entryURL(entry, this.config.indexURL, this.config.fileURLs);
    const report = (loaded: number) => this.report(entry, loaded, options);
    // Local files are read in place (Electron: also from inside an ASAR archive); the Cache
    // API keeps downloads only.
    const cache = url.startsWith("file:") && this.cache?.kind === "cache-api" ? undefined : this.cache;
    const cached = await cache?.get(entry, url);
    if (cached) {
      report(cached.length);
      return cached;
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.fetchBytes(url, report);
    } catch (e) {
      throw e instanceof FetchError ? PackageError.fromFetch(entry.name, e) : e;
    }
    checkSha256(entry, url, bytes, await this.digest.async(bytes));
    await cache?.put(entry, url, bytes);
    return bytes;
  }

  /** Compile and instantiate side modules ahead of Python's dlopen(): a browser's main thread
   * may not compile large modules synchronously.  `paths` come in dependency order (a shared
   * library before the extension modules that need it). */
  async preloadLibraries(paths: string[]): Promise<void> {
    const mod = this.sideModules();
    for (const [name, bytes] of this.notPreloaded(paths)) {
      mod.preloadedWasm[name] = await mod.loadWebAssemblyModule(bytes, { loadAsync: true, nodelete: true }, name, {});
    }
  }

  /** `preloadLibraries` at once, where compiling synchronously is allowed (Node, workers): the
   * shared libraries a synchronous import has just installed (extension modules are left to
   * dlopen). */
  preloadLibrariesNow(paths: string[]): void {
    const mod = this.sideModules();
    for (const [name, bytes] of this.notPreloaded(paths)) {
      mod.preloadedWasm[name] = mod.loadWebAssemblyModule(bytes, { loadAsync: false, nodelete: true }, name, {});
    }
  }

  /** The name each of `paths` is loaded under and its bytes, in order, once each, leaving out
   * those already loaded. */
  private *notPreloaded(paths: string[]): Generator<[string, Uint8Array]> {
    const { preloadedWasm } = this.sideModules();
    for (const path of paths) {
      const name = libraryName(path);
      if (!preloadedWasm[name]) yield [name, this.config.mod.FS.readFile(path)];
    }
  }

  private sideModules(): SideModules {
    return this.config.mod as unknown as SideModules;
  }

  // ------------------------------------------------------------------ temporary files
  private writeTmp(bytes: Uint8Array, name: string): string {
    // a lock's file_name may hold a path or a URL: only its last part, made a plain file name
    const base = name.slice(name.lastIndexOf("/") + 1).replace(/[^\w.+-]/g, "_");
    const path = `${TMP_DIR}/${++this.seq}-${base}`;
    this.config.mod.FS.writeFile(path, bytes);
    return path;
  }

  private removeTmp(files: Fetched[]): void {
    const { FS } = this.config.mod;
    for (const f of files) if (FS.analyzePath(f.path).exists) FS.unlink(f.path);
  }
}

/** The lock file; with a cache directory and an http(s) index, a copy is kept there, and used
 * (with a warning) when the index cannot be reached: an app that was online once starts
 * offline with the packages it has.  Any other failure is the caller's error. */
async function lockOrCopy(lockBytes: Promise<Uint8Array | null>, indexURL: string,
                          copies: DirectoryCache | undefined): Promise<Uint8Array | null> {
  let bytes: Uint8Array | null;
  try {
    bytes = await lockBytes;
  } catch (e) {
    const offline = e instanceof LoadError && e.failure?.kind === "network";
    const copy = offline ? copies?.readLockCopy(indexURL) : undefined;
    if (!copy) throw e;
    console.warn(`Pinnace: ${(e as Error).message}\nPinnace: using the copy of ${LOCK_NAME} cached in ` +
                 copies!.lockCopyPath(indexURL));
    return copy;
  }
  if (copies && bytes) copies.keepLockCopy(indexURL, bytes);
  return bytes;
}
