// Folders of Python's file system that are not in memory, from loadPinnace({ mounts }):
// - a host folder, where Node's fs is reachable (Node, Electron's main and utility processes):
//   Emscripten's NODEFS, read-write, or read-only (every write fails with EROFS, as on a
//   read-only mount);
// - a persistent folder in a browser (a page or a worker): Emscripten's IDBFS, an in-memory
//   folder whose files are loaded from IndexedDB at start and written back when a written file
//   is closed, a file or folder is made, removed or renamed (IDBFS's autoPersist), after every
//   runPython and runPythonAsync, and on demand (`syncFiles()`).  With `persist: "opfs"` the
//   store is the origin-private file system instead (opfs.ts), through the same hooks: the
//   mount is IDBFS's, and its syncfs goes to OPFS for such a mount.
import { StartError } from "./errors.js";
import { nodeFs, type Host } from "./environment.js";
import { hostDescriptorStat, hostFileAttributes } from "./fs-fixes.js";
import type { EmModule } from "./module.js";
import { opfsAvailable, storeInOpfs } from "./opfs.js";

/** A mount: a host folder's path, `{ path, readOnly }`, or `{ persist: "indexeddb" | "opfs" }`. */
export type MountOption = string | { path: string; readOnly?: boolean } | { persist: "indexeddb" | "opfs" };

const EROFS = 69;

interface Mount {
  mountpoint: string;
  opts: { readOnly?: boolean; autoPersist?: boolean; opfs?: boolean };
}

interface MountFS {
  lookupPath(path: string): { node: { mount: Mount } };
  nodePermissions(node: { mount?: Mount }, perms: string): number;
  filesystems: Record<string, any>;
  mkdirTree(path: string): void;
  mount(type: unknown, opts: object, mountpoint: string): void;
  ErrnoError: new (errno: number) => Error;
}

/** The persistent folders of a started module, and how to write them back. */
export class Mounts {
  private constructor(private readonly idbfs: any, private readonly persistent: Mount[]) {}

  /** Make the mounts of `options` in the module's file system (before Python starts). */
  static async make(mod: EmModule, host: Host, options: Record<string, MountOption>): Promise<Mounts> {
    const FS = mod.FS as unknown as MountFS;
    const persistent: Mount[] = [];
    for (const [mountpoint, option] of Object.entries(options)) {
      if (!mountpoint.startsWith("/") || mountpoint === "/") {
        throw new StartError(`mounts: ${JSON.stringify(mountpoint)} must be an absolute path below /`);
      }
      if (typeof option === "object" && option !== null && "persist" in option) {
        persistent.push(await persistentFolder(FS, host, mountpoint, option.persist));
      } else {
        const { path, readOnly = false } = typeof option === "string" ? { path: option } : option;
        await hostFolder(mod, host, mountpoint, path, readOnly);
      }
    }
    return new Mounts(FS.filesystems.IDBFS, persistent);
  }

  /** Write every persistent folder back now; resolves when it is stored. */
  async sync(): Promise<void> {
    await Promise.all(this.persistent.map((m) => syncfs(this.idbfs, m, false)));
  }

  /** Write persistent folders back soon (after a run): queued, as IDBFS queues its own. */
  afterRun(): void {
    for (const m of this.persistent) this.idbfs.queuePersist(m);
  }
}

function syncfs(idbfs: any, mount: Mount, populate: boolean): Promise<void> {
  return new Promise((resolve, reject) =>
    idbfs.syncfs(mount, populate, (err: unknown) => (err ? reject(err) : resolve())));
}

async function persistentFolder(FS: MountFS, host: Host, mountpoint: string, kind: string): Promise<Mount> {
  if (kind !== "indexeddb" && kind !== "opfs") {
    throw new StartError(`mounts: ${mountpoint}: persist ${JSON.stringify(kind)} is not known; ` +
                         'use persist: "indexeddb" or "opfs"');
  }
  const opfs = kind === "opfs";
  const missing = opfs ? !opfsAvailable() : typeof indexedDB === "undefined";
  if (missing) {
    throw new StartError(`mounts: ${mountpoint}: persist "${kind}" needs a browser's ` +
                         `${opfs ? "origin-private file system" : "IndexedDB"}, which ${host.environment} ` +
                         "does not have" + (host.nodeAPIs ? "; mount a host folder instead: { path }" : ""));
  }
  const IDBFS = FS.filesystems.IDBFS;
  if (opfs) storeInOpfs(IDBFS, FS);
  FS.mkdirTree(mountpoint);
  FS.mount(IDBFS, { autoPersist: true, opfs }, mountpoint);
  const mount = FS.lookupPath(mountpoint).node.mount;
  try {
    await syncfs(IDBFS, mount, true);
  } catch (e) {
    throw new StartError(`mounts: ${mountpoint}: could not read its files from ` +
                         `${opfs ? "the origin-private file system" : "IndexedDB"}: ${describe(e)}`);
  }
  return mount;
}

async function hostFolder(mod: EmModule, host: Host, mountpoint: string, path: string,
                          readOnly: boolean): Promise<void> { // fmt: skip
  const fs = await nodeFs(host);
  if (!fs) {
    throw new StartError(`mounts: ${mountpoint}: a host folder can be mounted only where Node's fs ` +
                         `is reachable, not in ${host.environment}` +
                         (typeof indexedDB !== "undefined" ? '; for files that persist use { persist: "indexeddb" }' : ""));
  }
  let isFolder = false;
  try {
    isFolder = fs.statSync(path).isDirectory();
  } catch (e) {
    throw new StartError(`mounts: ${mountpoint}: ${path}: ${describe(e)}`);
  }
  if (!isFolder) throw new StartError(`mounts: ${mountpoint}: ${path} is not a folder`);
  const FS = mod.FS as unknown as MountFS;
  fixHostFolders(mod, fs);
  FS.mkdirTree(mountpoint);
  FS.mount(FS.filesystems.NODEFS, { root: path, readOnly }, mountpoint);
}

function describe(e: unknown): string {
  return String((e as { message?: string })?.message ?? e);
}

let fixed = false;

/** Patch NODEFS once per process: the file-system fixes of host folders (fs-fixes.ts) and the
 * refusal of writes in read-only mounts. */
export function fixHostFolders(mod: EmModule, fs: typeof import("node:fs")): void {
  if (fixed) return;
  fixed = true;
  const FS = mod.FS as unknown as MountFS;
  const NODEFS = FS.filesystems.NODEFS;
  hostFileAttributes(NODEFS, fs, FS.ErrnoError);
  hostDescriptorStat((nfd) => {
    const s = fs.fstatSync(nfd); // the fields NODEFS's getattr gives
    return { dev: s.dev, ino: s.ino, mode: s.mode, nlink: s.nlink, uid: s.uid, gid: s.gid,
             rdev: s.rdev, size: s.size, atime: s.atime, mtime: s.mtime, ctime: s.ctime,
             blksize: s.blksize, blocks: s.blocks }; // fmt: skip
  });
  // Read-only mounts: creating, removing, renaming and opening for writing ask for "w"
  // permission (of the folder, or of the file); chmod, chown, utime and truncate go through
  // setattr.
  const permissions = FS.nodePermissions.bind(FS);
  FS.nodePermissions = (node, perms) =>
    perms.includes("w") && node.mount?.opts.readOnly ? EROFS : permissions(node, perms);
  const setattr = NODEFS.node_ops.setattr;
  NODEFS.node_ops.setattr = (node: { mount?: Mount }, attr: object) => {
    if (node.mount?.opts.readOnly) throw new FS.ErrnoError(EROFS);
    return setattr(node, attr);
  };
}
