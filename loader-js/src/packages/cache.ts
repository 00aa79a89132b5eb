// Where downloaded package files are kept between runs: one interface, two implementations.
// A directory in Node and Electron (cache-location.ts chooses it), the Cache API in browsers.
// Every cached file is checked against the lock's sha256 when it is read; a damaged one is
// dropped with a warning (console.warn, once: it is gone), and fetched again.
import { LOCK_NAME, type LockEntry } from "./lock.js";
import type { NodeModules } from "./node.js";
import type { Digest } from "./fetch.js";

export interface PackageCache {
  readonly kind: "directory" | "cache-api";
  /** The package file's bytes if cached and intact. */
  get(entry: LockEntry, url: string): Promise<Uint8Array | undefined>;
  /** Keep bytes already checked against the lock. */
  put(entry: LockEntry, url: string, bytes: Uint8Array): Promise<void>;
}

/** The warning for a cached file that no longer matches the lock (dropped, fetched again). */
export function warnDamaged(entry: LockEntry, where: string): void {
  console.warn(`Pinnace: the cached copy of ${entry.file_name} in ${where} does not match the sha256 ` +
               `in ${LOCK_NAME} (damaged or changed since it was cached); dropped, fetching it again`);
}

/** The file name of a package in a cache directory: its lock digest and file name. */
export function cacheFileName(entry: LockEntry): string {
  return `${entry.sha256}-${entry.file_name}`;
}

/** The file name of the copy of an index's lock file, from the digest of the index URL. */
export function lockCopyName(indexURLDigest: string): string {
  return `lock-${indexURLDigest}.json`;
}

/** A directory of package files (Node's fs); synchronous too, for imports that fetch on the spot. */
export class DirectoryCache implements PackageCache {
  readonly kind = "directory";
  /** How many package files came from the directory (for tests and diagnostics). */
  hits = 0;

  constructor(readonly dir: string, private readonly node: NodeModules, private readonly digest: Digest) {}

  private file(name: string): string {
    return this.node.path.join(this.dir, name);
  }

  getSync(entry: LockEntry): Uint8Array | undefined {
    const file = this.file(cacheFileName(entry));
    if (!this.node.fs.existsSync(file)) return undefined;
    const bytes = new Uint8Array(this.node.fs.readFileSync(file));
    if (this.digest.sync!(bytes) === entry.sha256) {
      this.hits++;
      return bytes;
    }
    this.node.fs.rmSync(file, { force: true });
    warnDamaged(entry, this.dir);
    return undefined;
  }

  /** Keep bytes (only if they match the lock: the sync path leaves checking to Python). */
  putSync(entry: LockEntry, bytes: Uint8Array): void {
    if (this.digest.sync!(bytes) !== entry.sha256) return;
    this.writeAtomically(cacheFileName(entry), bytes);
  }

  async get(entry: LockEntry): Promise<Uint8Array | undefined> {
    return this.getSync(entry);
  }

  async put(entry: LockEntry, _url: string, bytes: Uint8Array): Promise<void> {
    this.putSync(entry, bytes);
  }

  /** The copy of the lock file of the index at `indexURL`, kept for starting offline. */
  lockCopyPath(indexURL: string): string {
    return this.file(lockCopyName(this.digest.sync!(new TextEncoder().encode(indexURL))));
  }

  keepLockCopy(indexURL: string, bytes: Uint8Array): void {
    this.writeAtomically(this.node.path.basename(this.lockCopyPath(indexURL)), bytes);
  }

  readLockCopy(indexURL: string): Uint8Array | undefined {
    const file = this.lockCopyPath(indexURL);
    return this.node.fs.existsSync(file) ? new Uint8Array(this.node.fs.readFileSync(file)) : undefined;
  }

  private writeAtomically(name: string, bytes: Uint8Array): void {
    const fs = this.node.fs;
    fs.mkdirSync(this.dir, { recursive: true });
    const file = this.file(name);
    const tmp = `${file}.${process.pid}.part`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  }
}

const CACHE_NAME = "pinnace-packages";

/** The browser's Cache API, keyed by URL (opened on first use: where the page's origin may not
 * use it, only an http(s) download finds out). */
export class CacheApiCache implements PackageCache {
  readonly kind = "cache-api";
  private opened?: Promise<Cache>;

  constructor(private readonly digest: Digest) {}

  /** Whether this context has the Cache API. */
  static available(): boolean {
    return typeof caches !== "undefined";
  }

  private cache(): Promise<Cache> {
    return (this.opened ??= caches.open(CACHE_NAME));
  }

  async get(entry: LockEntry, url: string): Promise<Uint8Array | undefined> {
    const cache = await this.cache();
    const hit = await cache.match(url);
    if (!hit) return undefined;
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if ((await this.digest.async(bytes)) === entry.sha256) return bytes;
    await cache.delete(url);
    warnDamaged(entry, `the browser's Cache API ("${CACHE_NAME}")`);
    return undefined;
  }

  async put(_entry: LockEntry, url: string, bytes: Uint8Array): Promise<void> {
    await (await this.cache()).put(url, new Response(bytes as Uint8Array<ArrayBuffer>));
  }
}
