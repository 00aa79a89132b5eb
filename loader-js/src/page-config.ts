// A page's config (docs/page.md#config): the first <script type="py"> with a `config` attribute
// (inline JSON, or the URL of a JSON or TOML file) says which packages to install and which files
// to fetch before the first script, and the loader's options.  The page's interpreter and every
// worker script's interpreter apply it.
import { StartError } from "./errors.js";
import type { LoadOptions, Pinnace } from "./pinnace.js";

/** What a page's config may say. */
export interface PageConfig {
  /** lock packages (or import names) installed before the first script */
  packages?: string[];
  /** URL (relative to the page) -> path in Python's file system, fetched before the first script */
  files?: Record<string, string>;
  /** loadPinnace's options (JSON config only) */
  loader?: LoadOptions;
}

/** A config as read from the page: JSON is parsed at once; TOML needs a Python to read it. */
export type ConfigSource = { json: PageConfig } | { toml: string; url: string };

/** The page's config source: the first <script type="py"> with a `config` attribute, or none. */
export async function readConfig(selector: string): Promise<ConfigSource> {
  const text = document.querySelector(`${selector}[config]`)?.getAttribute("config")?.trim();
  if (!text) return { json: {} };
  if (text.startsWith("{")) return { json: JSON.parse(text) as PageConfig };
  const url = new URL(text, document.baseURI).href;
  const resp = await fetch(url);
  if (!resp.ok) throw new StartError(`config: ${url}: HTTP ${resp.status} ${resp.statusText}`);
  const body = await resp.text();
  if (!url.split(/[?#]/)[0].endsWith(".toml")) return { json: JSON.parse(body) as PageConfig };
  return { toml: body, url };
}

/** A TOML config, read by Python's tomllib in `py`. */
export function parseToml(py: Pinnace, source: { toml: string; url: string }): PageConfig {
  const tomllib = py.pyimport("tomllib");
  const parsed = tomllib.loads(source.toml);
  const cfg = parsed.toJs({ dictConverter: Object.fromEntries }) as PageConfig;
  parsed.destroy();
  tomllib.destroy();
  if (cfg.loader) {
    throw new StartError(`config: ${source.url}: loader options must be given as JSON (they are needed before Python starts)`);
  }
  return cfg;
}

/** Install the config's packages and fetch its files (URLs relative to `base`, the page). */
export async function applyConfig(py: Pinnace, cfg: PageConfig, base: string): Promise<void> {
  if (cfg.packages?.length) await py.loadPackage(cfg.packages);
  for (const [relative, path] of Object.entries(cfg.files ?? {})) {
    const url = new URL(relative, base).href;
    const resp = await fetch(url);
    if (!resp.ok) throw new StartError(`config: files: ${relative}: HTTP ${resp.status} ${resp.statusText}`);
    const cut = path.lastIndexOf("/");
    if (cut > 0) py.FS.mkdirTree(path.slice(0, cut));
    py.FS.writeFile(path, new Uint8Array(await resp.arrayBuffer()));
  }
}
