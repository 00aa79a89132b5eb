// UTF-8 between JS strings and wasm memory, with a fast path for short ASCII strings.
import type { FfiModule } from "./exports.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The string of len UTF-8 bytes at ptr (NUL bytes included). */
export function readUtf8(m: FfiModule, ptr: number, len: number): string {
  const heap = m.HEAPU8;
  if (len < 24) {
    let s = "";
    for (let i = 0; i < len; i++) {
      const c = heap[ptr + i];
      if (c >= 128) return decoder.decode(heap.subarray(ptr, ptr + len));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(heap.subarray(ptr, ptr + len));
}

/** A NUL-terminated string at ptr. */
export function readCString(m: FfiModule, ptr: number): string {
  const heap = m.HEAPU8;
  let end = ptr;
  while (heap[end]) end++;
  return decoder.decode(heap.subarray(ptr, end));
}

/**
 * Write s as UTF-8 into the runtime's scratch buffer; returns [ptr, byteLength].  The buffer is
 * reused by the next call: pass it to C at once.  nul adds a terminating NUL byte.
 */
export function writeScratch(m: FfiModule, s: string, nul = false): [number, number] {
  const n = s.length;
  const max = n * 3 + 1;
  const ptr = m._pinnace_scratch(max);
  const heap = m.HEAPU8; // after _pinnace_scratch: it may have grown memory
  let i = 0;
  if (n < 64) {
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) break;
      heap[ptr + i] = c;
    }
  }
  let len = n;
  if (i !== n) len = encoder.encodeInto(s, heap.subarray(ptr, ptr + max - 1)).written;
  if (nul) heap[ptr + len] = 0;
  return [ptr, len];
}
