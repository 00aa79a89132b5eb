// What pinnace.loop (the asyncio loop on the host's event loop) needs from JS.
import type { Bridge } from "./bridge.js";
import { proxyState } from "./pyproxy.js";

type Task = () => void;

/** Run f soon, after pending I/O and rendering: setImmediate (Node) or a MessageChannel. */
function makeSoon(): (f: Task) => void {
  const g = globalThis as any;
  if (typeof g.setImmediate === "function") return (f) => void g.setImmediate(f);
  if (typeof MessageChannel === "function") {
    const queue: Task[] = [];
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const batch = queue.splice(0, queue.length);
      for (const f of batch) f();
    };
    return (f) => {
      queue.push(f);
      if (queue.length === 1) channel.port2.postMessage(0);
    };
  }
  return (f) => void setTimeout(f, 0);
}

/** The object pinnace.loop and pinnace.ffi get from _pinnace_ffi.bridge(). */
export function hostApi(b: Bridge) {
  const soon = makeSoon();
  const jspi = b.jspi;
  return {
    // With JSPI the loop's callbacks (PyProxies) run where a lazy import may suspend (jspi.ts).
    soon: jspi ? (f: Task) => soon(() => jspi.run(f)) : soon,
    setTimeout: jspi
      ? (f: Task, ms: number, arg: unknown) => setTimeout(() => jspi.run(f, arg), ms)
      : (f: Task, ms: number, arg: unknown) => setTimeout(f, ms, arg),
    clearTimeout: (id: unknown) => clearTimeout(id as any),
    /** Have settle (a kept PyProxy of pinnace.loop's LOOP.settle for one asyncio future)
     * settle it with the outcome of a JS thenable. */
    thenToFuture(thenable: any, settle: any) {
      const call = (ok: boolean, value: () => unknown) => {
        const run = () => {
          try {
            settle(ok, value());
          } finally {
            settle.destroy();
          }
        };
        if (jspi) jspi.whenFree(run); // not while Python is suspended on a lazy import
        else run();
      };
      thenable.then(
        (value: unknown) => call(true, () => value),
        (error: unknown) =>
          call(false, () => {
            const kept = (error as any)?.pyException;
            return proxyState(kept)?.ptr ? kept : b.pinnaceFfi().JsException(error);
          }),
      );
    },
  };
}
