// Decoding the result of pinnace_run (see runtime/pinnace/_run.py for the tags).
import { PythonError } from "./errors.js";

export type PyValue = number | bigint | string | boolean | undefined;

const decoder = new TextDecoder();

/** Read and decode the length-prefixed UTF-8 result buffer at ptr. */
export function readWire(heap: Uint8Array, ptr: number): string {
  const len = new DataView(heap.buffer, heap.byteOffset + ptr, 4).getUint32(0, true);
  return decoder.decode(heap.subarray(ptr + 4, ptr + 4 + len));
}

function parseInt(hex: string): number | bigint {
  const negative = hex.startsWith("-");
  const big = BigInt(negative ? hex.slice(1) : hex); // "0x..." is valid BigInt syntax
  const value = negative ? -big : big;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

function parseFloat(text: string): number {
  if (text === "nan") return NaN;
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  return Number(text);
}

/** Convert a wire result to a JS value, or throw the PythonError it carries. */
export function decodeResult(wire: string): PyValue {
  const tag = wire[0];
  const body = wire.slice(1);
  switch (tag) {
    case "n":
      return undefined;
    case "b":
      return body === "1";
    case "i":
      return parseInt(body);
    case "f":
      return parseFloat(body);
    case "s":
    case "r":
      return body;
    case "E": {
      const nl = body.indexOf("\n");
      throw new PythonError(body.slice(0, nl), body.slice(nl + 1));
    }
    default:
      throw new Error(`Pinnace: unknown result tag ${JSON.stringify(tag)}`);
  }
}
