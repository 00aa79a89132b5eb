// What the package manager asks of Python (runtime/pinnace/_packages.py, pinnace.importer),
// through the FFI: pyimport(...) and a call, never generated source.  A PackageError raised in
// Python becomes a PackageError here with the same fields (package, url); any other Python
// exception stays a PythonError.
import { PackageError, PythonError } from "../errors.js";
import type { Bridge } from "../ffi/bridge.js";
import type { Fetched } from "./ops.js";
import type { LockEntry } from "./lock.js";

/** The JS error for an exception Python raised: PackageError for pinnace._packages'. */
export function packageErrorOf(e: unknown): unknown {
  if (!(e instanceof PythonError) || e.type !== "PackageError" || !e.pyException) return e;
  const exc = e.pyException;
  const error = new PackageError(String(exc), exc.package ?? undefined, exc.url ?? undefined);
  (error as { cause?: unknown }).cause = e;
  return error;
}

export class PythonPackages {
  private readonly modules = new Map<string, any>();

  constructor(private readonly bridge: Bridge) {}

  /** A function of a runtime module, called with deep copies of JS values; its result copied
   * back to JS values. */
  private call<T>(module: string, name: string, ...args: unknown[]): T {
    const b = this.bridge;
    let mod = this.modules.get(module);
    if (mod === undefined) this.modules.set(module, (mod = b.pyimport(module)));
    const f = mod[name];
    const pyArgs = args.map((a) => b.deepCopyToPy(a));
    let result: any;
    try {
      result = f(...pyArgs);
    } catch (e) {
      throw packageErrorOf(e);
    } finally {
      for (const a of pyArgs) b.release(a);
      b.release(f);
    }
    try {
      return typeof result === "object" || typeof result === "function"
        ? result.toJs({ dictConverter: Object.fromEntries })
        : result;
    } finally {
      b.release(result);
    }
  }

  /** The lock entries to install for `names` (package or import names): the not yet installed
   * part of their dependency closure, dependencies first. */
  plan(names: string[]): LockEntry[] {
    return this.call("pinnace._packages", "plan", names);
  }

  /** Verify and install downloaded files, in order; the shared libraries they brought. */
  install(files: Fetched[]): string[] {
    return this.call("pinnace._packages", "install_fetched", files);
  }

  /** The not-installed lock packages that `code` imports (runPythonAsync's pre-scan). */
  importsOf(code: string): string[] {
    return this.call("pinnace.importer", "scan_imports", code);
  }
}
