// The page side of python-worker.mjs: Python in a Web Worker, called with promises.
//
//   const python = new PythonWorker({ onOutput: (kind, text) => ... });  // stdout, stderr, result
//   const { pythonVersion } = await python.ready;
//   await python.exec("def double(x):\n    return 2 * x");
//   await python.call("double", 21);   // 42
//   python.interrupt();                // KeyboardInterrupt in the running (or awaiting) code
//
// A failed request rejects with an Error whose `type` is the Python exception's class name.
// matplotlib figures the worker shows are drawn on this page (the loader's showFigures), in the
// element `figures` (an element or its id; default: the end of the body).
import { isFigureMessage, showFigures } from "../../dist/pinnace.mjs";

export class PythonWorker {
  constructor({ onOutput = () => {}, figures } = {}) {
    this.worker = new Worker(new URL("python-worker.mjs", import.meta.url), { type: "module" });
    showFigures(this.worker, { target: figures });
    this.pending = new Map();
    this.nextId = 1;
    // Interrupting needs memory shared with the worker: cross-origin isolated pages only
    // (`pinnace serve --isolation`, which `make demo` uses).
    this.signals = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
    this.ready = new Promise((resolve, reject) => {
      this.worker.onerror = (e) => reject(new Error(`the Python worker failed: ${e.message}`));
      this.worker.onmessage = ({ data }) => {
        if (isFigureMessage(data)) return; // showFigures draws it
        if (data.kind === "ready") resolve(data);
        else if (data.kind === "failed") reject(new Error(data.error));
        else if (data.kind === "interrupted") clearTimeout(this.interruptTimer);
        else if (data.kind) onOutput(data.kind, data.text);
        else this.settle(data);
      };
    });
    if (this.signals) this.request("signals", { buffer: this.signals });
  }

  get canInterrupt() {
    return this.signals !== null;
  }

  // Stop the oldest request. The worker answers at once unless Python is running, and then
  // the interrupt buffer stops it: KeyboardInterrupt in the running code. Writing the buffer
  // only when the worker does not answer keeps the signal from hitting some later callback
  // of code that awaits (which the worker cancels instead).
  interrupt() {
    if (!this.signals) throw new Error("interrupting needs a cross-origin isolated page");
    const [target] = this.pending.keys();
    if (target === undefined) return;
    clearTimeout(this.interruptTimer);
    this.interruptTimer = setTimeout(() => {
      Atomics.store(this.signals, 0, 2); // 2: SIGINT
      Atomics.notify(this.signals, 0); // wakes a time.sleep
    }, 100);
    this.worker.postMessage({ op: "interrupt", target });
  }

  repl(code) {
    return this.request("repl", { code });
  }

  exec(code, filename = "<exec>") {
    return this.request("exec", { code, filename });
  }

  call(name, ...args) {
    return this.request("call", { name, args });
  }

  request(op, fields) {
    const id = this.nextId++;
    this.worker.postMessage({ id, op, ...fields });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  settle({ id, ok, value, error }) {
    const { resolve, reject } = this.pending.get(id);
    this.pending.delete(id);
    if (ok) resolve(value);
    else reject(Object.assign(new Error(error.message), { type: error.type }));
  }
}
