// UTF-8 between JS strings and wasm memory, with a fast path for short ASCII strings.
import type { FfiModule } from "./exports.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The string of len UTF-8 bytes at ptr (NUL bytes included).  Python's strings may hold
 * lone surrogates, as JS strings may: the runtime hands those over as WTF-8 (a surrogate as
 * its own 3-byte sequence, ED A0..BF xx), which TextDecoder would replace with U+FFFD. */
export function readUtf8(m: FfiModule, ptr: number, len: number): string {
  const heap = m.HEAPU8;
  if (len < 24) {
    let s = "";
    for (let i = 0; i < len; i++) {
      const c = heap[ptr + i];
      if (c >= 128) return decodeWtf8(heap.subarray(ptr, ptr + len));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeWtf8(heap.subarray(ptr, ptr + len));
}

function decodeWtf8(bytes: Uint8Array): string {
  const s = decoder.decode(bytes);
  if (!s.includes("\uFFFD")) return s;
  let surrogates = false;
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xed && bytes[i + 1] >= 0xa0) surrogates = true;
  if (!surrogates) return s; // a real U+FFFD, or bytes that are not UTF-8 at all
  // Decode sequence by sequence: the surrogates' 3-byte sequences become their code units.
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    if (n === 3 && b === 0xed && bytes[i + 1] >= 0xa0) {
      out += String.fromCharCode(((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f));
    } else {
      out += decoder.decode(bytes.subarray(i, i + n));
    }
    i += n;
  }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** s as WTF-8: UTF-8, with each lone surrogate as its own 3-byte sequence (which the runtime
 * decodes with "surrogatepass"), where TextEncoder would write U+FFFD. */
function encodeWtf8(s: string, out: Uint8Array): number {
  let at = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[at++] = c;
    else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      out[at++] = 0xf0 | (c >> 18);
      out[at++] = 0x80 | ((c >> 12) & 0x3f);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
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
  if (i !== n) {
    const out = heap.subarray(ptr, ptr + max - 1);
    len = LONE_SURROGATE.test(s) ? encodeWtf8(s, out) : encoder.encodeInto(s, out).written;
  }
  if (nul) heap[ptr + len] = 0;
  return [ptr, len];
}
