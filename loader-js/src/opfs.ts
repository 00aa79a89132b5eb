// A persistent folder stored in the origin-private file system (OPFS) instead of IndexedDB
// (mounts.ts, `persist: "opfs"`).  The mount is Emscripten's IDBFS with autoPersist, whose hooks
// queue a write-back after each change; for a mount with `opts.opfs`, IDBFS's syncfs is this:
// populate reads the OPFS folder (a folder per mount point, under "pinnace") into memory;
// a write-back writes the files whose time or size changed since the last one, makes the
// folders, and removes from OPFS what is no longer there.

interface Stat {
  mode: number;
  mtime: Date;
  size: number;
}

interface SyncFS {
  readdir(path: string): string[];
  stat(path: string): Stat;
  isDir(mode: number): boolean;
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array): void;
  mkdirTree(path: string): void;
  utime(path: string, atime: number, mtime: number): void;
}

type Dir = FileSystemDirectoryHandle & {
  entries(): AsyncIterable<[string, FileSystemHandle]>;
};

interface OpfsMount {
  mountpoint: string;
  opts: { opfs?: boolean };
  /** path (below the mount point) -> "mtime:size" of what OPFS holds, as of the last sync */
  opfsSeen?: Map<string, string>;
}

export function opfsAvailable(): boolean {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: unknown } } }).navigator?.storage;
  return typeof storage?.getDirectory === "function";
}

let patched = false;

/** Make IDBFS's syncfs go to OPFS for the mounts whose opts say `opfs`. */
export function storeInOpfs(IDBFS: { syncfs: Function }, FS: unknown): void {
  if (patched) return;
  patched = true;
  const original = IDBFS.syncfs;
  IDBFS.syncfs = (mount: OpfsMount, populate: boolean, callback: (err: unknown) => void) => {
    if (!mount.opts?.opfs) return original(mount, populate, callback);
    (populate ? load(FS as SyncFS, mount) : store(FS as SyncFS, mount)).then(() => callback(null), callback);
  };
}

async function root(mount: OpfsMount): Promise<Dir> {
  const top = await navigator.storage.getDirectory();
  let dir = await top.getDirectoryHandle("pinnace", { create: true });
  for (const part of mount.mountpoint.split("/").filter(Boolean)) {
    dir = await dir.getDirectoryHandle(part, { create: true });
  }
  return dir as Dir;
}

const stamp = (st: Stat): string => `${st.mtime.getTime()}:${st.size}`;

async function load(FS: SyncFS, mount: OpfsMount): Promise<void> {
  const seen = new Map<string, string>();
  const walk = async (dir: Dir, rel: string): Promise<void> => {
    for await (const [name, handle] of dir.entries()) {
      const path = `${rel}/${name}`;
      const full = mount.mountpoint + path;
      if (handle.kind === "directory") {
        FS.mkdirTree(full);
        seen.set(path, "dir");
        await walk(handle as Dir, path);
      } else {
        const file = await (handle as FileSystemFileHandle).getFile();
        FS.writeFile(full, new Uint8Array(await file.arrayBuffer()));
        FS.utime(full, file.lastModified, file.lastModified);
        seen.set(path, stamp(FS.stat(full)));
      }
    }
  };
  await walk(await root(mount), "");
  mount.opfsSeen = seen;
}

async function store(FS: SyncFS, mount: OpfsMount): Promise<void> {
  const seen = mount.opfsSeen ?? new Map<string, string>();
  const now = new Map<string, string>();
  const top = await root(mount);
  const walk = async (dir: Dir, rel: string): Promise<void> => {
    for (const name of FS.readdir(mount.mountpoint + rel)) {
      if (name === "." || name === "..") continue;
      const path = `${rel}/${name}`;
      const st = FS.stat(mount.mountpoint + path);
      if (FS.isDir(st.mode)) {
        now.set(path, "dir");
        await walk(await dir.getDirectoryHandle(name, { create: true }) as Dir, path);
        continue;
      }
      now.set(path, stamp(st));
      if (seen.get(path) === stamp(st)) continue;
      const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await writable.write(FS.readFile(mount.mountpoint + path) as Uint8Array<ArrayBuffer>);
      await writable.close();
    }
  };
  await walk(top, "");
  // what was stored and is gone now: deepest first, so that a folder is empty when removed
  const gone = [...seen.keys()].filter((p) => !now.has(p)).sort((a, b) => b.length - a.length);
  for (const path of gone) {
    const parts = path.split("/").filter(Boolean);
    let dir: FileSystemDirectoryHandle = top;
    try {
      for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
      await dir.removeEntry(parts[parts.length - 1], { recursive: true });
    } catch (e) {
      if ((e as { name?: string }).name !== "NotFoundError") throw e;
    }
  }
  mount.opfsSeen = now;
}
