// The numpy demo, on the page's main thread through the classic loader (../../dist/pinnace.js).
const status = document.getElementById("status");
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1) + " s";

async function main() {
  let since = performance.now();
  const py = await loadPinnace();
  window.pinnace = py; // for the browser console
  status.textContent = `Python ready in ${seconds(since)}. Importing numpy: fetching and installing the package…`;
  since = performance.now();
  // On a main thread, runPythonAsync fetches the packages the code imports before running it.
  await py.runPythonAsync("import numpy");
  const imported = seconds(since);
  status.textContent = "numpy imported. Computing and drawing…";
  const source = await fetch("plot.py").then((r) => (r.ok ? r.text() : Promise.reject(new Error(`plot.py: HTTP ${r.status}`))));
  since = performance.now();
  const version = await py.runPythonAsync(source, { filename: "plot.py" });
  status.textContent = `Drawn with numpy ${version} (imported in ${imported}, computed and drawn in ${seconds(since)}).`;
  status.dataset.state = "done";
}

main().catch((e) => {
  status.textContent = `Failed: ${e.message}`;
  status.className = "err";
  throw e;
});
