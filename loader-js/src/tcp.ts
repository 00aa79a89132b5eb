// TCP connections for Python's asyncio streams (asyncio.open_connection, loop.create_connection;
// runtime/pinnace/_tcp.py) over Node's `net`, where it is reachable (Node, Electron's main and
// utility processes).  A connection is a handle Python holds: `ready` settles when connected (or
// rejects with the error, e.g. ECONNREFUSED), and the socket's events call Python's callbacks:
// data (a Uint8Array), drain (the write buffer emptied: backpressure released), end (the peer
// will send nothing more), close (with the error that ended it, if any).

/** Python's side of a connection: called from the socket's events. */
export interface TcpEvents {
  data(chunk: Uint8Array): void;
  drain(): void;
  end(): void;
  close(error: TcpError | null): void;
}

/** A socket error as data: Node's code ("ECONNREFUSED") and message. */
export interface TcpError {
  code: string;
  message: string;
}

export interface TcpHandle {
  /** resolves once connected; rejects with a TcpError */
  ready: Promise<void>;
  /** false when the write buffer is full: wait for drain */
  write(chunk: Uint8Array): boolean;
  /** half-close: send the end of the stream (the socket closes once the peer ends too) */
  end(): void;
  /** close at once, dropping unsent data */
  destroy(): void;
  pause(): void;
  resume(): void;
  /** [address, port] of each end, once connected */
  peer(): [string, number];
  local(): [string, number];
}

type NetModule = typeof import("node:net");

function asError(e: unknown): TcpError {
  const err = e as { code?: string; message?: string } | undefined;
  return { code: String(err?.code ?? "EIO"), message: String(err?.message ?? e) };
}

/** Connect to host:port with Node's net; the events go to `events`. */
export function tcpConnect(net: NetModule, host: string, port: number, events: TcpEvents): TcpHandle {
  const socket = net.connect({ host, port });
  let failure: TcpError | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", (e) => reject(asError(e)));
  });
  ready.catch(() => {}); // Python awaits it; a failure before that is not unhandled
  socket.on("connect", () => {
    socket.on("data", (chunk: Buffer) => events.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on("drain", () => events.drain());
    socket.on("end", () => events.end());
  });
  socket.on("error", (e) => (failure = asError(e)));
  socket.on("close", () => events.close(failure));
  return {
    ready,
    write: (chunk) => socket.write(chunk),
    end: () => void socket.end(),
    destroy: () => void socket.destroy(),
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
    peer: () => [socket.remoteAddress ?? "", socket.remotePort ?? 0],
    local: () => [socket.localAddress ?? "", socket.localPort ?? 0],
  };
}
