// Standard streams: character devices that replace /dev/stdin, /dev/stdout and /dev/stderr.
//
// An output option is either a function called once per line (without the newline; a partial
// line is delivered when flushed) or an object whose write(bytes) receives raw bytes as Python
// writes them.  stdin is a synchronous function returning the next chunk (string or bytes), or
// null/undefined at end of input.
import type { EmModule } from "./module.js";

export type LineHandler = (line: string) => void;
export type RawWriter = { write(bytes: Uint8Array): void };
export type OutputOption = LineHandler | RawWriter;
export type InputOption = () => string | Uint8Array | null | undefined;

const EIO = 29;
let nextMinor = 0;

class LineBuffer {
  private decoder = new TextDecoder();
  private pending = "";
  constructor(private readonly emit: LineHandler) {}

  write(bytes: Uint8Array): void {
    const text = this.pending + this.decoder.decode(bytes, { stream: true });
    const lines = text.split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) this.emit(line);
  }

  flush(): void {
    const rest = this.pending + this.decoder.decode();
    this.pending = "";
    if (rest) this.emit(rest);
  }
}

export interface Streams {
  /** Deliver partial lines still buffered (called after each runPython). */
  flush(): void;
  /** Replace a stream's handler while Python runs (setStdout / setStderr / setStdin). */
  setOutput(which: "stdout" | "stderr", option: OutputOption): void;
  setInput(option: InputOption | undefined): void;
}

function outputDevice(option: OutputOption): { write(b: Uint8Array): void; flush(): void } {
  if (typeof option === "function") {
    const lines = new LineBuffer(option);
    return { write: (b) => lines.write(b), flush: () => lines.flush() };
  }
  return { write: (b) => option.write(b), flush: () => {} };
}

function inputDevice(option: InputOption | undefined) {
  const encoder = new TextEncoder();
  let chunk: Uint8Array = new Uint8Array(0);
  let eof = false;
  return (buffer: Uint8Array, offset: number, length: number): number => {
    if (chunk.length === 0 && !eof && option) {
      const next = option();
      if (next === null || next === undefined) eof = true;
      else chunk = typeof next === "string" ? encoder.encode(next) : next;
    }
    if (chunk.length === 0) {
      eof = false; // the next read asks again: a REPL may receive more input later
      return 0;
    }
    const n = Math.min(length, chunk.length);
    buffer.set(chunk.subarray(0, n), offset);
    chunk = chunk.subarray(n);
    return n;
  };
}

/** Replace fds 0, 1, 2 with devices bound to the given options. Call before Python starts. */
export function installStreams(
  mod: EmModule,
  stdin: InputOption | undefined,
  stdout: OutputOption,
  stderr: OutputOption,
): Streams {
  const { FS } = mod;
  let out = outputDevice(stdout);
  let err = outputDevice(stderr);
  let read = inputDevice(stdin);
  const devices: Array<[string, string, object]> = [
    ["stdin", "r", { read: (_s: unknown, b: Uint8Array, o: number, l: number) => read(b, o, l) }],
    ["stdout", "w", { write: writer(FS, (b) => out.write(b)) }],
    ["stderr", "w", { write: writer(FS, (b) => err.write(b)) }],
  ];
  for (let fd = 0; fd < 3; fd++) {
    if (FS.streams[fd]) FS.close(FS.streams[fd]);
  }
  for (const [name, flags, ops] of devices) {
    const dev = FS.makedev(64, nextMinor++);
    FS.registerDevice(dev, ops);
    const path = `/dev/pinnace-${name}-${dev}`;
    FS.mkdev(path, name === "stdin" ? 0o444 : 0o222, dev);
    FS.open(path, flags); // takes the lowest free fd: 0, 1, 2 in order
  }
  return {
    flush() {
      out.flush();
      err.flush();
    },
    setOutput(which, option) {
      if (which === "stdout") {
        out.flush();
        out = outputDevice(option);
      } else {
        err.flush();
        err = outputDevice(option);
      }
    },
    setInput(option) {
      read = inputDevice(option);
    },
  };
}

function writer(FS: EmModule["FS"], sink: (b: Uint8Array) => void) {
  return (_s: unknown, buffer: Uint8Array, offset: number, length: number): number => {
    try {
      // copy: the view aliases wasm memory, which Python reuses right after the call
      sink(buffer.slice(offset, offset + length));
    } catch (e) {
      console.error("Pinnace: an output handler threw", e);
      throw new FS.ErrnoError(EIO);
    }
    return length;
  };
}
