// The core of the FFI: converting values between JS and Python, and exceptions both ways.
import { DestroyedProxyError, InternalError, PythonError } from "../errors.js";
import { HandleTable } from "./handles.js";
import { ErrorKind, Kind, type FfiModule } from "./exports.js";
import { readUtf8, writeScratch } from "./strings.js";
import type { Jspi } from "../jspi.js";
import { makePyProxy, proxyState, destroyProxy, type ProxyState } from "./pyproxy.js";
import { jsToPyDeep, pyToJsDeep, type ToJsOptions } from "./convert.js";

type PromisingCall = (o: number, argv: number, nargs: number, kwargs: number) => Promise<number>;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export class Bridge {
  readonly handles = new HandleTable();
  private readonly scratch: number;
  /** Python objects this module needs (pinnace.ffi), fetched on first use. */
  private ffiModule: any;
  private thenFn: any;

  /** `jspi`: given on a browser's main thread with JSPI, where loop callbacks may suspend
   * (jspi.ts). */
  constructor(readonly m: FfiModule, readonly jspi?: Jspi) {
    this.scratch = m._pinnace_scratch_addr();
  }

  // ---- JS -> Python ----

  /** A new reference to the Python value of v (0 if that failed, with the Python error set). */
  toPy(v: unknown): number {
    const m = this.m;
    switch (typeof v) {
      case "string": {
        const [ptr, len] = writeScratch(m, v);
        return m._pinnace_str(ptr, len);
      }
      case "number":
        // -0 stays a float: as an int its sign would be lost
        return Number.isSafeInteger(v) && !Object.is(v, -0) ? m._pinnace_int(v) : m._pinnace_float(v);
      case "boolean":
        return m._pinnace_bool(v ? 1 : 0);
      case "undefined":
        return m._pinnace_none();
      case "bigint": {
        if (v >= I64_MIN && v <= I64_MAX) return m._pinnace_int64(v);
        const [ptr] = writeScratch(m, v.toString(16), true);
        return m._pinnace_int_from_hex(ptr);
      }
      case "object":
        if (v === null) return m._pinnace_jsnull();
      // fall through
      default: {
        const st = proxyState(v);
        if (st !== undefined) {
          if (!st.ptr) {
            this.setError(ErrorKind.TypeError, st.destroyedMessage);
            return 0;
          }
          m._pinnace_incref(st.ptr);
          return st.ptr;
        }
        return m._pinnace_jsproxy(this.handles.hold(v), 0);
      }
    }
  }

  /** Raise a builtin Python exception of that kind. */
  setError(kind: ErrorKind, message: string): void {
    const [ptr] = writeScratch(this.m, message, true);
    this.m._pinnace_set_error(kind, ptr);
  }

  // ---- Python -> JS ----

  /**
   * The JS value of the Python object at ptr (a borrowed reference).  Immutable values are
   * converted, JsProxy objects give back their JS value, anything else becomes a new PyProxy
   * (holding its own reference).
   */
  toJs(ptr: number): any {
    const m = this.m;
    const kind = m._pinnace_kind(ptr);
    switch (kind) {
      case Kind.Str: {
        const i = this.scratch >> 2;
        return readUtf8(m, m.HEAP32[i], m.HEAP32[i + 1]);
      }
      case Kind.Int:
      case Kind.Float:
        return m.HEAPF64[this.scratch >> 3];
      case Kind.None:
        return undefined;
      case Kind.True:
        return true;
      case Kind.False:
        return false;
      case Kind.JsNull:
        return null;
      case Kind.JsProxy:
        return this.handles.get(m.HEAP32[this.scratch >> 2]);
      case Kind.BigInt: {
        const hex = this.toJsOwned(m._pinnace_int_hex(ptr)) as string;
        return hex.startsWith("-") ? -BigInt(hex.slice(1)) : BigInt(hex);
      }
      case Kind.Other:
        m._pinnace_incref(ptr);
        return makePyProxy(this, ptr);
      default:
        throw this.takeError();
    }
  }

  /** Like toJs for a new reference (which this consumes); 0 throws the pending Python error. */
  toJsOwned(ptr: number): any {
    if (ptr === 0) throw this.takeError();
    const m = this.m;
    const kind = m._pinnace_kind(ptr);
    if (kind === Kind.Other) return makePyProxy(this, ptr);
    try {
      return this.toJs(ptr);
    } finally {
      m._pinnace_decref(ptr);
    }
  }

  /** Call the Python object ptr with JS arguments; the JS value of the result. */
  callPy(ptr: number, args: ArrayLike<unknown>, kwargs?: Record<string, unknown>): any {
    return this.toJsOwned(this.invokePy(ptr, args, kwargs, this.m._pinnace_call));
  }

  /** callPy through `call`, a `WebAssembly.promising` pinnace_call (see jspi.ts); throws at
   * once if an argument does not convert. */
  callPyAsync(ptr: number, args: ArrayLike<unknown>, call: PromisingCall): Promise<any> {
    return this.invokePy(ptr, args, undefined, call).then((r) => this.toJsOwned(r));
  }

  /** Convert the arguments and call `call` (pinnace_call, or a promising wrapper of it). */
  private invokePy<R>(ptr: number, args: ArrayLike<unknown>, kwargs: Record<string, unknown> | undefined,
                      call: (o: number, argv: number, nargs: number, kwargs: number) => R): R {
    const m = this.m;
    const n = args.length;
    const ptrs = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const p = this.toPy(args[i]);
      if (p === 0) {
        for (let j = 0; j < i; j++) m._pinnace_decref(ptrs[j]);
        throw this.takeError();
      }
      ptrs[i] = p;
    }
    let kw = 0;
    if (kwargs !== undefined) {
      kw = m._pinnace_dict_new();
      for (const [k, v] of Object.entries(kwargs)) {
        if (kw && m._pinnace_dict_set(kw, this.toPy(k), this.toPy(v)) < 0) {
          m._pinnace_decref(kw);
          kw = 0;
        }
      }
      if (kw === 0) {
        for (const p of ptrs) m._pinnace_decref(p);
        throw this.takeError();
      }
    }
    const argv = m._pinnace_scratch(4 * n + 4);
    const heap = m.HEAPU32;
    for (let i = 0; i < n; i++) heap[(argv >> 2) + i] = ptrs[i];
    return call(ptr, argv, n, kw);
  }

  // ---- exceptions ----

  /**
   * The pending Python exception as a JS error: the original JS value if it is a JsException
   * wrapping one, else a PythonError keeping the Python exception (pyException).
   */
  takeError(): unknown {
    const m = this.m;
    const exc = m._pinnace_take_error();
    if (exc === 0) return new InternalError("Pinnace: a Python call failed without setting an exception");
    const jsId = m._pinnace_js_error_id(exc);
    if (jsId) {
      const original = this.handles.get(jsId);
      m._pinnace_decref(exc);
      return original;
    }
    return this.errorOf(exc);
  }

  /** A PythonError for the Python exception exc, taking over that reference. */
  errorOf(exc: number): PythonError {
    const text = this.toJsOwned(this.m._pinnace_describe(exc)) as string;
    const nl = text.indexOf("\n");
    // the header: "TypeName", or "TypeName\t<exit status>" for a SystemExit
    const [type, status] = text.slice(0, nl).split("\t");
    const exitCode = status === undefined ? undefined : Number(status);
    return new PythonError(type!, text.slice(nl + 1), makePyProxy(this, exc), exitCode);
  }

  /** A PyProxy of an awaitable as a Promise (the awaitable is scheduled with ensure_future). */
  awaitablePromise(awaitable: unknown): Promise<unknown> {
    this.thenFn ??= this.pinnaceFfi()._then;
    return new Promise((resolve, reject) => {
      const onResult = (v: unknown) => {
        const st = proxyState(v); // v is lent for the call only: keep a reference of our own
        resolve(st ? (v as any).copy() : v);
      };
      const onError = (e: unknown) => {
        const st = proxyState(e);
        if (!st) return reject(e);
        const m = this.m;
        const jsId = m._pinnace_js_error_id(st.ptr);
        if (jsId) return reject(this.handles.get(jsId));
        m._pinnace_incref(st.ptr);
        reject(this.errorOf(st.ptr));
      };
      this.thenFn(awaitable, onResult, onError);
    });
  }

  /** Turn a JS exception into the pending Python exception. */
  raise(e: unknown): void {
    const kept = e instanceof PythonError ? proxyState((e as any).pyException) : undefined;
    if (kept !== undefined && kept.ptr) {
      this.m._pinnace_restore_error(kept.ptr);
      return;
    }
    this.m._pinnace_raise_js(this.handles.hold(e));
  }

  // ---- the Python side's helpers ----

  /** pinnace.ffi (a PyProxy), imported on first use. */
  pinnaceFfi(): any {
    if (this.ffiModule === undefined) this.ffiModule = this.pyimport("pinnace.ffi");
    return this.ffiModule;
  }

  pyimport(name: string): any {
    const [ptr] = writeScratch(this.m, name, true);
    return this.toJsOwned(this.m._pinnace_import(ptr));
  }

  /** The proxy's state, or a clear error if it was destroyed. */
  live(st: ProxyState): number {
    if (!st.ptr) throw new DestroyedProxyError(st.destroyedMessage);
    return st.ptr;
  }

  destroy(proxy: unknown): void {
    destroyProxy(this, proxy);
  }

  /** Destroy `value` if it is a live PyProxy; other values need nothing. */
  release(value: unknown): void {
    if (proxyState(value)?.ptr) destroyProxy(this, value);
  }

  /** A deep copy of the Python object at ptr as JS values (to_js, PyProxy.toJs). */
  toJsDeep(ptr: number, options: ToJsOptions): unknown {
    return pyToJsDeep(this, ptr, options);
  }

  /** A deep copy of a JS value as Python objects (toPy): immutable results as JS values,
   * others as a PyProxy. */
  deepCopyToPy(value: unknown, depth = -1): any {
    return this.toJsOwned(jsToPyDeep(this, value, depth));
  }
}
