// How long a plain runPython("import ...") takes in Node when the packages come from an http(s)
// index: the synchronous download path (docs/packages.md, the "sync" strategy).  No cache
// directory, so every file is downloaded.  A benchmark, not a test.
//
//   (cd dist && python3 -m http.server 8765 --bind 127.0.0.1) &
//   node bench/sync_download.mjs dist http://127.0.0.1:8765/
//
// Prints the milliseconds of the import (outcome, attrs, sniffio, idna, sortedcontainers).
import path from "node:path";
import { pathToFileURL } from "node:url";

const [dist, index] = process.argv.slice(2);
const { loadPinnace } = await import(pathToFileURL(path.resolve(dist, "pinnace.mjs")).href);
const py = await loadPinnace({ indexURL: path.resolve(dist), packageIndexURL: index, packageCacheDir: null });
const start = performance.now();
py.runPython("import outcome, sniffio, idna, sortedcontainers");
console.log((performance.now() - start).toFixed(0));
