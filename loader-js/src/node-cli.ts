// `pinnace python`: the wasm CPython as a command-line Python under node.
//
//   node pinnace-python.mjs [python options] [-c cmd | -m mod | file | -] [args]
//
// The host's file system is visible at the same paths (NODEFS mounts of every top-level
// directory but /dev, /proc, /sys and /lib, which holds the wasm stdlib), the working directory
// is the host's, stdin/stdout/stderr are the process's own, byte for byte, and the environment
// is the host's without PATH.
//
// Python runs in a worker thread so that the main thread stays free to take SIGINT (Ctrl-C) and
// hand it to Python through a shared interrupt buffer: a running loop raises KeyboardInterrupt.
// A second Ctrl-C while the first is still pending (Python blocked, e.g. reading stdin) ends
// the process with status 130.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { loadPinnace } from "./pinnace.js";
import type { EmModule } from "./module.js";
import { fixHostFolders } from "./mounts.js";

const HIDDEN = new Set(["dev", "proc", "sys", "lib"]);

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (e: any) {
      if (e?.code !== "EAGAIN") throw e;
    }
  }
}

function readStdin(): Uint8Array | null {
  const buf = Buffer.alloc(65536);
  for (;;) {
    try {
      const n = fs.readSync(0, buf, 0, buf.length, null);
      return n === 0 ? null : new Uint8Array(buf.subarray(0, n));
    } catch (e: any) {
      if (e?.code === "EAGAIN") continue;
      if (e?.code === "EOF") return null;
      throw e;
    }
  }
}

function mountHost(mod: EmModule): void {
  const { FS } = mod;
  const NODEFS = FS.filesystems.NODEFS;
  fixHostFolders(mod, fs);
  for (const entry of fs.readdirSync("/", { withFileTypes: true })) {
    if (!entry.isDirectory() || HIDDEN.has(entry.name)) continue;
    const mountpoint = "/" + entry.name;
    if (!FS.analyzePath(mountpoint).exists) FS.mkdir(mountpoint);
    FS.mount(NODEFS, { root: mountpoint }, mountpoint);
  }
  FS.chdir(process.cwd());
}

const SIGINT = 2;

async function runPython(argv: string[], signals: Int32Array): Promise<number> {
  const indexURL = path.dirname(fileURLToPath(import.meta.url));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // No host program can run from wasm (there are no processes): a host PATH would only make
  // shutil.which() find programs that subprocess then cannot start.
  delete env.PATH;
  const py = await loadPinnace({
    indexURL,
    env,
    stdout: { write: (b) => writeAll(1, b) },
    stderr: { write: (b) => writeAll(2, b) },
    stdin: readStdin,
    _noInit: true,
  });
  mountHost(py._module);
  py.setInterruptBuffer(signals);
  try {
    return py._module.callMain(argv);
  } catch (e: any) {
    if (e && typeof e.status === "number" && e.name === "ExitStatus") return e.status;
    throw e;
  }
}

function supervise(): void {
  const signals = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { argv: process.argv.slice(2), signals },
    stdout: false,
    stderr: false,
    // wasm frames live on the thread's native stack: deep Python recursion needs room
    resourceLimits: { stackSizeMb: 16 },
  });
  process.on("SIGINT", () => {
    if (Atomics.load(signals, 0) === SIGINT) {
      process.exit(130); // the first Ctrl-C was not taken: Python is blocked
    }
    Atomics.store(signals, 0, SIGINT);
    Atomics.notify(signals, 0); // wakes a time.sleep (loader-js/src/sleep.ts)
  });
  worker.on("message", (code: number) => {
    process.exitCode = code;
  });
  worker.on("error", (e) => {
    console.error(e instanceof Error ? `pinnace python: ${e.message}` : e);
    process.exitCode = 1;
  });
  worker.on("exit", () => process.removeAllListeners("SIGINT"));
}

if (isMainThread) {
  supervise();
} else {
  const { argv, signals } = workerData as { argv: string[]; signals: Int32Array };
  runPython(argv, signals).then(
    (code) => parentPort!.postMessage(code),
    (e) => {
      throw e;
    },
  );
}
