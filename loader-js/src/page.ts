// Python on a page without JS (docs/page.md): once the loader is on a page, every
// <script type="py"> runs, inline or from its `src`, in document order, with top-level await, in
// one interpreter and one namespace; scripts added to the page later run too, after the others.
// The first script's `config` attribute (JSON, inline or at a URL; TOML at a URL) says what to
// install and fetch first and the loader's options.  A script's exception is shown after it
// (pinnace.web.show_error: a <pre class="py-error">) and on the console, and the next script
// runs.  `pinnace.ready` (and a "pinnace:ready" event on the document) gives JS the interpreter.
import { StartError } from "./errors.js";
import { loadPinnace, type LoadOptions, type Pinnace } from "./pinnace.js";

/** What a page's config may say. */
export interface PageConfig {
  /** lock packages (or import names) installed before the first script */
  packages?: string[];
  /** URL (relative to the page) -> path in Python's file system, fetched before the first script */
  files?: Record<string, string>;
  /** loadPinnace's options (JSON config only) */
  loader?: LoadOptions;
}

const SELECTOR = 'script[type="py"]';

let loading: Promise<Pinnace> | undefined;
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

/** Load the page's interpreter once, configured by the page's config (one per page: the first
 * <script type="py"> with a `config` attribute), whoever asks first (a script, or JS). */
function start(): Promise<Pinnace> {
  configured ??= (async () => {
    const attr = document.querySelector(`${SELECTOR}[config]`)?.getAttribute("config");
    const cfg = attr ? await readConfig(attr) : {};
    loading ??= loadPinnace(cfg.loader ?? {});
    const py = await loading;
    await applyConfig(py, cfg);
    document.dispatchEvent(new CustomEvent("pinnace:ready", { detail: { pinnace: py } }));
    return py;
  })();
  return configured;
}

async function applyConfig(py: Pinnace, cfg: PageConfig): Promise<void> {
  if (cfg.packages?.length) await py.loadPackage(cfg.packages);
  for (const [url, path] of Object.entries(cfg.files ?? {})) {
    const resp = await fetch(url);
    if (!resp.ok) throw new StartError(`config: files: ${url}: HTTP ${resp.status} ${resp.statusText}`);
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (dir) py.FS.mkdirTree(dir);
    py.FS.writeFile(path, new Uint8Array(await resp.arrayBuffer()));
  }
}

/** The config a script's `config` attribute names: inline JSON, or a URL of JSON or TOML. */
async function readConfig(text: string): Promise<PageConfig> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return JSON.parse(trimmed) as PageConfig;
  const url = new URL(trimmed, document.baseURI).href;
  const resp = await fetch(url);
  if (!resp.ok) throw new StartError(`config: ${url}: HTTP ${resp.status} ${resp.statusText}`);
  const body = await resp.text();
  if (!url.split(/[?#]/)[0].endsWith(".toml")) return JSON.parse(body) as PageConfig;
  // TOML: read by Python's tomllib, once there is a Python (so no loader options in it)
  const py = await (loading ??= loadPinnace());
  const tomllib = py.pyimport("tomllib");
  const parsed = tomllib.loads(body);
  const cfg = parsed.toJs({ dictConverter: Object.fromEntries }) as PageConfig;
  parsed.destroy();
  tomllib.destroy();
  if (cfg.loader) throw new StartError(`config: ${url}: loader options must be given as JSON (they are needed before Python starts)`);
  return cfg;
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
  if (!src) return [dedent(script.textContent ?? ""), script.id ? `<script ${script.id}>` : `<script ${count}>`];
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
  count++;
  script.setAttribute("data-pinnace-id", String(count));
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
  const pre = document.createElement("pre");
  pre.className = "py-error";
  pre.textContent = String((e as Error)?.message ?? e);
  script.after(pre);
  console.error(e);
}

function collect(nodes: ArrayLike<Element>): void {
  for (const node of Array.from(nodes)) {
    if (seen.has(node)) continue;
    seen.add(node);
    queue.push(node as HTMLScriptElement);
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
