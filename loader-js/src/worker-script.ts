// The worker side of a <script type="py" worker> (docs/page.md#worker-scripts): the page
// (page-remote.ts) starts the loader's own ES module as a Web Worker named WORKER_NAME and
// posts it the script; this module loads an interpreter there, applies the page's config, gives
// Python the channel to the page (the JS module `_pinnace_page`, used by
// runtime/pinnace/_page_remote.py) and runs the script.
//
// Worker -> page:
//   { kind: "sync", request, control, data }  answered in the SharedArrayBuffers: control is
//       [state, length] (state 1: the answer's UTF-8 JSON is in data; 2: it is `length` bytes,
//       more than data holds: send { kind: "more", data } with a larger buffer)
//   { kind: "async", id, request }           answered by { kind: "reply", id, answer }
//   { kind: "post", request }                no answer (errors are shown on the page)
//   { kind: "done" }                         the script has finished (its errors were posted)
// Page -> worker: { kind: "start", ... } (StartMessage), { kind: "reply", id, answer },
//   { kind: "event", binding, event } (a `when` binding fired; event is an encoded handle).
// Requests and answers are JSON texts (their shapes: runtime/pinnace/_page_remote.py).
import { applyConfig, parseToml, type ConfigSource } from "./page-config.js";
import { loadPinnace, type Pinnace } from "./pinnace.js";

/** The name the page gives the workers it starts for worker scripts. */
export const WORKER_NAME = "pinnace-script";

export interface StartMessage {
  kind: "start";
  code: string;
  filename: string;
  config: ConfigSource;
  /** the page's URL: config files are relative to it */
  base: string;
  /** the page is cross-origin isolated: synchronous access to it works */
  isolated: boolean;
  /** on an isolated page, [signal, busy] on a SharedArrayBuffer: signal is the interrupt
   * buffer (2: KeyboardInterrupt), busy is 1 while Python runs the script or a handler */
  interrupt: Int32Array | null;
}

const CAPACITY = 64 * 1024;

/** The channel Python reaches as `_pinnace_page` (its functions are bound: Python calls them
 * as the module's). */
class PageChannel {
  private control: Int32Array | null;
  private data: SharedArrayBuffer | null;
  private next = 1;
  private waiting = new Map<number, (answer: string) => void>();

  constructor(readonly isolated: boolean) {
    this.control = isolated ? new Int32Array(new SharedArrayBuffer(8)) : null;
    this.data = isolated ? new SharedArrayBuffer(CAPACITY) : null;
  }

  /** Send a request and block this worker until the page answers (isolated pages only). */
  request = (request: string): string => {
    const control = this.control!;
    Atomics.store(control, 0, 0);
    postMessage({ kind: "sync", request, control: control.buffer, data: this.data });
    Atomics.wait(control, 0, 0);
    if (Atomics.load(control, 0) === 2) {
      this.data = new SharedArrayBuffer(control[1]);
      Atomics.store(control, 0, 0);
      postMessage({ kind: "more", control: control.buffer, data: this.data });
      Atomics.wait(control, 0, 0);
    }
    // TextDecoder does not read shared memory: copy the answer out first
    return new TextDecoder().decode(new Uint8Array(this.data!, 0, control[1]).slice());
  };

  requestAsync = (request: string): Promise<string> => {
    const id = this.next++;
    postMessage({ kind: "async", id, request });
    return new Promise((resolve) => this.waiting.set(id, resolve));
  };

  post = (request: string): void => {
    postMessage({ kind: "post", request });
  };

  answered(id: number, answer: string): void {
    this.waiting.get(id)?.(answer);
    this.waiting.delete(id);
  }
}

/** Count Python busy (the page may interrupt it) while `work` runs: flags[1] counts the runs
 * under way (the script, and handlers that run while it awaits).  A signal left from before the
 * first run, or after the last, is dropped, so that it cannot interrupt what runs next. */
async function busy<T>(flags: Int32Array | null, work: () => T | Promise<T>): Promise<T> {
  if (flags && Atomics.load(flags, 1) === 0) Atomics.store(flags, 0, 0);
  if (flags) Atomics.add(flags, 1, 1);
  try {
    return await work();
  } finally {
    if (flags && Atomics.sub(flags, 1, 1) === 1) Atomics.store(flags, 0, 0);
  }
}

/** Show `e` after the worker's script on the page: a Python exception with the user's frames
 * (pinnace.web.show_error), anything else by its message. */
function report(py: Pinnace | undefined, channel: PageChannel, e: unknown): void {
  const exc = (e as { pyException?: unknown }).pyException;
  if (py && exc) {
    const web = py.pyimport("pinnace.web");
    try {
      web.show_error(exc);
    } finally {
      web.destroy();
    }
  } else channel.post(JSON.stringify({ op: "error", text: String((e as Error)?.message ?? e) }));
}

async function run(py: Pinnace, start: StartMessage, channel: PageChannel): Promise<void> {
  try {
    const cfg = "json" in start.config ? start.config.json : parseToml(py, start.config);
    await applyConfig(py, cfg, start.base);
    await busy(start.interrupt, () => py.runPythonAsync(start.code, { filename: start.filename }));
  } catch (e) {
    report(py, channel, e);
  } finally {
    postMessage({ kind: "done" });
  }
}

/** In a worker the page started for a worker script: wait for the script and run it. */
export function startWorkerScript(): void {
  const g = globalThis as { name?: unknown; WorkerGlobalScope?: unknown };
  if (g.WorkerGlobalScope === undefined || g.name !== WORKER_NAME) return;
  let channel: PageChannel | undefined;
  let dispatch: ((binding: number, event: string) => void) | undefined;
  const early: MessageEvent[] = []; // events that came before Python was ready
  addEventListener("message", async (message: MessageEvent) => {
    const data = message.data;
    if (data?.kind === "reply") channel?.answered(data.id, data.answer);
    else if (data?.kind === "event") {
      if (dispatch) dispatch(data.binding, data.event);
      else early.push(message);
    } else if (data?.kind === "start") {
      const start = data as StartMessage;
      channel = new PageChannel(start.isolated);
      let py: Pinnace;
      try {
        const loaderOptions = { ...("json" in start.config ? start.config.json.loader ?? {} : {}) };
        // URLs in the page's config are relative to the page, not to this worker's module
        for (const key of ["indexURL", "packageIndexURL"] as const) {
          const url = loaderOptions[key];
          if (typeof url === "string") loaderOptions[key] = new URL(url, start.base).href;
        }
        py = await loadPinnace(loaderOptions);
      } catch (e) {
        report(undefined, channel, e);
        postMessage({ kind: "done" });
        return;
      }
      if (start.interrupt) py.setInterruptBuffer(start.interrupt);
      py.registerJsModule("_pinnace_page", channel);
      const remote = py.pyimport("pinnace._page_remote");
      remote.attach();
      const fire = remote.dispatch;
      remote.destroy();
      const open = channel;
      dispatch = (binding, event) => {
        // what escapes the handler's own reporting (an interrupt noticed after it returned)
        busy(start.interrupt, () => fire(binding, event)).catch((e: unknown) => report(py, open, e));
      };
      for (const m of early.splice(0)) dispatch(m.data.binding, m.data.event);
      await run(py, start, channel);
    }
  });
}
