// The runtime's C functions the FFI calls (runtime/src/pyexports.c, ffi_run.c): pointers are
// numbers; functions returning a PyObject* return a new reference, 0 on error, 1 for "missing".
import type { EmModule } from "../module.js";

type Ptr = number;

export interface FfiModule extends EmModule {
  HEAP32: Int32Array;
  HEAPF64: Float64Array;
  _ffi?: unknown;
  _pinnace_scratch_addr(): Ptr;
  _pinnace_scratch(n: number): Ptr;
  _pinnace_kind(o: Ptr): Kind;
  _pinnace_int_hex(o: Ptr): Ptr;
  _pinnace_none(): Ptr;
  _pinnace_jsnull(): Ptr;
  _pinnace_bool(b: number): Ptr;
  _pinnace_int(d: number): Ptr;
  _pinnace_int64(v: bigint): Ptr;
  _pinnace_int_from_hex(s: Ptr): Ptr;
  _pinnace_float(d: number): Ptr;
  _pinnace_str(s: Ptr, len: number): Ptr;
  _pinnace_jsproxy(id: number, thisId: number): Ptr;
  _pinnace_incref(o: Ptr): void;
  _pinnace_decref(o: Ptr): void;
  _pinnace_list_new_n(n: number): Ptr;
  _pinnace_list_from_f64(values: Ptr, n: number): Ptr;
  _pinnace_list_set(list: Ptr, i: number, item: Ptr): void;
  _pinnace_dict_new(): Ptr;
  _pinnace_dict_set(d: Ptr, k: Ptr, v: Ptr): number;
  _pinnace_set_new(): Ptr;
  _pinnace_set_add(s: Ptr, item: Ptr): number;
  _pinnace_bytes_alloc(n: number): Ptr;
  _pinnace_bytes_data(b: Ptr): Ptr;
  _pinnace_container_kind(o: Ptr): ContainerKind;
  _pinnace_seq_fast(o: Ptr): Ptr;
  _pinnace_seq_len(seq: Ptr): number;
  _pinnace_seq_item(seq: Ptr, i: number): Ptr;
  _pinnace_items(o: Ptr): Ptr;
  _pinnace_getattr(o: Ptr, name: Ptr, len: number): Ptr;
  _pinnace_setattr(o: Ptr, name: Ptr, len: number, value: Ptr): number;
  _pinnace_hasattr(o: Ptr, name: Ptr, len: number): number;
  _pinnace_getitem(o: Ptr, key: Ptr): Ptr;
  _pinnace_setitem(o: Ptr, key: Ptr, value: Ptr): number;
  _pinnace_contains(o: Ptr, key: Ptr): number;
  _pinnace_call(o: Ptr, argv: Ptr, nargs: number, kwargs: Ptr): Ptr;
  _pinnace_len(o: Ptr): number;
  _pinnace_iter(o: Ptr): Ptr;
  _pinnace_next(it: Ptr): Ptr;
  _pinnace_repr(o: Ptr): Ptr;
  _pinnace_str_of(o: Ptr): Ptr;
  _pinnace_dir(o: Ptr): Ptr;
  _pinnace_type_name(o: Ptr): Ptr;
  _pinnace_flags(o: Ptr): Flag;
  _pinnace_get_buffer(o: Ptr): Ptr;
  _pinnace_buffer_format(view: Ptr): Ptr;
  _pinnace_buffer_ndim(view: Ptr): number;
  _pinnace_buffer_shape(view: Ptr): Ptr;
  _pinnace_buffer_release(view: Ptr): void;
  _pinnace_take_error(): Ptr;
  _pinnace_describe(exc: Ptr): Ptr;
  _pinnace_js_error_id(exc: Ptr): number;
  _pinnace_restore_error(exc: Ptr): void;
  _pinnace_raise_js(id: number): void;
  _pinnace_set_error(kind: ErrorKind, message: Ptr): void;
  _pinnace_run_ffi(code: Ptr, filename: Ptr, globals: Ptr): Ptr;
  _pinnace_run_async(code: Ptr, filename: Ptr, globals: Ptr): Ptr;
  _pinnace_import(name: Ptr): Ptr;
  _pinnace_main_dict(): Ptr;
  _pinnace_register_js_module(name: Ptr, id: number): number;
}

// The enums below mirror the C side's (runtime/src/ffi.h): change both together.

/** Kinds returned by pinnace_kind. */
export const enum Kind {
  None = 0, False, True, Int, BigInt, Float, Str, JsNull, JsProxy, Other,
}

/** Bits returned by pinnace_flags. */
export const enum Flag {
  Callable = 1, Iterable = 2, Iterator = 4, Awaitable = 8, AsyncIterable = 16, HasLength = 32,
  Buffer = 64, AsyncIterator = 256,
}

/** What pinnace_container_kind says a Python object is, for the deep copies of convert.ts. */
export const enum ContainerKind {
  Other = 0, Sequence = 1, Mapping = 2, Set = 3, Bytes = 4,
}

/** The builtin exceptions JS raises in Python by kind (pinnace_set_error). */
export const enum ErrorKind {
  TypeError = 0, ValueError = 1, RuntimeError = 2,
}

/** What the FFI's setitem and setattr return to C besides -1 (an exception is set). */
export const enum SetItemResult {
  Done = 0, NoSuchKey = 1, IndexOutOfRange = 2,
}

/** What the FFI's len returns to C for an object with neither length nor size. */
export const NO_LENGTH = -2;

/** Sentinel PyObject* values. */
export const MISSING = 1;
export const INDEX_ERROR = 2;
