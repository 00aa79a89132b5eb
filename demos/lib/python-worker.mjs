// Python in a Web Worker, for the demos (repl/, worker/). The page side is python-client.mjs.
//
// Page -> worker: { id, op, ... }, answered by { id, ok, value } or { id, ok: false, error }.
//   { op: "signals", buffer }        the interrupt buffer (an Int32Array on a SharedArrayBuffer)
//   { op: "repl", code }             run like Python's prompt (console.py); value: true/false
//   { op: "exec", code, filename }   runPythonAsync; value: the result, copied to JS
//   { op: "call", name, args }       call the __main__ function `name`; value: the result
//   { op: "interrupt", target }      Stop, for REPL code that awaits (console.py's interrupt());
//                                    handled at once, answered by { kind: "interrupted" }
// Worker -> page, unasked: { kind: "ready", version, pythonVersion, ms },
//   { kind: "stdout" | "stderr" | "result", text }, { kind: "failed", error }.
// Requests run one at a time, in order. Running Python blocks this worker: a Stop for it comes
// through the interrupt buffer instead, and "interrupt" arrives after it (and does nothing).
import { loadPinnace } from "../../dist/pinnace.mjs";

function stream(kind) {
  const decoder = new TextDecoder();
  return { write: (bytes) => postMessage({ kind, text: decoder.decode(bytes, { stream: true }) }) };
}

let replRun, replInterrupt; // demo_console.run and .interrupt, kept for the worker's lifetime

async function start() {
  const started = performance.now();
  const py = await loadPinnace({ stdout: stream("stdout"), stderr: stream("stderr") });
  const source = await fetch(new URL("console.py", import.meta.url));
  if (!source.ok) throw new Error(`console.py: HTTP ${source.status}`);
  py.FS.mkdirTree("/demo");
  py.FS.writeFile("/demo/demo_console.py", await source.text());
  py.runPython("import sys\nsys.path.insert(0, '/demo')");
  const module = py.pyimport("demo_console");
  replRun = module.run;
  replInterrupt = module.interrupt;
  module.destroy();
  const ms = Math.round(performance.now() - started);
  postMessage({ kind: "ready", version: py.version, pythonVersion: py.pythonVersion, ms });
  return py;
}

// A PyProxy result becomes a plain JS copy (dicts as objects) that postMessage can send.
function toPlain(value) {
  if (typeof value?.toJs !== "function") return value;
  try {
    return value.toJs({ dictConverter: Object.fromEntries });
  } finally {
    value.destroy();
  }
}

let signals = null;
const ops = {
  signals(py, { buffer }) {
    signals = buffer;
    py.setInterruptBuffer(buffer);
  },
  repl(py, { code }) {
    return replRun(code, (text) => postMessage({ kind: "result", text }));
  },
  async exec(py, { code, filename }) {
    return toPlain(await py.runPythonAsync(code, { filename }));
  },
  call(py, { name, args }) {
    const fn = py.globals.get(name);
    try {
      if (typeof fn !== "function") throw new Error(`no Python function ${name} in __main__`);
      return toPlain(fn(...args));
    } finally {
      fn?.destroy?.();
    }
  },
};

const ready = start();
ready.catch((e) => postMessage({ kind: "failed", error: String(e?.message ?? e) }));

let queue = Promise.resolve();
let current = null; // the id of the request running now
onmessage = ({ data }) => {
  if (data.op === "interrupt") {
    // This message is handled: Python is not running, so the buffer must not interrupt it later.
    if (signals) Atomics.store(signals, 0, 0);
    const cancelled = data.target === current && replInterrupt?.() === true;
    postMessage({ kind: "interrupted", target: data.target, cancelled });
    return;
  }
  queue = queue.then(async () => {
    current = data.id;
    try {
      const py = await ready;
      if (signals) Atomics.store(signals, 0, 0); // a Stop pressed while idle must not hit this
      const value = await ops[data.op](py, data);
      postMessage({ id: data.id, ok: true, value });
    } catch (e) {
      postMessage({ id: data.id, ok: false, error: { type: e?.type ?? e?.name, message: String(e?.message ?? e) } });
    } finally {
      current = null;
    }
  });
};
