// A rename onto an existing file, in Emscripten 3.1.69's file system (MEMFS, the default, and
// NODEFS, the host folders of `pinnace python`), leaves the replaced file's node in the name
// table that path lookups consult first. Nothing reaches it while the renamed file holds the
// name, but once that one is removed, the next lookup of the name finds the stale node: in
// MEMFS a new file of that name is written into it, outside its directory (os.listdir does not
// show it; its data is lost), in NODEFS opening it fails with ENOENT. Write-then-rename is how
// programs save files safely, so this is patched here: after a rename that replaced a node,
// that node leaves the name table. (Emscripten fixed it in a later release.)
import type { EmFS } from "./module.js";

interface FsNode {
  readonly name: string;
}

interface RenamingFS {
  rename(oldPath: string, newPath: string): void;
  lookupPath(path: string, opts: { follow: boolean }): { node: FsNode };
  hashRemoveNode(node: FsNode): void;
}

function nodeAt(fs: RenamingFS, path: string): FsNode | undefined {
  try {
    return fs.lookupPath(path, { follow: false }).node;
  } catch {
    return undefined; // no such path (the rename itself reports what is wrong)
  }
}

/** Make FS.rename drop the node it replaces from the name table. */
export function fixRenameOntoExisting(FS: EmFS): void {
  const fs = FS as unknown as RenamingFS;
  const rename = fs.rename.bind(fs);
  fs.rename = (oldPath: string, newPath: string): void => {
    const moving = nodeAt(fs, oldPath);
    const replaced = nodeAt(fs, newPath);
    rename(oldPath, newPath);
    if (replaced !== undefined && replaced !== moving) fs.hashRemoveNode(replaced);
  };
}
