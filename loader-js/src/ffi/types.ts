// The types users of the npm package see for Python objects in JS (docs/ffi.md#js-side-pyproxy).
// The objects themselves are made in pyproxy.ts; these interfaces describe them.
import type { ToJsOptions } from "./convert.js";

/** A zero-copy view of a C-contiguous Python buffer (`proxy.getBuffer()`); release() when done. */
export interface PyBuffer {
  data: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array
    | BigUint64Array | Float32Array | Float64Array;
  format: string;
  itemsize: number;
  nbytes: number;
  ndim: number;
  shape: number[];
  readonly: boolean;
  release(): void;
}

/**
 * A Python object in JS: attributes as properties, calls, item access by get/set/has/delete,
 * iteration; release it with destroy() (or `using`).  Python attributes are `any`.
 */
export interface PyProxy {
  (...args: any[]): any;
  [attribute: string]: any;
  /** The Python type's name. */
  type(): string;
  /** `str()` of the object. */
  toString(): string;
  /** Drop the reference to the Python object; using the proxy afterwards throws. */
  destroy(): void;
  /** A deep copy as JS values (lists -> arrays, dicts -> Maps or dictConverter's result, ...). */
  toJs(options?: ToJsOptions): any;
  /** Call with keyword arguments: the last argument is an object of them. */
  callKwargs(...argsThenKwargs: any[]): any;
  get(key: any): any;
  set(key: any, value: any): void;
  has(key: any): boolean;
  delete(key: any): void;
  /** `len()` of the object. */
  readonly length: number;
  /** A second proxy of the same object (destroyed separately). */
  copy(): PyProxy;
  getBuffer(): PyBuffer;
  [Symbol.iterator](): Iterator<any>;
}
