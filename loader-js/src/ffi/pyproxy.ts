// PyProxy: a Python object seen from JS, as a JS Proxy holding a PyObject* and a reference.
//
// The reference is dropped by destroy(), by `using` / [DISPOSE], or, as a backstop, by
// a FinalizationRegistry when the proxy is garbage collected.  Attribute access, calls,
// `in`, `delete` and enumeration go to Python; the methods in METHODS are the proxy's own.
import { PythonError } from "../errors.js";
import { Flag, MISSING } from "./exports.js";
import type { Bridge } from "./bridge.js";
import { readCString, writeScratch } from "./strings.js";
import type { ToJsOptions } from "./convert.js";

export interface ProxyState {
  ptr: number; // 0 once destroyed
  flags: number;
  once: boolean;
  destroyedMessage: string;
  promise?: Promise<unknown>;
}

const STATE = Symbol("pinnace.pyproxy");
const INSPECT = Symbol.for("nodejs.util.inspect.custom");
/** Symbol.dispose (`using`), or the same registered symbol its polyfills use where it is absent. */
export const DISPOSE: symbol = (Symbol as any).dispose ?? Symbol.for("Symbol.dispose");
const states = new WeakMap<object, ProxyState>();
let registry: FinalizationRegistry<ProxyState> | undefined;

export function proxyState(v: unknown): ProxyState | undefined {
  return (typeof v === "object" || typeof v === "function") && v !== null
    ? states.get(v as object)
    : undefined;
}

/** A PyProxy taking over one reference to ptr. */
export function makePyProxy(b: Bridge, ptr: number, once = false): any {
  const m = b.m;
  registry ??= new FinalizationRegistry((st: ProxyState) => {
    if (st.ptr) m._pinnace_decref(st.ptr);
    st.ptr = 0;
  });
  const flags = m._pinnace_flags(ptr);
  const st: ProxyState = {
    ptr, flags, once,
    destroyedMessage: "This PyProxy has been destroyed: it can no longer be used",
  };
  const target: any = flags & Flag.Callable ? () => {} : {};
  target[STATE] = st;
  target[INSPECT] = () => `PyProxy(${repr(b, st)})`;
  const proxy = new Proxy(target, handler(b));
  states.set(proxy, st);
  registry.register(proxy, st, st);
  return proxy;
}

export function destroyProxy(b: Bridge, proxy: unknown, message?: string): void {
  const st = proxyState(proxy);
  if (st === undefined) throw new TypeError("destroy(): not a PyProxy");
  if (!st.ptr) return;
  registry?.unregister(st);
  const ptr = st.ptr;
  st.ptr = 0;
  if (message) st.destroyedMessage = message;
  b.m._pinnace_decref(ptr);
}

function repr(b: Bridge, st: ProxyState): string {
  return st.ptr ? b.toJsOwned(b.m._pinnace_repr(st.ptr)) : "<destroyed>";
}

function withName<T>(b: Bridge, name: string, f: (ptr: number, len: number) => T): T {
  const [ptr, len] = writeScratch(b.m, name);
  return f(ptr, len);
}

/** The PyProxy's own methods and properties; `this` is the proxy. */
function methods(b: Bridge): Record<string | symbol, any> {
  const m = b.m;
  const ptrOf = (self: unknown) => b.live(proxyState(self)!);
  return Object.assign(Object.create(null), {
    type(this: unknown) {
      return b.toJsOwned(m._pinnace_type_name(ptrOf(this)));
    },
    toString(this: unknown) {
      return b.toJsOwned(m._pinnace_str_of(ptrOf(this)));
    },
    destroy(this: unknown) {
      destroyProxy(b, this);
    },
    [DISPOSE](this: unknown) {
      destroyProxy(b, this);
    },
    toJs(this: unknown, options: ToJsOptions = {}) {
      return b.toJsDeep(ptrOf(this), options);
    },
    callKwargs(this: unknown, ...args: unknown[]) {
      const kwargs = args.pop();
      if (typeof kwargs !== "object" || kwargs === null) {
        throw new TypeError("callKwargs: the last argument must be an object of keyword arguments");
      }
      return b.callPy(ptrOf(this), args, kwargs as Record<string, unknown>);
    },
    get(this: unknown, key: unknown) {
      const p = ptrOf(this);
      const k = b.toPy(key);
      if (!k) throw b.takeError();
      return b.toJsOwned(m._pinnace_getitem(p, k));
    },
    set(this: unknown, key: unknown, value: unknown) {
      const p = ptrOf(this);
      const k = b.toPy(key);
      const v = k ? b.toPy(value) : 0;
      if (!v) {
        if (k) m._pinnace_decref(k);
        throw b.takeError();
      }
      if (m._pinnace_setitem(p, k, v) < 0) throw b.takeError();
    },
    has(this: unknown, key: unknown) {
      const p = ptrOf(this);
      const k = b.toPy(key);
      if (!k) throw b.takeError();
      const r = m._pinnace_contains(p, k);
      if (r < 0) throw b.takeError();
      return r === 1;
    },
    delete(this: unknown, key: unknown) {
      const p = ptrOf(this);
      const k = b.toPy(key);
      if (!k || m._pinnace_setitem(p, k, 0) < 0) throw b.takeError();
    },
    getBuffer(this: unknown) {
      return getBuffer(b, ptrOf(this));
    },
    copy(this: unknown) {
      const p = ptrOf(this);
      m._pinnace_incref(p);
      return makePyProxy(b, p);
    },
    then(this: unknown, onFulfilled?: any, onRejected?: any) {
      const st = proxyState(this)!;
      b.live(st);
      st.promise ??= b.awaitablePromise(this);
      return st.promise.then(onFulfilled, onRejected);
    },
    catch(this: any, onRejected?: any) {
      return this.then(undefined, onRejected);
    },
    finally(this: any, onFinally?: any) {
      const st = proxyState(this)!;
      b.live(st);
      st.promise ??= b.awaitablePromise(this);
      return st.promise.finally(onFinally);
    },
    *[Symbol.iterator](this: unknown) {
      const it = b.toJsOwned(m._pinnace_iter(ptrOf(this)));
      const itPtr = proxyState(it)!.ptr;
      try {
        for (;;) {
          const r = m._pinnace_next(itPtr);
          if (r === MISSING) return;
          yield b.toJsOwned(r);
        }
      } finally {
        destroyProxy(b, it);
      }
    },
    async *[Symbol.asyncIterator](this: any) {
      const ait = this.__aiter__();
      try {
        for (;;) {
          let value;
          try {
            value = await ait.__anext__();
          } catch (e: any) {
            if (e instanceof PythonError && e.type === "StopAsyncIteration") return;
            throw e;
          }
          yield value;
        }
      } finally {
        if (proxyState(ait)) destroyProxy(b, ait);
      }
    },
  });
}

const NEEDS: Record<string | symbol, number> = Object.assign(Object.create(null), {
  then: Flag.Awaitable, catch: Flag.Awaitable, finally: Flag.Awaitable,
  [Symbol.iterator]: Flag.Iterable, [Symbol.asyncIterator]: Flag.AsyncIterable,
});

const handlers = new WeakMap<Bridge, ProxyHandler<any>>();

function handler(b: Bridge): ProxyHandler<any> {
  let h = handlers.get(b);
  if (h) return h;
  const m = b.m;
  const own = methods(b);
  h = {
    get(target, prop, receiver) {
      const st: ProxyState = target[STATE];
      if (prop === STATE || prop === INSPECT) return target[prop];
      if (prop in own) {
        const need = NEEDS[prop];
        return need === undefined || st.flags & need ? own[prop] : undefined;
      }
      if (prop === "length") {
        if (!(st.flags & Flag.HasLength)) return undefined;
        const n = m._pinnace_len(b.live(st));
        if (n < 0) throw b.takeError();
        return n;
      }
      if (typeof prop === "symbol") return prop === Symbol.toStringTag ? "PyProxy" : undefined;
      const ptr = b.live(st);
      const r = withName(b, prop, (s, len) => m._pinnace_getattr(ptr, s, len));
      return r === MISSING ? undefined : b.toJsOwned(r);
    },
    set(target, prop, value) {
      if (typeof prop === "symbol") return false;
      const ptr = b.live(target[STATE]);
      const v = b.toPy(value);
      if (!v) throw b.takeError();
      const [s, len] = writeScratch(m, prop);
      if (m._pinnace_setattr(ptr, s, len, v) < 0) throw b.takeError();
      return true;
    },
    has(target, prop) {
      if (typeof prop === "symbol") return prop in own;
      const ptr = b.live(target[STATE]);
      const r = withName(b, prop, (s, len) => m._pinnace_hasattr(ptr, s, len));
      if (r < 0) throw b.takeError();
      return r === 1;
    },
    deleteProperty(target, prop) {
      if (typeof prop === "symbol") return false;
      const ptr = b.live(target[STATE]);
      const [s, len] = writeScratch(m, prop);
      if (m._pinnace_setattr(ptr, s, len, 0) < 0) throw b.takeError();
      return true;
    },
    ownKeys(target) {
      const names = b.toJsOwned(m._pinnace_dir(b.live(target[STATE])));
      const keys = [...names];
      destroyProxy(b, names);
      return [...new Set([...keys, ...Reflect.ownKeys(target)])];
    },
    getOwnPropertyDescriptor(target, prop) {
      if (typeof prop === "symbol" || prop in target) return Reflect.getOwnPropertyDescriptor(target, prop);
      if (!this.has!(target, prop)) return undefined;
      return { configurable: true, enumerable: true, writable: true, value: this.get!(target, prop, undefined) };
    },
    apply(target, _this, args) {
      const st: ProxyState = target[STATE];
      const ptr = b.live(st);
      if (!st.once) return b.callPy(ptr, args);
      st.ptr = 0; // a second call must fail even while the first one runs
      st.destroyedMessage = "This once-callable PyProxy was already called";
      registry?.unregister(st);
      try {
        return b.callPy(ptr, args);
      } finally {
        m._pinnace_decref(ptr);
      }
    },
  };
  handlers.set(b, h);
  return h;
}

const TYPED: Record<string, any> = {
  b: Int8Array, B: Uint8Array, "?": Uint8Array, c: Uint8Array, h: Int16Array, H: Uint16Array,
  i: Int32Array, I: Uint32Array, l: Int32Array, L: Uint32Array, q: BigInt64Array,
  Q: BigUint64Array, f: Float32Array, d: Float64Array,
};

/** A zero-copy view of a C-contiguous Python buffer; release() when done. */
function getBuffer(b: Bridge, ptr: number) {
  const m = b.m;
  const view = m._pinnace_get_buffer(ptr);
  if (!view) throw b.takeError();
  const s = m._pinnace_scratch_addr() >> 2;
  const [addr, nbytes, itemsize, readonly] = [m.HEAP32[s], m.HEAP32[s + 1], m.HEAP32[s + 2], m.HEAP32[s + 3]];
  const format = readCString(m, m._pinnace_buffer_format(view));
  const ndim = m._pinnace_buffer_ndim(view);
  const shapePtr = m._pinnace_buffer_shape(view) >> 2;
  const shape = ndim === 0 ? [] : Array.from(m.HEAP32.subarray(shapePtr, shapePtr + ndim));
  const Ctor = TYPED[format.replace(/^[@=<]/, "")];
  let released = false;
  const release = () => {
    if (!released) m._pinnace_buffer_release(view);
    released = true;
  };
  if (!Ctor || addr % itemsize !== 0) {
    release();
    throw new TypeError(`getBuffer: unsupported buffer format ${JSON.stringify(format)} or alignment`);
  }
  return {
    data: new Ctor(m.HEAPU8.buffer, addr, nbytes / itemsize),
    format, itemsize, nbytes, ndim, shape, readonly: readonly !== 0,
    release, [DISPOSE]: release,
  };
}
