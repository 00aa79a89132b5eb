// One distribution's HTTP timings in one fresh host (a node process or a Chromium page), driven
// by bench/http_clients.py: a download of `url` (10 MB) from JS with fetch and through each Python
// client the distribution has, in turn; the best of `repeats` for each, in milliseconds.
//
//   node http_clients.mjs '<json config>'   (prints "BENCH_RESULT <json>")
//   in a page: (await import("/bench/http_clients.mjs")).measure(load, config)
//
// config: { dist: "Pinnace" | "Pyodide", url, size, repeats, options? (for the loader) }

const CLIENTS = {
  Pinnace: {
    setup: "import httpx, requests, urllib.request\nfrom pinnace.http import fetch, fetch_sync",
    "pinnace.http.fetch (awaited)": "len((await fetch(URL)).content)",
    "pinnace.http.fetch_sync": "len(fetch_sync(URL).content)",
    "urllib.request.urlopen": "len(urllib.request.urlopen(URL).read())",
    "requests.get": "len(requests.get(URL).content)",
    "httpx.get": "len(httpx.get(URL).content)",
  },
  Pyodide: {
    setup: "from pyodide.http import pyfetch",
    "pyodide.http.pyfetch": "len(await (await pyfetch(URL)).bytes())",
  },
};

export async function measure(load, { dist, url, size, repeats, options = {} }) {
  const py = await load(options);
  const { setup, ...python } = CLIENTS[dist];
  await py.runPythonAsync(`${setup}\nURL = ${JSON.stringify(url)}`);
  const clients = { "fetch from JS": async () => (await (await fetch(url)).arrayBuffer()).byteLength };
  for (const [name, code] of Object.entries(python)) clients[name] = () => py.runPythonAsync(code);
  // round-robin, so that every client sees the same conditions; the first round warms up
  const best = {};
  for (let i = 0; i <= repeats; i++) {
    for (const [name, run] of Object.entries(clients)) {
      const start = performance.now();
      const got = Number(await run());
      const ms = performance.now() - start;
      if (got !== size) throw new Error(`${name}: ${got} bytes, expected ${size}`);
      if (i > 0) best[name] = Math.min(best[name] ?? Infinity, ms);
    }
  }
  return best;
}

if (typeof process === "object" && process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const { pathToFileURL } = await import("node:url");
  const config = JSON.parse(process.argv[2]);
  const load = (await import(pathToFileURL(config.loader).href))[config.exportName];
  const best = await measure(load, config);
  console.log(`BENCH_RESULT ${JSON.stringify(best)}`);
}
