// JSPI (WebAssembly JavaScript Promise Integration): on a browser's main thread, a lazy import
// that Python runs from the asyncio loop suspends the wasm stack while the loader downloads the
// package, and Python carries on when it has arrived (docs/packages.md).
//
// How it fits together:
// - runtime/src/packages.c imports `pinnace_packages_js_suspend(op, arg)`.  At instantiation the
//   loader replaces that import with the export of CATCHER (below), which calls a
//   `WebAssembly.Suspending` function inside a catch_all: where the engine cannot suspend
//   (Python entered synchronously, so a JS frame or no `WebAssembly.promising` is on the stack)
//   V8 throws a SuspendError before calling the JS function; the catcher turns it into 0 and
//   Python raises its "cannot fetch here" ImportError, with the interpreter intact.
// - The asyncio loop's callbacks (pinnace.loop via ffi/loop.ts) run through
//   `WebAssembly.promising(pinnace_call_suspendable)` (runtime/src/pyexports.c), one at a time:
//   those are the entries that may suspend.
// - While Python is suspended nothing may enter it: the module's `_pinnace_*` functions throw a
//   clear error (decrefs are queued), and loop callbacks and settling futures wait until the
//   suspended call has returned.
import { InternalError, SuspendedError } from "./errors.js";
import type { EmModule } from "./module.js";
import type { Bridge } from "./ffi/bridge.js";
import { destroyProxy, proxyState } from "./ffi/pyproxy.js";

// A wasm module (hand-assembled; legacy exception handling, which V8 ships):
//   (module
//     (type $t (func (param i32 i32) (result i32)))
//     (import "e" "s" (func $s (type $t)))
//     (func (export "f") (type $t)
//       (try (result i32)
//         (do (call $s (local.get 0) (local.get 1)))
//         (catch_all (i32.const 0)))))
// prettier-ignore
const CATCHER = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type section: (i32 i32) -> i32
  0x02, 0x07, 0x01, 0x01, 0x65, 0x01, 0x73, 0x00, 0x00, // import section: "e" "s", func type 0
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01, // export section: "f" = function 1
  0x0a, 0x10, 0x01, 0x0e, 0x00, // code section: one body of 14 bytes, no locals
  0x06, 0x7f, // try (result i32)
  0x20, 0x00, 0x20, 0x01, 0x10, 0x00, // local.get 0; local.get 1; call $s
  0x19, 0x41, 0x00, // catch_all; i32.const 0
  0x0b, 0x0b, // end try; end function
]);

type Wasm = typeof WebAssembly & {
  Suspending?: new (f: (...args: any[]) => unknown) => unknown;
  promising?: (f: Function) => (...args: any[]) => Promise<any>;
};

/** Whether this engine can suspend wasm for a promise (Chromium 137+, Node with a flag). */
export function jspiAvailable(): boolean {
  const W = WebAssembly as Wasm;
  return typeof W.Suspending === "function" && typeof W.promising === "function" && WebAssembly.validate(CATCHER);
}

/** What the suspending import hands its work to: the package manager's "suspend" operations
 * (packages/ops.ts), which take and give JSON-able values. */
export interface SuspendHandler {
  ops: Record<string, (arg: any) => Promise<unknown>>;
  /** What Python waits for, for errors, e.g. "package numpy". */
  describe(op: string, arg: unknown): string;
}

/** What the suspending import needs once the module runs (connect()). */
interface Connection {
  mod: EmModule;
  bridge: Bridge;
  handler: SuspendHandler;
}

// The lifecycle follows Emscripten's: new Jspi() before the module exists; patchImports() and
// setExports() while it is instantiated; connect() once, when the parts that do the work exist.
export class Jspi {
  /** What Python is suspended on, while it is. */
  suspendedOn?: string;
  private connection?: Connection;
  private promisingCall?: (o: number, argv: number, nargs: number, kwargs: number) => Promise<number>;
  /** Promising calls started and not yet settled (at most one). */
  private busy = 0;
  private readonly deferred: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private saved?: Record<string, unknown>;
  private readonly decrefs: number[] = [];

  /** At instantiation: the suspending import, and the promising entry once instantiated. */
  patchImports(imports: WebAssembly.Imports): void {
    const W = WebAssembly as Wasm;
    const suspending = new W.Suspending!((op: number, arg: number) => this.suspended(op, arg));
    const catcher = new WebAssembly.Instance(new WebAssembly.Module(CATCHER), { e: { s: suspending as any } });
    (imports.env as Record<string, unknown>).pinnace_packages_js_suspend = catcher.exports.f;
  }

  setExports(exports: WebAssembly.Exports): void {
    this.promisingCall = (WebAssembly as Wasm).promising!(exports.pinnace_call_suspendable as Function) as any;
  }

  connect(mod: EmModule, bridge: Bridge, handler: SuspendHandler): void {
    this.connection = { mod, bridge, handler };
  }

  private get c(): Connection {
    if (!this.connection) throw new InternalError("Pinnace: JSPI is used before the loader connected it");
    return this.connection;
  }

  /** The Suspending import's JS side: do the operation while Python waits.  Never rejects
   * (a rejection would unwind through C frames): the result goes back as "o" + its JSON, a
   * failure as "e" + the handle id of the JS error, which runtime/src/packages.c raises in
   * Python as it is (a JsException), so its type and fields reach Python as data. */
  private async suspended(opPtr: number, argPtr: number): Promise<number> {
    const { mod, bridge, handler } = this.c;
    let out: string;
    try {
      const op = mod.UTF8ToString(opPtr);
      const arg: unknown = JSON.parse(mod.UTF8ToString(argPtr));
      const run = Object.hasOwn(handler.ops, op) ? handler.ops[op] : undefined;
      if (!run) throw new InternalError(`Pinnace: no package operation ${JSON.stringify(op)} may suspend`);
      this.block(handler.describe(op, arg));
      out = "o" + JSON.stringify((await run(arg)) ?? null);
    } catch (e) {
      out = "e" + bridge.handles.hold(e);
    }
    return mod.stringToNewUTF8(out);
  }

  /** Python is suspended: every entry into it throws, decrefs wait. */
  private block(what: string): void {
    const m = this.c.mod as unknown as Record<string, unknown>;
    this.suspendedOn = what;
    const refuse = () => {
      throw new SuspendedError(what);
    };
    this.saved = {};
    for (const key of Object.keys(m)) {
      if (!key.startsWith("_pinnace_") || typeof m[key] !== "function") continue;
      this.saved[key] = m[key];
      m[key] = key === "_pinnace_decref" ? (p: number) => void this.decrefs.push(p) : refuse;
    }
  }

  /** Python runs again (told by runtime/src/packages.c): lift the guard. */
  resumed(): void {
    if (this.saved) Object.assign(this.c.mod, this.saved);
    this.saved = undefined;
    this.suspendedOn = undefined;
  }

  /** Call a PyProxy of a function (an asyncio loop callback) where it may suspend. */
  run(f: unknown, ...args: unknown[]): void {
    if (this.busy) {
      this.deferred.push(() => this.run(f, ...args));
      return;
    }
    const st = proxyState(f);
    if (!st?.ptr) {
      (f as (...a: unknown[]) => unknown)(...args); // throws the proxy's own error
      return;
    }
    const b = this.c.bridge;
    this.busy++;
    let call: Promise<unknown>;
    try {
      call = b.callPyAsync(st.ptr, args, this.promisingCall!);
    } catch (e) {
      this.done(); // an argument did not convert: nothing ran
      throw e;
    }
    call.then(
      (result) => {
        if (proxyState(result)) destroyProxy(b, result);
        this.done();
      },
      (e) => {
        this.done();
        report(e);
      },
    );
  }

  /** Run fn now, or once no Python call is in flight. */
  whenFree(fn: () => void): void {
    if (this.busy) this.deferred.push(fn);
    else fn();
  }

  /** Resolves once Python is not suspended: for asynchronous entries (runPythonAsync,
   * loadPackage), which wait rather than fail. */
  async free(): Promise<void> {
    while (this.suspendedOn) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** A promising call has returned: run what waited for it. */
  private done(): void {
    this.busy--;
    if (this.busy) return;
    const m = this.c.mod as EmModule & { _pinnace_decref(p: number): void };
    for (const p of this.decrefs.splice(0)) m._pinnace_decref(p);
    while (!this.busy && this.deferred.length) this.deferred.shift()!();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** An error nobody awaits (a loop callback's): the host's uncaught-error report. */
function report(e: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === "function") g.reportError(e);
  else console.error(e);
}
