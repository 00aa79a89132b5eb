// The operations C calls on JS values (runtime/src/jsproxy.c via EM_JS -> Module._ffi).
//
// Every entry point catches JS exceptions and turns them into the pending Python exception
// (Bridge.raise), returning 0 (a NULL PyObject*) or -1, so C only has to check for errors.
import type { Bridge } from "./bridge.js";
import { ErrorKind, Flag, INDEX_ERROR, Kind, MISSING, NO_LENGTH, SetItemResult } from "./exports.js";
import { jsToPyDeep, pyToJsDeep } from "./convert.js";
import { destroyProxy, makePyProxy, proxyState } from "./pyproxy.js";
import { readUtf8 } from "./strings.js";
import { hostApi } from "./loop.js";

const isArrayLike = (o: any): boolean =>
  Array.isArray(o) || (ArrayBuffer.isView(o) && !(o instanceof DataView));

// Fixed arity, no rest/spread: this wrapper is on every Python -> JS operation.
function guard(b: Bridge, fail: number, f: (...a: any[]) => number) {
  return (a0?: any, a1?: any, a2?: any, a3?: any, a4?: any, a5?: any): number => {
    try {
      return f(a0, a1, a2, a3, a4, a5);
    } catch (e) {
      b.raise(e);
      return fail;
    }
  };
}

export function jsOps(b: Bridge) {
  const m = b.m;
  const h = b.handles;
  const keyOf = (ptr: number) => b.toJs(ptr);
  let api: object | undefined;
  return {
    release: (id: number) => h.release(id),
    handleCount: () => h.size,
    globalThis: () => b.toPy(globalThis),
    /** A JS value C hands Python (e.g. the package operations, runtime/src/packages.c). */
    toPy: guard(b, 0, (value: unknown) => b.toPy(value)),
    bridgeApi: () => b.toPy((api ??= hostApi(b))),
    getattr: guard(b, 0, (id: number, name: number, len: number) => {
      const o = h.get(id);
      const key = readUtf8(m, name, len);
      const v = o[key];
      if (v === undefined && !(key in Object(o))) return MISSING;
      if (typeof v === "function" && !proxyState(v)) return m._pinnace_jsproxy(h.hold(v), h.hold(o));
      return b.toPy(v);
    }),
    setattr: guard(b, -1, (id: number, name: number, len: number, value: number) => {
      const o = h.get(id);
      const key = readUtf8(m, name, len);
      if (value === 0) {
        if (!(key in Object(o))) return SetItemResult.NoSuchKey;
        delete o[key];
      } else {
        o[key] = b.toJs(value);
      }
      return SetItemResult.Done;
    }),
    call: guard(b, 0, (id: number, thisId: number, argv: number, nargs: number, kwnames: number, construct: number) => {
      const f = h.get(id);
      const lent: unknown[] = [];
      const arg = (ptr: number) => {
        const made = m._pinnace_kind(ptr) === Kind.Other; // a new PyProxy, lent for this call
        const v = b.toJs(ptr);
        // ... except awaitables: JS settles them later (Promise.resolve(coro)); the
        // FinalizationRegistry releases those.
        if (made && !(proxyState(v)!.flags & Flag.Awaitable)) lent.push(v);
        return v;
      };
      try {
        const args: unknown[] = new Array(nargs);
        for (let i = 0; i < nargs; i++) args[i] = arg(m.HEAPU32[(argv >> 2) + i]);
        if (kwnames) {
          const kw: Record<string, unknown> = {};
          const n = m._pinnace_seq_len(kwnames);
          for (let j = 0; j < n; j++) {
            kw[b.toJs(m._pinnace_seq_item(kwnames, j))] = arg(m.HEAPU32[(argv >> 2) + nargs + j]);
          }
          args.push(kw);
        }
        const r = construct ? Reflect.construct(f, args) : Reflect.apply(f, thisId ? h.get(thisId) : undefined, args);
        return b.toPy(r);
      } finally {
        // Python objects passed as arguments are lent for the duration of the call.
        for (const p of lent) {
          destroyProxy(b, p, "This PyProxy was an argument of a JS call that has returned, which destroyed it; " +
            "wrap the Python object with pinnace.ffi.create_proxy() to keep it");
        }
      }
    }),
    len: guard(b, -1, (id: number) => {
      const o = h.get(id);
      if (typeof o.length === "number") return o.length;
      if (typeof o.size === "number") return o.size;
      return NO_LENGTH;
    }),
    bool: guard(b, -1, (id: number) => {
      const o = h.get(id);
      if (isArrayLike(o)) return o.length ? 1 : 0;
      if (o instanceof Map || o instanceof Set) return o.size ? 1 : 0;
      return o ? 1 : 0;
    }),
    getitem: guard(b, 0, (id: number, keyPtr: number) => {
      const o = h.get(id);
      const key = keyOf(keyPtr);
      if (isArrayLike(o)) {
        if (typeof key !== "number" || !Number.isInteger(key)) {
          b.setError(ErrorKind.TypeError, "JS array indices must be integers");
          return 0;
        }
        const i = key < 0 ? key + o.length : key;
        return i >= 0 && i < o.length ? b.toPy(o[i]) : INDEX_ERROR;
      }
      if (o instanceof Map) return o.has(key) ? b.toPy(o.get(key)) : MISSING;
      if ((typeof key === "string" || typeof key === "number" || typeof key === "symbol") && key in Object(o)) {
        return b.toPy(o[key]);
      }
      return MISSING;
    }),
    setitem: guard(b, -1, (id: number, keyPtr: number, valuePtr: number) => {
      const o = h.get(id);
      const key = keyOf(keyPtr);
      if (isArrayLike(o)) {
        if (typeof key !== "number" || !Number.isInteger(key)) {
          b.setError(ErrorKind.TypeError, "JS array indices must be integers");
          return -1;
        }
        const i = key < 0 ? key + o.length : key;
        if (i < 0 || i >= o.length) return SetItemResult.IndexOutOfRange;
        if (valuePtr) o[i] = b.toJs(valuePtr);
        else if (Array.isArray(o)) o.splice(i, 1);
        else throw new TypeError("cannot delete an element of a typed array");
        return SetItemResult.Done;
      }
      if (o instanceof Map) {
        if (valuePtr) o.set(key, b.toJs(valuePtr));
        else if (!o.delete(key)) return SetItemResult.NoSuchKey;
        return SetItemResult.Done;
      }
      if (valuePtr) o[key] = b.toJs(valuePtr);
      else if (!(key in Object(o))) return SetItemResult.NoSuchKey;
      else delete o[key];
      return SetItemResult.Done;
    }),
    contains: guard(b, -1, (id: number, keyPtr: number) => {
      const o = h.get(id);
      const key = keyOf(keyPtr);
      if (isArrayLike(o)) return Array.prototype.includes.call(o, key) ? 1 : 0;
      if (typeof o.has === "function") return o.has(key) ? 1 : 0;
      if (typeof o.includes === "function") return o.includes(key) ? 1 : 0;
      return (typeof key === "string" || typeof key === "symbol") && key in Object(o) ? 1 : 0;
    }),
    iter: guard(b, 0, (id: number) => {
      const o = h.get(id);
      let it;
      if (o instanceof Map) it = o.keys();
      else if (typeof o[Symbol.iterator] === "function") it = o[Symbol.iterator]();
      else if (typeof o.next === "function") it = o;
      else {
        b.setError(ErrorKind.TypeError, "this JS object is not iterable (no [Symbol.iterator] or next())");
        return 0;
      }
      return m._pinnace_jsproxy(h.hold(it), 0);
    }),
    next: guard(b, 0, (id: number) => {
      const o = h.get(id);
      if (typeof o.next !== "function") {
        b.setError(ErrorKind.TypeError, "this JS object is not an iterator (no next())");
        return 0;
      }
      const r = o.next();
      return r.done ? MISSING : b.toPy(r.value);
    }),
    repr: guard(b, 0, (id: number) => {
      const o = h.get(id);
      let s: string;
      try {
        s = typeof o === "symbol" ? o.toString() : String(o);
      } catch {
        s = Object.prototype.toString.call(o);
      }
      return b.toPy(s);
    }),
    typeOf: guard(b, 0, (id: number) => b.toPy(typeof h.get(id))),
    instanceOf: guard(b, -1, (id: number, cls: number) => (h.get(id) instanceof h.get(cls) ? 1 : 0)),
    jsToPyDeep: guard(b, 0, (id: number, depth: number, conv: number) => {
      const f = conv ? b.toJs(conv) : undefined;
      return jsToPyDeep(b, h.get(id), depth, f);
    }),
    toJsFromPython: guard(b, 0, (ptr: number, depth: number, dictConv: number, defaultConv: number) => {
      const dc = dictConv ? b.toJs(dictConv) : undefined;
      const df = defaultConv ? b.toJs(defaultConv) : undefined;
      const defaultConverter = df && ((v: unknown, convert: (x: unknown) => unknown) => df(v, convert));
      return b.toPy(pyToJsDeep(b, ptr, { depth, dictConverter: dc, defaultConverter }));
    }),
    toBytes: guard(b, 0, (id: number) => {
      const o = h.get(id);
      let bytes: Uint8Array;
      if (o instanceof ArrayBuffer) bytes = new Uint8Array(o);
      else if (ArrayBuffer.isView(o)) bytes = new Uint8Array(o.buffer, o.byteOffset, o.byteLength);
      else {
        b.setError(ErrorKind.TypeError, "to_bytes() needs an ArrayBuffer, a typed array or a DataView");
        return 0;
      }
      const result = m._pinnace_bytes_alloc(bytes.length);
      if (result) m.HEAPU8.set(bytes, m._pinnace_bytes_data(result));
      return result;
    }),
    assign: guard(b, -1, (id: number, buf: number, len: number) => {
      const o = h.get(id);
      if (!ArrayBuffer.isView(o)) {
        b.setError(ErrorKind.TypeError, "assign() needs a typed array or a DataView");
        return -1;
      }
      if (o.byteLength !== len) {
        b.setError(ErrorKind.ValueError, `assign(): the buffer has ${len} bytes, the JS array ${o.byteLength}`);
        return -1;
      }
      new Uint8Array(o.buffer, o.byteOffset, o.byteLength).set(m.HEAPU8.subarray(buf, buf + len));
      return 0;
    }),
    destroyProxy: guard(b, -1, (id: number) => {
      destroyProxy(b, h.get(id));
      return 0;
    }),
    dir: guard(b, 0, (id: number) => {
      const keys = new Set<string>();
      for (let o = Object(h.get(id)); o; o = Object.getPrototypeOf(o)) {
        for (const k of Object.getOwnPropertyNames(o)) keys.add(k);
      }
      return jsToPyDeep(b, [...keys], 1);
    }),
    createProxy: guard(b, 0, (ptr: number, once: number) => {
      m._pinnace_incref(ptr);
      return m._pinnace_jsproxy(h.hold(makePyProxy(b, ptr, once !== 0)), 0);
    }),
  };
}
