// Defects of Emscripten 3.1.69's file system (MEMFS, the in-memory one of every host, and
// NODEFS, the host folders of `pinnace python`), patched here until the toolchain moves on; each
// is described at its function. All hosts (fixFileSystem, from startPython): a rename onto an
// existing file (renameOntoExisting), file times (fileTimes), symbolic links (symlinks), a path
// under a file (notADirectory), /dev/null's seek (fixFileSystem), fstat of an open file by its
// descriptor (fstatByDescriptor, an import wrapped before instantiation). Host folders
// (from node-cli.ts): their files' two times and links' modes (hostFileAttributes), fstat by the
// host descriptor (hostDescriptorStat). tests/runtime/test_file_system.py checks each on both.
import type { EmFS } from "./module.js";

interface FsNode {
  readonly name: string;
  readonly node_ops: { setattr(node: FsNode, attr: Record<string, number>): void };
}

interface PatchableFS {
  rename(oldPath: string, newPath: string): void;
  utime(path: string, atime: number, mtime: number): void;
  lookupPath(path: string, opts: { follow: boolean }): { node: FsNode };
  hashRemoveNode(node: FsNode): void;
}

/** What utime passes to a file system's setattr: `timestamp` for the file systems that keep
 * one time (MEMFS: the modification time), `atime`/`mtime` (milliseconds, -1 for "leave as
 * it is") for those that keep both (hostFileAttributes). */
interface TimesAttr {
  timestamp?: number;
  atime: number;
  mtime: number;
}

function nodeAt(fs: PatchableFS, path: string): FsNode | undefined {
  try {
    return fs.lookupPath(path, { follow: false }).node;
  } catch {
    return undefined; // no such path (the rename itself reports what is wrong)
  }
}

type SetAttr = (node: unknown, attr: Record<string, number>) => void;

/** setattr without chmod's and chown's timestamp (they pass no size and no utime times). */
function timesUntouchedByModeChanges(setattr: SetAttr): SetAttr {
  return (node, attr) => {
    if (attr.timestamp !== undefined && attr.size === undefined && attr.mtime === undefined) {
      const rest = { ...attr };
      delete rest.timestamp;
      setattr(node, rest);
      return;
    }
    setattr(node, attr);
  };
}

interface MemFsType {
  ops_table?: Record<string, { node: { setattr?: SetAttr } }>;
}

const ELOOP = 32; // Emscripten's errno numbers
const SYMLOOP_MAX = 40; // as Linux: symbolic links followed in one path resolution

interface LinkNode {
  mode: number;
  node_ops: { readlink?(node: LinkNode): string };
}

interface LookupFS {
  lookupPath(path: string, opts?: object): { node: LinkNode | null };
  readlink(path: string): string;
  isLink(mode: number): boolean;
}

/** Symbolic links, two defects:
 * - path resolution counted only the links that follow each other at one component (a link to
 *   a link to ...), so `a/loop/loop/loop/...` through a link to its own directory resolved
 *   without end: pathlib's glob(recurse_symlinks=True) over such a link never finished. Like
 *   Linux, a resolution now fails with ELOOP after 40 links in all.
 * - readlink gave the link's target resolved to an absolute path ("/tmp/d/fileA" for a link
 *   made as "fileA"); it gives the link's text now, as POSIX says (path resolution resolves
 *   the text itself, relative to the link's directory). */
function symlinks(FS: EmFS): void {
  const fs = FS as unknown as LookupFS;
  const lookupPath = fs.lookupPath.bind(fs);
  const readlink = fs.readlink.bind(fs);
  let depth = 0; // lookupPath calls itself for each link (and readlink calls it)
  let followed = 0;
  fs.lookupPath = (path: string, opts?: object) => {
    if (depth === 0) followed = 0;
    depth++;
    try {
      return lookupPath(path, opts);
    } finally {
      depth--;
    }
  };
  fs.readlink = (path: string): string => {
    if (depth > 0 && ++followed > SYMLOOP_MAX) throw new FS.ErrnoError(ELOOP);
    const { node } = fs.lookupPath(path);
    if (!node || !fs.isLink(node.mode) || !node.node_ops.readlink) return readlink(path); // its error
    return node.node_ops.readlink(node);
  };
}

interface DeviceFS {
  makedev(major: number, minor: number): number;
  getDevice(dev: number): { stream_ops: { llseek?: (...args: unknown[]) => number } } | undefined;
}

const ENOTDIR = 54;

interface CreateFS {
  mayCreate(dir: { mode: number }, name: string): number;
  isDir(mode: number): boolean;
}

/** Creating a file under a path whose parent is a file ("file/new") failed with EACCES; POSIX
 * says ENOTDIR (NotADirectoryError), which callers test for (tempfile, zipfile, tarfile). */
function notADirectory(FS: EmFS): void {
  const fs = FS as unknown as CreateFS;
  const mayCreate = fs.mayCreate.bind(fs);
  fs.mayCreate = (dir, name) => (fs.isDir(dir.mode) ? mayCreate(dir, name) : ENOTDIR);
}

/** A rename onto an existing file left the replaced file's node in the name table that path
 * lookups consult first. Once the renamed file was removed, the next lookup of the name found
 * the stale node: in MEMFS a new file of that name was written into it, outside its directory
 * (os.listdir did not show it; its data was lost), in NODEFS opening it failed with ENOENT.
 * Write-then-rename is how programs save files safely. The replaced node now leaves the table. */
function renameOntoExisting(fs: PatchableFS): void {
  const rename = fs.rename.bind(fs);
  fs.rename = (oldPath: string, newPath: string): void => {
    const moving = nodeAt(fs, oldPath);
    const replaced = nodeAt(fs, newPath);
    rename(oldPath, newPath);
    if (replaced !== undefined && replaced !== moving) fs.hashRemoveNode(replaced);
  };
}

/** utime set a file's one timestamp to the later of the access and modification times it was
 * given, and chmod and chown set it to the current time, so os.utime and shutil.copystat
 * (utime, then chmod) could not give a file a modification time. Now utime sets the
 * modification time (a host file gets both, hostFileAttributes) and chmod and chown leave it. */
function fileTimes(FS: EmFS, fs: PatchableFS): void {
  // MEMFS's nodes share these tables (made when the root was): patch them in place
  const memfs = FS.filesystems.MEMFS as MemFsType;
  for (const kind of Object.values(memfs.ops_table ?? {})) {
    const setattr = kind.node.setattr;
    if (setattr !== undefined) kind.node.setattr = timesUntouchedByModeChanges(setattr);
  }
  fs.utime = (path: string, atime: number, mtime: number): void => {
    const node = fs.lookupPath(path, { follow: true }).node;
    const attr: TimesAttr = { atime, mtime };
    if (mtime !== -1) attr.timestamp = mtime;
    node.node_ops.setattr(node, attr as unknown as Record<string, number>);
  };
}

export function fixFileSystem(FS: EmFS): void {
  const fs = FS as unknown as PatchableFS;
  renameOntoExisting(fs);
  fileTimes(FS, fs);
  symlinks(FS);
  notADirectory(FS);
  // /dev/null could not seek (ESPIPE); on Linux it can, always to 0, and writers that seek or
  // tell (Pillow's, logging's RotatingFileHandler) are given it
  const devices = FS as unknown as DeviceFS;
  const devNull = devices.getDevice(devices.makedev(1, 3));
  if (devNull && devNull.stream_ops.llseek === undefined) devNull.stream_ops.llseek = () => 0;
}

interface HostFs {
  statSync(path: string): { atimeMs: number; mtimeMs: number };
  utimesSync(path: string, atime: number, mtime: number): void;
}

interface NodeFsType {
  node_ops: { setattr(node: unknown, attr: Record<string, number>): void };
  realPath(node: unknown): string;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const EOPNOTSUPP = 138;

/** Make NODEFS set a host file's access and modification times as given (not one for both),
 * and refuse to change a symbolic link's own mode as Linux does. */
export function hostFileAttributes(NODEFS: NodeFsType, host: HostFs,
                              errnoError: new (errno: number) => Error): void {
  const setattr = timesUntouchedByModeChanges(NODEFS.node_ops.setattr);
  NODEFS.node_ops.setattr = (node: unknown, attr: Record<string, number>): void => {
    const { atime, mtime } = attr;
    // chmod of a symbolic link itself (os.chmod(follow_symlinks=False)): node's chmod would
    // follow it (ENOENT for a dangling one); Linux cannot change a link's mode and says
    // EOPNOTSUPP, which CPython turns into NotImplementedError, as callers expect
    if (attr.mode !== undefined && ((node as { mode: number }).mode & S_IFMT) === S_IFLNK) {
      throw new errnoError(EOPNOTSUPP);
    }
    if (atime === undefined || mtime === undefined) {
      setattr(node, attr); // not from utime: as before
      return;
    }
    if (atime !== -1 || mtime !== -1) {
      const path = NODEFS.realPath(node);
      const was = atime === -1 || mtime === -1 ? host.statSync(path) : { atimeMs: 0, mtimeMs: 0 };
      // -1: leave that time as it is; node's fs takes seconds
      host.utimesSync(path, (atime === -1 ? was.atimeMs : atime) / 1000,
                      (mtime === -1 ? was.mtimeMs : mtime) / 1000);
    }
    const rest = { ...attr };
    delete rest.atime;
    delete rest.mtime;
    delete rest.timestamp;
    if (Object.keys(rest).length > 0) setattr(node, rest);
  };
}

interface StatNode {
  id: number;
  mode: number;
  rdev: number;
  node_ops: { getattr?(node: StatNode): object };
}

interface StatFS {
  getStream(fd: number): { node: StatNode } | null | undefined;
  stat(path: string, dontFollow?: boolean): object;
}

/** A file's attributes from its node; a pipe's node has no getattr: what POSIX says of one. */
function attributesOf(node: StatNode): object {
  if (node.node_ops.getattr) return node.node_ops.getattr(node);
  const now = new Date();
  return { dev: 0, ino: node.id, mode: node.mode, nlink: 1, uid: 0, gid: 0, rdev: node.rdev,
           size: 0, atime: now, mtime: now, ctime: now, blksize: 4096, blocks: 0 };
}

/** How a host file system's open file is stat-ed by its host descriptor (NODEFS streams have
 * one, ``nfd``): given by `pinnace python`, which mounts host folders (hostDescriptorStat). */
let hostFstat: ((nfd: number) => object) | undefined;

export function hostDescriptorStat(fstat: (nfd: number) => object): void {
  hostFstat = fstat;
}

/** fstat(fd) stat-ed the path a file was opened by, so it failed with ENOENT for
 * a file removed while open (tempfile.TemporaryFile is one) and for a pipe. The import that
 * implements fstat is wrapped so that the stat it makes is of the descriptor's own file (of
 * its host descriptor, for a host file). ``fs``: the module's FS, once there is one (Python
 * calls fstat only after that). */
export function fstatByDescriptor(imports: WebAssembly.Imports,
                                  fs: () => EmFS | undefined): void {
  const env = imports.env as Record<string, unknown>;
  const fstat = env.__syscall_fstat64 as ((fd: number, buf: number) => number) | undefined;
  if (typeof fstat !== "function") return;
  env.__syscall_fstat64 = (fd: number, buf: number): number => {
    const FS = fs() as unknown as StatFS | undefined;
    const stream = FS?.getStream(fd);
    if (FS === undefined || !stream) return fstat(fd, buf);
    const statByPath = FS.stat;
    const nfd = (stream as { nfd?: number }).nfd;
    FS.stat = () => (nfd !== undefined && hostFstat ? hostFstat(nfd) : attributesOf(stream.node));
    try {
      return fstat(fd, buf);
    } finally {
      FS.stat = statByPath;
    }
  };
}
