// Deep conversions: to_js / PyProxy.toJs (Python -> JS) and to_py / toPy (JS -> Python).
import { ContainerKind, Kind, type FfiModule } from "./exports.js";
import type { Bridge } from "./bridge.js";
import { makePyProxy, proxyState, destroyProxy } from "./pyproxy.js";

export interface ToJsOptions {
  /** How deep to convert (-1: all the way). */
  depth?: number;
  /** Called with [key, value] pairs to make a dict's JS value; default: a Map. */
  dictConverter?: (entries: [unknown, unknown][]) => unknown;
  /** Called with a PyProxy of an object that has no JS equivalent; default: the PyProxy. */
  defaultConverter?: (value: any, convert: (v: unknown) => unknown) => unknown;
}

/** Python -> JS: list/tuple -> Array, dict -> Map, set -> Set, bytes-like -> Uint8Array (copied). */
export function pyToJsDeep(b: Bridge, root: number, options: ToJsOptions): unknown {
  const m = b.m;
  const { dictConverter, defaultConverter } = options;
  const cache = new Map<number, unknown>();
  const conv = (ptr: number, depth: number): unknown => {
    if (m._pinnace_kind(ptr) !== Kind.Other) return b.toJs(ptr);
    const cached = cache.get(ptr);
    if (cached !== undefined) return cached;
    const kind = depth === 0 ? ContainerKind.Other : m._pinnace_container_kind(ptr);
    switch (kind) {
      case ContainerKind.Sequence:
      case ContainerKind.Set: {
        const seq = m._pinnace_seq_fast(ptr);
        if (!seq) throw b.takeError();
        try {
          const n = m._pinnace_seq_len(seq);
          const items: unknown[] = new Array(n);
          const result = kind === ContainerKind.Sequence ? items : new Set();
          cache.set(ptr, result);
          for (let i = 0; i < n; i++) items[i] = conv(m._pinnace_seq_item(seq, i), depth - 1);
          if (kind === ContainerKind.Set) for (const x of items) (result as Set<unknown>).add(x);
          return result;
        } finally {
          m._pinnace_decref(seq);
        }
      }
      case ContainerKind.Mapping: {
        const list = m._pinnace_items(ptr);
        if (!list) throw b.takeError();
        try {
          const n = m._pinnace_seq_len(list);
          const entries: [unknown, unknown][] = new Array(n);
          for (let i = 0; i < n; i++) {
            const pair = m._pinnace_seq_item(list, i);
            entries[i] = [conv(m._pinnace_seq_item(pair, 0), depth - 1), conv(m._pinnace_seq_item(pair, 1), depth - 1)];
          }
          const result = dictConverter ? dictConverter(entries) : new Map(entries);
          cache.set(ptr, result);
          return result;
        } finally {
          m._pinnace_decref(list);
        }
      }
      case ContainerKind.Bytes: {
        m._pinnace_incref(ptr);
        const proxy = makePyProxy(b, ptr);
        try {
          const buf = proxy.getBuffer();
          const copy = new Uint8Array(buf.data.buffer, buf.data.byteOffset, buf.nbytes).slice();
          buf.release();
          return copy;
        } finally {
          destroyProxy(b, proxy);
        }
      }
      default: {
        m._pinnace_incref(ptr);
        const proxy = makePyProxy(b, ptr);
        if (!defaultConverter) return proxy;
        try {
          const convert = (v: unknown) => {
            const st = proxyState(v);
            return st && st.ptr ? conv(st.ptr, depth - 1) : v;
          };
          const result = defaultConverter(proxy, convert);
          cache.set(ptr, result);
          return result;
        } finally {
          destroyProxy(b, proxy);
        }
      }
    }
  };
  return conv(root, options.depth ?? -1);
}

/** An array of numbers as a list in one call into C; undefined if v holds other values. */
function numberList(m: FfiModule, v: unknown[]): number | undefined {
  const n = v.length;
  const buf = m._pinnace_scratch(8 * n + 8);
  const f64 = m.HEAPF64;
  const base = buf >> 3;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x !== "number") return undefined;
    f64[base + i] = x;
  }
  return m._pinnace_list_from_f64(buf, n);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * JS -> Python (a new reference, or 0 with the Python error set): Array -> list, Map and plain
 * objects -> dict, Set -> set, ArrayBuffer / typed arrays / DataView -> bytes (one copy).
 * Anything else: defaultConverter(value) if given, else a JsProxy.
 */
export function jsToPyDeep(b: Bridge, root: unknown, depth: number, defaultConverter?: (v: unknown) => unknown): number {
  const m = b.m;
  const cache = new Map<unknown, number>();
  const fail = (owned: number[]) => {
    for (const p of owned) if (p) m._pinnace_decref(p);
    return 0;
  };
  const conv = (v: unknown, d: number): number => {
    if (typeof v !== "object" || v === null || d === 0 || proxyState(v)) return b.toPy(v);
    const cached = cache.get(v);
    if (cached !== undefined) {
      m._pinnace_incref(cached);
      return cached;
    }
    if (Array.isArray(v)) {
      const n = v.length;
      const numbers = numberList(m, v);
      if (numbers !== undefined) {
        if (numbers) cache.set(v, numbers);
        return numbers;
      }
      const result = m._pinnace_list_new_n(n);
      if (!result) return 0;
      cache.set(v, result);
      for (let i = 0; i < n; i++) {
        const x = v[i];
        const item = typeof x === "number" || typeof x === "string" ? b.toPy(x) : conv(x, d - 1);
        if (!item) return fail([result]); // the list's empty slots are NULL, which it allows
        m._pinnace_list_set(result, i, item);
      }
      return result;
    }
    if (v instanceof Set) {
      const result = m._pinnace_set_new();
      if (!result) return 0;
      cache.set(v, result);
      for (const x of v) {
        const item = conv(x, d - 1);
        if (!item || m._pinnace_set_add(result, item) < 0) return fail([result]);
      }
      return result;
    }
    if (v instanceof Map || isPlainObject(v)) {
      const result = m._pinnace_dict_new();
      if (!result) return 0;
      cache.set(v, result);
      const entries = v instanceof Map ? v.entries() : Object.entries(v);
      for (const [k, x] of entries) {
        const key = conv(k, d - 1);
        const value = key ? conv(x, d - 1) : 0;
        if (!value) return fail([result, key]);
        if (m._pinnace_dict_set(result, key, value) < 0) return fail([result]);
      }
      return result;
    }
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      const result = m._pinnace_bytes_alloc(bytes.length);
      if (result) m.HEAPU8.set(bytes, m._pinnace_bytes_data(result));
      return result;
    }
    if (defaultConverter) {
      const result = b.toPy(defaultConverter(v));
      if (result) cache.set(v, result);
      return result;
    }
    return b.toPy(v);
  };
  return conv(root, depth);
}
