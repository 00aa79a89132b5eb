// loadPinnace(): fetch and start the interpreter, and the object it returns.
import { detectHost, type Environment, type Host } from "./environment.js";
import { absoluteURLs, checkLocal, importModule, instantiateWasm, loadBytes, loadBytesIfThere, resolveIndexURL } from "./files.js";
import { StartError } from "./errors.js";
import { DEFAULT_DOWNLOAD_TIMEOUT_MS } from "./fetch.js";
import type { EmModule, ModuleFactory } from "./module.js";
import { installStreams, type InputOption, type OutputOption, type Streams } from "./streams.js";
import { PackageManager, type PackageOptions, type PackageProgress } from "./packages/manager.js";
import { LOCK_NAME } from "./packages/lock.js";
import { Way } from "./packages/ops.js";
import { installFfi, type Bridge } from "./ffi/index.js";
import type { FfiModule } from "./ffi/exports.js";
import type { PyProxy } from "./ffi/types.js";
import { writeScratch } from "./ffi/strings.js";
import { Jspi, jspiAvailable } from "./jspi.js";
import { recursionBudget } from "./recursion.js";
import { fixFileSystem, fstatByDescriptor } from "./fs-fixes.js";
import { refuseNetworkSockets } from "./sockets.js";
import { Mounts, type MountOption } from "./mounts.js";
import { unpackArchive } from "./archives.js";
import { installSleep } from "./sleep.js";
import { SITE_PACKAGES, STDLIB_ZIP, VERSION } from "./version.js";

export { VERSION };

export interface LoadOptions {
  /** Directory (URL, or a path in Node) holding pinnace.asm.wasm; defaults to the loader's own. */
  indexURL?: string;
  /** Python's stdout: called per line, or {write(bytes)} for raw bytes. Default: console.log. */
  stdout?: OutputOption;
  /** Python's stderr, like stdout. Default: console.warn. */
  stderr?: OutputOption;
  /** Python's stdin: returns the next chunk, or null/undefined at the end. Default: empty. */
  stdin?: InputOption;
  /** Environment variables (os.environ) added to the defaults. */
  env?: Record<string, string>;
  /** sys.argv[1:]; sys.argv[0] is "". */
  args?: string[];
  /** Directory caching downloaded packages where Node's fs is reachable (default for an http(s)
   * package index: ~/.cache/pinnace-packages in Node, `app.getPath("userData")`/pinnace-packages
   * in Electron's main process; none in Electron's other processes, where renderers use the
   * Cache API); null disables it.  Browsers use the Cache API.  Never inside an ASAR archive. */
  packageCacheDir?: string | null;
  /** Where single files of the distribution are, by file name ("pinnace.asm.wasm",
   * "pinnace.asm.mjs", "python313.zip", "pinnace-lock.json", a wheel's file name), when not in
   * indexURL (or packageIndexURL) under that name.  The npm package's entry fills it with
   * `new URL("./file", import.meta.url)` for each of its files, so that bundlers which rewrite
   * those (Vite, webpack) emit the files and the loader finds them under their new names. */
  fileURLs?: Record<string, string>;
  /** Subresource Integrity values of the distribution's files, by file name
   * (`{"pinnace.asm.wasm": "sha384-..."}`: dist/pinnace-integrity.json has them for the core
   * files): each named file's bytes are checked before use, and a mismatch is a LoadError.
   * The npm package's entry passes its own.  Packages are checked by the lock's sha256 always. */
  integrity?: Record<string, string>;
  /** Where pinnace-lock.json and the package files are (a URL or, in Node, a path); defaults
   * to indexURL.  E.g. packages from a server while Node loads the core from disk. */
  packageIndexURL?: string;
  /** How long (ms) a package download may receive nothing (no answer, or no next bytes) before
   * it fails with a PackageError whose failure is `{kind: "timeout"}`; 0 waits forever.
   * Default 30000.  Applies to http(s) downloads in every host except the synchronous ones of
   * Web Workers (a synchronous XMLHttpRequest keeps the browser's own limits). */
  downloadTimeout?: number;
  /** Called as package bytes arrive, for every package any path installs: a lazy import
   * (synchronous fetch, JSPI), the import pre-scan of runPythonAsync, and loadPackage (whose own
   * onProgress is called too).  A synchronous fetch reports once, when its bytes are in. */
  onPackageProgress?: (p: PackageProgress) => void;
  /** On a browser's main thread, let a lazy import in code the asyncio loop runs
   * (runPythonAsync, tasks) suspend Python while the package downloads, where the engine has
   * JSPI (Chromium).  Default true; false keeps the pre-scan and the ImportError. */
  jspi?: boolean;
  /** Folders of Python's file system that are not in memory (docs/files.md): a host folder
   * where Node's fs is reachable (`"/data": "/path/on/host"`, or `{ path, readOnly: true }`),
   * or in a browser a folder whose files persist (`"/home/user": { persist: "indexeddb" }`). */
  mounts?: Record<string, MountOption>;
  /** @internal used by `pinnace python`: set up the module but do not start Python. */
  _noInit?: boolean;
}

export interface RunOptions {
  /** File name shown in tracebacks. Default "<exec>". */
  filename?: string;
  /** The namespace to run in (a PyProxy of a dict). Default: __main__'s. */
  globals?: unknown;
}

/** A running interpreter. */
export class Pinnace {
  /** The Pinnace version. */
  readonly version = VERSION;
  /** The Python version, e.g. "3.13.5". */
  readonly pythonVersion: string;
  /** The Emscripten module: FS, ENV, heap. */
  readonly _module: EmModule;
  readonly host: Host;
  private readonly streams: Streams;
  /** @internal the package manager (see docs/packages.md). */
  readonly _packages: PackageManager;
  private readonly bridge: Bridge;
  private readonly mounts: Mounts | undefined;
  private globalsProxy: any;

  constructor(mod: EmModule, streams: Streams, host: Host, pythonVersion: string, bridge: Bridge,
              packages: PackageManager, mounts?: Mounts) {
    this._module = mod;
    this.streams = streams;
    this.host = host;
    this.pythonVersion = pythonVersion;
    this.bridge = bridge;
    this._packages = packages;
    this.mounts = mounts;
  }

  /**
   * Write the persistent folders (`mounts: { dir: { persist: "indexeddb" } }`) back now; they
   * are written back by themselves too (docs/files.md).  Resolves when stored.
   */
  async syncFiles(): Promise<void> {
    await this.mounts?.sync();
  }

  /**
   * Unpack an archive into Python's file system: `format` "zip", "tar", "tar.gz" ("gztar",
   * "tgz"), "tar.bz2", "tar.xz"; `extractDir` defaults to Python's current directory.  Members
   * that would land outside it are refused (a PythonError, nothing unpacked past them).
   */
  unpackArchive(data: ArrayBuffer | ArrayBufferView, format: string, options: { extractDir?: string } = {}): void {
    try {
      unpackArchive(this._module, this.bridge, data, format, options.extractDir ?? ".");
    } finally {
      this.streams.flush();
    }
  }

  /** Where the loader runs: "browser", "worker", "node", or one of Electron's processes and
   * contexts ("electron-main", "electron-renderer", ...; see docs/electron.md). */
  get environment(): Environment {
    return this.host.environment;
  }

  /**
   * How an import of a lock package that is not installed gets it here (docs/packages.md):
   * "sync" (Node, workers: fetched on the spot), "jspi" (a browser's main thread with JSPI:
   * Python suspends while it downloads, in code the asyncio loop runs), or "pre-scan" (only
   * what runPythonAsync's pre-scan and loadPackage install).
   */
  get lazyImports(): "sync" | "jspi" | "pre-scan" {
    const mode = this._packages.syncMode();
    return mode === "sync" || mode === "jspi" ? mode : "pre-scan";
  }

  /** __main__'s namespace, the default globals of runPython (a PyProxy of a dict). */
  get globals(): PyProxy {
    this.globalsProxy ??= this.bridge.toJsOwned((this._module as FfiModule)._pinnace_main_dict());
    return this.globalsProxy;
  }

  /** Import a Python module; a PyProxy of it. */
  pyimport(name: string): PyProxy {
    return this.bridge.pyimport(name);
  }

  /**
   * A deep copy of a JS value as Python objects (Array -> list, Map / plain object -> dict,
   * Set -> set, typed arrays -> bytes); immutable results come back as JS values, others as a
   * PyProxy.
   */
  toPy(value: unknown, options: { depth?: number } = {}): any {
    return this.bridge.deepCopyToPy(value, options.depth ?? -1);
  }

  /** Make `import name` in Python give the JS object obj (its attributes are the module's). */
  registerJsModule(name: string, obj: object): void {
    const m = this._module as FfiModule;
    const [ptr] = writeScratch(m, name, true);
    if (m._pinnace_register_js_module(ptr, this.bridge.handles.hold(obj)) < 0) {
      throw this.bridge.takeError();
    }
  }

  /**
   * Run code that may use top-level `await` (on the asyncio loop that runs on the JS event
   * loop); a Promise of the value of its last expression.
   */
  async runPythonAsync(code: string, options: RunOptions & PackageOptions = {}): Promise<any> {
    const jspi = this.bridge.jspi;
    // Wait, rather than fail, while Python is suspended on a lazy import (no await otherwise:
    // the order of events elsewhere stays as it was).
    if (jspi?.suspendedOn) await jspi.free();
    // Pre-scan: install the lock packages the code imports before it runs, so that imports
    // work even where Python cannot fetch synchronously (a browser's main thread).
    const needed = this._packages.importsOf(code);
    if (needed.length) await this.loadPackage(needed, options);
    if (jspi?.suspendedOn) await jspi.free();
    const task = this.runWith("_pinnace_run_async", code, options);
    try {
      return await this.bridge.awaitablePromise(task);
    } finally {
      this.bridge.destroy(task);
      this.streams.flush();
      this.mounts?.afterRun();
    }
  }

  /** Python's stdout from now on: per line, or {write(bytes)} for raw bytes. */
  setStdout(option: OutputOption): void {
    this.streams.setOutput("stdout", option);
  }

  /** Python's stderr from now on, like setStdout. */
  setStderr(option: OutputOption): void {
    this.streams.setOutput("stderr", option);
  }

  /** Python's stdin from now on: a synchronous function returning the next chunk, or null. */
  setStdin(option: InputOption | undefined): void {
    this.streams.setInput(option);
  }

  private runWith(entry: "_pinnace_run_ffi" | "_pinnace_run_async", code: string, options: RunOptions): any {
    const mod = this._module as FfiModule;
    const b = this.bridge;
    let globals = 0;
    if (options.globals !== undefined) {
      globals = b.toPy(options.globals);
      if (!globals) throw b.takeError();
    }
    const codePtr = mod.stringToNewUTF8(code);
    const namePtr = mod.stringToNewUTF8(options.filename ?? "<exec>");
    try {
      return b.toJsOwned(mod[entry](codePtr, namePtr, globals));
    } finally {
      mod._free(codePtr);
      mod._free(namePtr);
      if (globals) mod._pinnace_decref(globals);
      this.streams.flush();
      this.mounts?.afterRun();
    }
  }

  /** The Emscripten file system. */
  get FS() {
    return this._module.FS;
  }

  /**
   * Let the host interrupt running Python: while Python runs, writing a signal number into
   * `buffer[0]` (2, SIGINT, raises KeyboardInterrupt) is noticed within a few dozen bytecodes.
   * Python resets `buffer[0]` to 0 when it has taken the signal; `Atomics.notify(buffer, 0)` after
   * the write also ends a `time.sleep` (an Int32Array only). The buffer must be backed by a
   * SharedArrayBuffer written from another thread (the one running Python is busy); in a
   * browser that needs a cross-origin isolated page (`pinnace serve --isolation`).
   * Pass undefined to stop checking.
   */
  setInterruptBuffer(buffer: Uint8Array | Int32Array | undefined): void {
    const mod = this._module as EmModule & { Py_EmscriptenSignalBuffer?: unknown };
    mod.Py_EmscriptenSignalBuffer = buffer;
    mod._pinnace_set_signal_polling(buffer ? 1 : 0);
  }

  /**
   * Run Python source code in __main__'s namespace (or options.globals) and return the value
   * of its last expression: int, float, str, bool, None -> number/bigint, string, boolean,
   * undefined; other objects as a PyProxy.  A Python exception throws a PythonError.
   */
  runPython(code: string, options: RunOptions = {}): any {
    return this.runWith("_pinnace_run_ffi", code, options);
  }

  /** Install packages of the lock file (package or import names) with their dependencies. */
  loadPackage(names: string | string[], options: PackageOptions = {}): Promise<string[]> {
    return this._packages.loadPackage(names, options);
  }
}

/** The folder the loader was loaded from (its other files are there), where known. */
export function defaultLoaderURL(): string | undefined {
  const meta = import.meta as { url?: string };
  if (meta.url) return new URL(".", meta.url).href;
  return scriptDir;
}

// For the classic-script build: where the <script> tag loaded us from, captured at load time.
const scriptDir: string | undefined =
  typeof document !== "undefined" && (document.currentScript as HTMLScriptElement | null)?.src
    ? new URL(".", (document.currentScript as HTMLScriptElement).src).href
    : undefined;

function defaultOutput(kind: "log" | "warn"): OutputOption {
  return (line: string) => console[kind](line);
}

export async function loadPinnace(options: LoadOptions = {}): Promise<Pinnace> {
  const host = detectHost();
  const given = options.indexURL ?? defaultLoaderURL();
  if (!given) {
    throw new StartError("cannot tell where the distribution is; pass loadPinnace({indexURL})");
  }
  const indexURL = await resolveIndexURL(given);
  checkLocal(host, indexURL, options.indexURL !== undefined, "indexURL");
  const fileURLs = absoluteURLs(options.fileURLs ?? {});
  const fileURL = (base: string, name: string) => fileURLs[name] ?? base + name;
  const integrity = options.integrity ?? {};
  const stdlib = loadBytes(fileURL(indexURL, STDLIB_ZIP), indexURL, integrity[STDLIB_ZIP]);
  stdlib.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
  const packageIndexURL = options.packageIndexURL ? await resolveIndexURL(options.packageIndexURL) : indexURL;
  checkLocal(host, packageIndexURL, options.indexURL !== undefined || options.packageIndexURL !== undefined,
             "packageIndexURL");
  // null when the distribution has no lock (no packages)
  const lock = loadBytesIfThere(fileURL(packageIndexURL, LOCK_NAME), packageIndexURL, integrity[LOCK_NAME]);
  lock.catch(() => {}); // awaited in startPython

  const glueURL = fileURL(indexURL, "pinnace.asm.mjs");
  const factory: ModuleFactory = (await importModule(glueURL, indexURL, integrity["pinnace.asm.mjs"])).default;
  const wasmURL = fileURL(indexURL, "pinnace.asm.wasm");
  // JSPI only where Python cannot fetch synchronously: a browser's main thread.
  const jspi = options.jspi !== false && host.kind === "browser" && jspiAvailable() ? new Jspi() : undefined;
  // Emscripten's factory promise never settles when instantiateWasm fails; race it.
  let failInstantiation: (e: unknown) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
  let started: EmModule | undefined;
  const mod = await Promise.race([
    factory({
      instantiateWasm(
        imports: WebAssembly.Imports,
        receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
      ) {
        jspi?.patchImports(imports);
        fstatByDescriptor(imports, () => started?.FS);
        refuseNetworkSockets(imports, () => started?.FS);
        instantiateWasm(wasmURL, indexURL, imports, integrity["pinnace.asm.wasm"]).then(({ instance, module }) => {
          jspi?.setExports(instance.exports);
          receive(instance, module);
        }, failInstantiation);
        return {};
      },
      // libc reads the environment while the runtime initialises: set it before that.
      preRun: [(m: EmModule) => Object.assign(m.ENV, { PYTHONUNBUFFERED: "1" }, options.env ?? {})],
      print: (s: string) => console.log(s),
      printErr: (s: string) => console.warn(s),
    }),
    instantiationFailed,
  ]);
  started = mod;
  return startPython(mod, await stdlib, host, { ...options, fileURLs }, packageIndexURL, lock, jspi);
}

/** Start Python in the instantiated module: the one place where the loader's parts are wired
 * together (the FFI, JSPI, the package manager and the table of operations Python reaches). */
async function startPython(mod: EmModule, stdlib: Uint8Array, host: Host, options: LoadOptions,
                           indexURL: string, lockBytes: Promise<Uint8Array | null>,
                           jspi: Jspi | undefined): Promise<Pinnace> {
  const { FS } = mod;
  fixFileSystem(FS);
  const bridge = installFfi(mod as FfiModule, jspi); // before Python starts: EM_JS code calls it
  installSleep(mod);
  FS.mkdirTree(SITE_PACKAGES);
  FS.writeFile("/lib/" + STDLIB_ZIP, stdlib);
  const packages = await PackageManager.create({
    mod, bridge, indexURL, fileURLs: options.fileURLs ?? {}, host, lockBytes,
    packageCacheDir: options.packageCacheDir, jspi,
    downloadTimeout: options.downloadTimeout ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
    onProgress: options.onPackageProgress,
  });
  const ops = packages.ops();
  mod.pinnacePackages = ops; // what runtime/src/packages.c hands Python (_pinnace_packages.ops())
  jspi?.connect(mod, bridge, {
    ops: ops[Way.Suspend],
    describe: (op, arg) => packages.describeSuspension(op, arg),
  });
  const streams = installStreams(
    mod,
    options.stdin,
    options.stdout ?? defaultOutput("log"),
    options.stderr ?? defaultOutput("warn"),
  );
  if (options._noInit) return new Pinnace(mod, streams, host, "", bridge, packages);
  const mounts = options.mounts ? await Mounts.make(mod, host, options.mounts) : undefined;
  const argv = ["", ...(options.args ?? [])];
  const ptrs = argv.map((a) => mod.stringToNewUTF8(a));
  const array = mod._malloc(4 * ptrs.length);
  ptrs.forEach((p, i) => (mod.HEAPU32[(array >> 2) + i] = p));
  const status = mod._pinnace_init(argv.length, array);
  streams.flush();
  ptrs.forEach((p) => mod._free(p)); // Python copied argv
  mod._free(array);
  if (status !== 0) throw new StartError(`Python failed to start (status ${status}); see stderr for details`, status);
  mod._pinnace_set_recursion_budget(recursionBudget(host));
  return new Pinnace(mod, streams, host, pythonVersion(bridge), bridge, packages, mounts);
}

/** Python's version ("3.13.5"), from its sys module. */
function pythonVersion(bridge: Bridge): string {
  const sys = bridge.pyimport("sys");
  try {
    return String(sys.version).split(" ")[0];
  } finally {
    bridge.release(sys);
  }
}
