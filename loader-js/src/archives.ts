// Unpacking an archive into Python's file system (Pinnace.unpackArchive): the bytes go to a
// temporary file, and Python's pinnace._files unpacks them (shutil's unpackers; tar archives
// with the "data" filter, so that no member lands outside the folder).
import type { Bridge } from "./ffi/bridge.js";
import { DOWNLOADS_DIR, type EmModule } from "./module.js";

let seq = 0;

export function unpackArchive(mod: EmModule, bridge: Bridge, data: ArrayBuffer | ArrayBufferView,
                              format: string, extractDir: string): void { // fmt: skip
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const path = `${DOWNLOADS_DIR}/archive-${++seq}`;
  mod.FS.writeFile(path, bytes);
  const files = bridge.pyimport("pinnace._files");
  const unpack = files.unpack_archive;
  try {
    unpack(path, extractDir, format);
  } finally {
    bridge.release(unpack);
    bridge.release(files);
    mod.FS.unlink(path);
  }
}
