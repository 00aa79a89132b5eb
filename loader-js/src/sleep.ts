// time.sleep without spinning (runtime/src/sleep.c): where this thread may block (Node and
// Electron's main process, Web Workers, `pinnace python`'s worker thread), Python's sleeps wait
// in Atomics.wait, on the interrupt buffer when there is one (so that an interrupt wakes the
// sleep: whoever writes the signal also calls Atomics.notify) and on a private cell otherwise.
// A browser page's main thread may not block: there the sleep spins, as Emscripten's does
// (docs/interrupts.md says so, and that asyncio.sleep is the way to wait on a page).
import type { EmModule } from "./module.js";

export interface SleepModule {
  /** The interrupt buffer setInterruptBuffer gave, if any. */
  Py_EmscriptenSignalBuffer?: unknown;
  /** Called by runtime/src/sleep.c: sleep ms; 1 when slept, 2 when a signal ended the sleep, 0
   * when this thread cannot block. */
  _pinnaceSleep?: (ms: number) => number;
}

export function installSleep(mod: EmModule): void {
  const m = mod as EmModule & SleepModule;
  if (typeof SharedArrayBuffer === "undefined") return; // (a page that is not isolated)
  const own = new Int32Array(new SharedArrayBuffer(4));
  let blocks = true; // until Atomics.wait throws: a page's main thread may not block
  m._pinnaceSleep = (ms: number): number => {
    if (!blocks) return 0;
    const signals = m.Py_EmscriptenSignalBuffer;
    const cell = signals instanceof Int32Array && signals.buffer instanceof SharedArrayBuffer ? signals : own;
    try {
      Atomics.wait(cell, 0, 0, ms); // returns early when a signal is written (and notified)
    } catch {
      blocks = false;
      return 0; // the caller spins
    }
    return cell !== own && Atomics.load(cell, 0) !== 0 ? 2 : 1;
  };
}
