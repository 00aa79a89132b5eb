// The page side of <script type="py" worker> (docs/page.md#worker-scripts): each such script
// runs in a Web Worker of its own (worker-script.ts), and this module answers what its Python
// asks of the page (runtime/pinnace/_page_remote.py): evaluating property reads, calls and writes
// on page objects it holds handles of, showing `display` output and errors after the script,
// binding `when` handlers, and asking `input()` questions in a small form.  On a cross-origin
// isolated page the worker can block on an answer (SharedArrayBuffer + Atomics): synchronous
// access, `input()`, and interrupting the script (`script.pinnaceWorker.interrupt()`).
import { showFigures } from "./figures.js";
import type { ConfigSource } from "./page-config.js";
import { WORKER_NAME, type StartMessage } from "./worker-script.js";

type Encoded = Record<string, unknown>;
type Step = [string, unknown?];

/** The <div class="py-output"> after a script (made on first use; as pinnace.web makes it). */
export function outputAfter(script: Element): HTMLElement {
  const id = script.getAttribute("data-pinnace-id") ?? "";
  const next = script.nextElementSibling;
  if (next instanceof HTMLElement && next.classList.contains("py-output") && next.getAttribute("data-for-script") === id) {
    return next;
  }
  const out = document.createElement("div");
  out.className = "py-output";
  out.setAttribute("data-for-script", id);
  script.after(out);
  return out;
}

/** Show an error's text after a script (a <pre class="py-error">) and on the console. */
export function showErrorAfter(script: Element, text: string): void {
  const pre = document.createElement("pre");
  pre.className = "py-error";
  pre.textContent = text;
  outputAfter(script).append(pre);
  console.error(text);
}

/** The answer that carries a JS error to Python (raised there by its name). */
function failure(e: unknown): Encoded {
  return { e: String((e as Error)?.message ?? e), name: String((e as Error)?.name ?? "Error") };
}

function typeName(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === "string" && ctor.name ? ctor.name : typeof value;
}

/** A worker script's worker, and the page objects its Python holds handles of. */
class WorkerScript {
  private handles = new Map<number, { value: unknown; self?: unknown }>([[1, { value: window }], [2, { value: document }]]);
  private next = 3;
  private oversized: Uint8Array | null = null;
  private cancelAsk: (() => void) | null = null; // ends the input() being asked

  constructor(readonly worker: Worker, readonly script: HTMLScriptElement, readonly interrupt: Int32Array | null) {}

  encode(value: unknown, self?: unknown): Encoded {
    if (value === undefined) return { u: 1 };
    if (value === null) return { n: 1 };
    switch (typeof value) {
      case "number":
        return Number.isFinite(value) ? { v: value } : { d: String(value) };
      case "bigint":
        return { i: String(value) };
      case "boolean":
      case "string":
        return { v: value };
      case "symbol":
        return { v: String(value) };
    }
    const id = this.next++;
    this.handles.set(id, { value, self });
    return { h: id, t: typeName(value as object) };
  }

  decode(arg: Encoded): unknown {
    if ("v" in arg) return arg.v;
    if ("n" in arg) return null;
    if ("u" in arg) return undefined;
    if ("d" in arg) return Number(arg.d);
    if ("h" in arg) return this.held(arg.h as number).value;
    if ("a" in arg) return (arg.a as Encoded[]).map((a) => this.decode(a));
    if ("o" in arg) return Object.fromEntries(Object.entries(arg.o as Record<string, Encoded>).map(([k, a]) => [k, this.decode(a)]));
    if ("bytes" in arg) return Uint8Array.from(atob(arg.bytes as string), (c) => c.charCodeAt(0));
    throw new TypeError(`cannot read ${JSON.stringify(arg)} from the worker`);
  }

  private held(id: number): { value: unknown; self?: unknown } {
    const entry = this.handles.get(id);
    if (!entry) throw new ReferenceError(`page object ${id} is no longer held for the worker`);
    return entry;
  }

  /** Follow `steps` from the object of handle `h`: [value, the object it was read from]. */
  private walk(h: number, steps: Step[]): [unknown, unknown] {
    let { value, self } = this.held(h);
    for (const [kind, arg] of steps) {
      if (kind === "get") {
        if (value === null || value === undefined) throw new TypeError(`cannot read ${JSON.stringify(arg)} of ${value}`);
        self = value;
        value = (value as Record<string, unknown>)[arg as string];
      } else if (kind === "call" || kind === "new") {
        if (typeof value !== "function") throw new TypeError(`${typeof value} is not a function`);
        const args = (arg as Encoded[]).map((a) => this.decode(a));
        value = kind === "call" ? Reflect.apply(value, self, args) : Reflect.construct(value, args);
        self = undefined;
      }
    }
    return [value, self];
  }

  /** The answer to one request of the worker's Python. */
  answer(request: Record<string, any>): Encoded | Promise<Encoded> {
    for (const id of request.release ?? []) if (id > 2) this.handles.delete(id);
    try {
      switch (request.op) {
        case "chain": {
          const [value, self] = this.walk(request.h, request.steps);
          if (request.array) return { a: Array.from(value as ArrayLike<unknown>, (v) => this.encode(v)) };
          return this.encode(value, self);
        }
        case "set": {
          const [target] = this.walk(request.h, request.steps ?? []);
          if (target === null || target === undefined) throw new TypeError(`cannot set ${JSON.stringify(request.name)} of ${target}`);
          (target as Record<string, unknown>)[request.name] = this.decode(request.value);
          return { u: 1 };
        }
        case "display":
          this.display(request.target, request.items, request.append);
          return { u: 1 };
        case "error":
          showErrorAfter(this.script, request.text);
          return { u: 1 };
        case "when":
          this.bind(request.event, request.selector, request.binding);
          return { u: 1 };
        case "input":
          return this.ask(request.prompt);
        case "release":
          return { u: 1 };
      }
      throw new TypeError(`no such request: ${request.op}`);
    } catch (e) {
      return failure(e);
    }
  }

  private display(target: string | null, items: [string, string | number][], append: boolean): void {
    const where = target ? document.getElementById(target.replace(/^#/, "")) : outputAfter(this.script);
    if (!where) throw Object.assign(new Error(`display: no element with id '${target}' on the page`), { name: "KeyError" });
    if (!append) where.replaceChildren();
    for (const [kind, data] of items) {
      if (kind === "element") {
        where.append(this.held(data as number).value as Node);
        continue;
      }
      const div = document.createElement("div");
      div.className = "py-display";
      if (kind === "html") div.innerHTML = data as string;
      else if (kind === "text") div.textContent = data as string;
      else {
        const img = document.createElement("img");
        img.src = `data:image/${kind};base64,${data}`;
        div.append(img);
      }
      where.append(div);
    }
  }

  private bind(event: string, selector: string, binding: number): void {
    document.addEventListener(event, (e) => {
      const target = e.target as Element | null;
      if (typeof target?.closest !== "function" || !target.closest(selector)) return;
      this.worker.postMessage({ kind: "event", binding, event: JSON.stringify(this.encode(e)) });
    }, true); // capture: events that do not bubble reach the document too
  }

  /** Ask the user in a small form after the script; null when they press Escape. */
  private ask(prompt: string): Promise<Encoded> {
    const form = document.createElement("form");
    form.className = "py-input";
    const label = document.createElement("label");
    label.textContent = prompt;
    const input = document.createElement("input");
    input.type = "text";
    label.append(input);
    const ok = document.createElement("button");
    ok.type = "submit";
    ok.textContent = "OK";
    form.append(label, ok);
    outputAfter(this.script).append(form);
    input.focus();
    return new Promise((resolve) => {
      const finish = (answer: Encoded, shown: string | null) => {
        this.cancelAsk = null;
        if (shown === null) form.remove();
        else {
          const line = document.createElement("div");
          line.className = "py-input-answered";
          line.textContent = prompt + shown;
          form.replaceWith(line);
        }
        resolve(answer);
      };
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        finish({ v: input.value }, input.value);
      });
      input.addEventListener("keydown", (e) => {
        if (e.key === "Escape") finish({ n: 1 }, null);
      });
      this.cancelAsk = () => finish({ e: "interrupted from the page", name: "KeyboardInterrupt" }, null);
    });
  }

  /** KeyboardInterrupt in the running script or handler (an isolated page only); whether
   * Python was running. */
  interruptScript(): boolean {
    if (!this.interrupt) {
      throw new Error("interrupting a worker script needs a cross-origin isolated page (served with the headers " +
                      "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)");
    }
    if (this.cancelAsk) this.cancelAsk(); // waiting for input(): that wait ends in KeyboardInterrupt
    else if (Atomics.load(this.interrupt, 1) === 1) {
      Atomics.store(this.interrupt, 0, 2); // SIGINT
      Atomics.notify(this.interrupt, 0); // wakes a time.sleep
    }
    else return false;
    return true;
  }

  /** How many page objects the worker's Python holds now (window and document included). */
  get holding(): number {
    return this.handles.size;
  }

  /** Answer a blocked worker through its shared buffers. */
  private answerShared(control: Int32Array, data: SharedArrayBuffer, answer: Encoded): void {
    const bytes = new TextEncoder().encode(JSON.stringify(answer));
    control[1] = bytes.length;
    if (bytes.length <= data.byteLength) {
      new Uint8Array(data).set(bytes);
      Atomics.store(control, 0, 1);
    } else {
      this.oversized = bytes;
      Atomics.store(control, 0, 2);
    }
    Atomics.notify(control, 0);
  }

  async receive(message: Record<string, any>): Promise<void> {
    switch (message.kind) {
      case "sync": {
        // always answer: the worker waits for it
        const control = new Int32Array(message.control);
        let answered: Encoded;
        try {
          const answer = this.answer(JSON.parse(message.request));
          answered = answer instanceof Promise ? await answer : answer;
        } catch (e) {
          answered = failure(e);
        }
        this.answerShared(control, message.data, answered);
        break;
      }
      case "more": {
        const control = new Int32Array(message.control);
        new Uint8Array(message.data).set(this.oversized!);
        this.oversized = null;
        Atomics.store(control, 0, 1);
        Atomics.notify(control, 0);
        break;
      }
      case "async": {
        const answer = await this.answer(JSON.parse(message.request));
        this.worker.postMessage({ kind: "reply", id: message.id, answer: JSON.stringify(answer) });
        break;
      }
      case "post": {
        const request = JSON.parse(message.request);
        const answer = await this.answer(request);
        if ("e" in answer) showErrorAfter(this.script, `${request.op} on the page from the worker failed: ${answer.name}: ${answer.e}`);
        break;
      }
      case "done":
        this.script.setAttribute("data-pinnace-done", "");
        break;
    }
  }
}

/** What a page's script element offers JS (and Python: `page["#id"].pinnaceWorker`). */
export interface WorkerScriptHandle {
  worker: Worker;
  /** KeyboardInterrupt in the running script or `when` handler (false: nothing ran); an Error
   * where the page is not cross-origin isolated. */
  interrupt(): boolean;
  /** How many page objects the worker's Python holds (to check for leaks). */
  readonly held: number;
  /** Whether the script or a `when` handler is running now; null where the page is not
   * cross-origin isolated (the page cannot see it there). */
  readonly busy: boolean | null;
}

/** Start a worker script: its own interpreter in a Web Worker, reaching this page. */
export function startWorker(script: HTMLScriptElement, loaderURL: string, code: string, filename: string,
                            config: ConfigSource): void {
  const worker = new Worker(new URL("pinnace.mjs", loaderURL), { type: "module", name: WORKER_NAME });
  const isolated = globalThis.crossOriginIsolated === true;
  const interrupt = isolated ? new Int32Array(new SharedArrayBuffer(8)) : null; // [signal, busy]
  const remote = new WorkerScript(worker, script, interrupt);
  const handle: WorkerScriptHandle = {
    worker,
    interrupt: () => remote.interruptScript(),
    get held() {
      return remote.holding;
    },
    get busy() {
      return interrupt ? Atomics.load(interrupt, 1) > 0 : null;
    },
  };
  (script as HTMLScriptElement & { pinnaceWorker?: WorkerScriptHandle }).pinnaceWorker = handle;
  showFigures(worker, { target: outputAfter(script) });
  worker.addEventListener("message", (e) => void remote.receive(e.data));
  worker.addEventListener("error", (e) => {
    showErrorAfter(script, `the worker of this script failed: ${e.message || "it could not be started"}`);
    script.setAttribute("data-pinnace-done", "");
  });
  const start: StartMessage = { kind: "start", code, filename, config, base: document.baseURI, isolated, interrupt };
  worker.postMessage(start);
}
