// Python on a page without JS (docs/page.md): once the loader is on a page, every
// <script type="py"> runs, inline or from its `src`, in document order, with top-level await, in
// one interpreter and one namespace; scripts added to the page later run too, after the others.
// The first script's `config` attribute (JSON, inline or at a URL; TOML at a URL) says what to
// install and fetch first and the loader's options.  A script's exception is shown after it
// (pinnace.web.show_error: a <pre class="py-error">) and on the console, and the next script
// runs.  `pinnace.ready` (and a "pinnace:ready" event on the document) gives JS the interpreter.
// A <script type="py" worker> runs at once in a Web Worker of its own (page-remote.ts).
import { StartError } from "./errors.js";
import { applyConfig, parseToml, readConfig, type ConfigSource, type PageConfig } from "./page-config.js";
import { outputAfter, showErrorAfter, startWorker } from "./page-remote.js";
import { defaultLoaderURL, loadPinnace, type Pinnace } from "./pinnace.js";

export type { PageConfig } from "./page-config.js";

const SELECTOR = 'script[type="py"]';

let configSource: Promise<ConfigSource> | undefined;
let configured: Promise<Pinnace> | undefined;
const queue: HTMLScriptElement[] = [];
const seen = new WeakSet<Element>();
let running = false;
let count = 0;

/** The page's interpreter: `await pinnace.ready` (loads it on first use, if no script has). */
export const pinnace = {
  get ready(): Promise<Pinnace> {
    return start();
  },
};

/** The page's config (read once; the page's interpreter and its worker scripts share it). */
function pageConfig(): Promise<ConfigSource> {
  return (configSource ??= readConfig(SELECTOR));
}

/** Load the page's interpreter once, configured by the page's config (one per page: the first
 * <script type="py"> with a `config` attribute), whoever asks first (a script, or JS). */
function start(): Promise<Pinnace> {
  configured ??= (async () => {
    const source = await pageConfig();
    const py = await loadPinnace("json" in source ? source.json.loader ?? {} : {});
    const cfg: PageConfig = "json" in source ? source.json : parseToml(py, source);
    await applyConfig(py, cfg, document.baseURI);
    document.dispatchEvent(new CustomEvent("pinnace:ready", { detail: { pinnace: py } }));
    return py;
  })();
  return configured;
}

/** Dedent inline code (a script's text is usually indented with the HTML around it). */
function dedent(text: string): string {
  const lines = text.replace(/^\s*\n/, "").replace(/\s+$/, "").split("\n");
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^[ \t]*/)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n") + "\n";
}

async function sourceOf(script: HTMLScriptElement): Promise<[string, string]> {
  const src = script.getAttribute("src");
  const n = script.getAttribute("data-pinnace-id");
  if (!src) return [dedent(script.textContent ?? ""), script.id ? `<script ${script.id}>` : `<script ${n}>`];
  const url = new URL(src, document.baseURI);
  const resp = await fetch(url);
  if (!resp.ok) throw new StartError(`<script type="py" src="${src}">: HTTP ${resp.status} ${resp.statusText}`);
  return [await resp.text(), url.pathname.split("/").pop() || src];
}

/** Run the queued scripts, one after the other. */
async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (queue.length) {
      const script = queue.shift()!;
      let py: Pinnace;
      try {
        py = await start();
      } catch (e) {
        showStartError(script, e);
        return;
      }
      await runOne(py, script);
    }
  } finally {
    running = false;
  }
}

async function runOne(py: Pinnace, script: HTMLScriptElement): Promise<void> {
  const web = py.pyimport("pinnace.web");
  try {
    const [code, filename] = await sourceOf(script);
    web.enter_script(script);
    await py.runPythonAsync(code, { filename });
  } catch (e) {
    const exc = (e as { pyException?: unknown }).pyException;
    if (exc) console.error(web.show_error(exc, script));
    else showStartError(script, e);
  } finally {
    web.destroy();
    script.setAttribute("data-pinnace-done", ""); // for pages (CSS) and tests: it has run
  }
}

function showStartError(script: HTMLScriptElement, e: unknown): void {
  showErrorAfter(script, String((e as Error)?.message ?? e));
}

/** A <script type="py" worker>: its own interpreter in a Web Worker (page-remote.ts). */
async function runInWorker(script: HTMLScriptElement): Promise<void> {
  try {
    const loaderURL = defaultLoaderURL();
    if (!loaderURL) throw new StartError("a worker script needs the loader's URL: load the loader with a <script> tag");
    const [[code, filename], config] = await Promise.all([sourceOf(script), pageConfig()]);
    outputAfter(script); // its output (figures included) goes there
    startWorker(script, loaderURL, code, filename, config);
  } catch (e) {
    showStartError(script, e);
    script.setAttribute("data-pinnace-done", "");
  }
}

function collect(nodes: ArrayLike<Element>): void {
  for (const node of Array.from(nodes)) {
    if (seen.has(node)) continue;
    seen.add(node);
    node.setAttribute("data-pinnace-id", String(++count));
    if (node.hasAttribute("worker")) void runInWorker(node as HTMLScriptElement);
    else queue.push(node as HTMLScriptElement);
  }
  if (queue.length) void drain();
}

/** On a page: run its Python scripts, now and as they are added. */
export function startPageScripts(): void {
  if (typeof document === "undefined" || typeof MutationObserver === "undefined") return;
  const begin = () => {
    collect(document.querySelectorAll(SELECTOR));
    new MutationObserver((changes) => {
      const added: Element[] = [];
      for (const change of changes) {
        for (const node of Array.from(change.addedNodes)) {
          if (!(node instanceof Element)) continue;
          if (node.matches(SELECTOR)) added.push(node);
          added.push(...Array.from(node.querySelectorAll(SELECTOR)));
        }
      }
      collect(added);
    }).observe(document.documentElement, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin, { once: true });
  else begin();
}
