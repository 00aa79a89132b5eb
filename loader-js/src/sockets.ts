// Emscripten's sockets (SOCKFS) stand for WebSockets, not TCP: connect() opens a WebSocket to the
// address (in Node through the `ws` package, which is not there), and in Node listen() requires
// `ws` outside any error handling, so the first listen() ended the node process ("Cannot find
// module 'ws'"): socket.socketpair() is made of listen() and connect() on this platform.  No
// Python socket reaches a network in any host, so the calls that would try fail with an errno
// instead, before Emscripten acts on them: connect() and an addressed sendto() with ENETUNREACH,
// listen() with EOPNOTSUPP.  Python's socket module (a stdlib patch, build/stdlib-patches) adds
// why to the message.  Other calls (socket(), bind(), getsockname()) work as Emscripten has them.
import type { EmFS } from "./module.js";

const ENETUNREACH = 40;
const EOPNOTSUPP = 138;

type Syscall = (...args: number[]) => number;

/** Wrap the socket syscalls among the module's `imports` (before instantiation). ``fs``: the
 * module's FS, once there is one (Python makes sockets only after that). */
export function refuseNetworkSockets(imports: WebAssembly.Imports, fs: () => EmFS | undefined): void {
  const env = imports.env as Record<string, unknown>;
  const isSocket = (fd: number): boolean => {
    const stream = (fs() as unknown as { getStream(fd: number): { node?: { sock?: unknown } } | null } | undefined)?.getStream(fd);
    return stream?.node?.sock !== undefined;
  };
  const refuse = (name: string, errno: number, when: (args: number[]) => boolean): void => {
    const original = env[name] as Syscall | undefined;
    if (typeof original !== "function") return;
    env[name] = (...args: number[]): number => (isSocket(args[0]) && when(args) ? -errno : original(...args));
  };
  refuse("__syscall_connect", ENETUNREACH, () => true);
  refuse("__syscall_listen", EOPNOTSUPP, () => true);
  // sendto(fd, buf, len, flags, addr, addrlen): with an address it would open a connection
  refuse("__syscall_sendto", ENETUNREACH, (args) => args[4] !== 0);
  // sendmsg(fd, msg, flags): no socket is ever connected, so a message would go to an address
  refuse("__syscall_sendmsg", ENETUNREACH, () => true);
}
