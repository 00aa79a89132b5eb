// The data demo, on the page's main thread through the classic loader (../../dist/pinnace.js).
const status = document.getElementById("status");
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1) + " s";
const text = (url) => fetch(url).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${url}: HTTP ${r.status}`))));

async function main() {
  let since = performance.now();
  const py = await loadPinnace({
    onPackageProgress: ({ package: name, loaded, total }) => {
      status.textContent = `Fetching ${name}: ${Math.round(loaded / 1024)} of ${Math.round(total / 1024)} KiB…`;
    },
  });
  window.pinnace = py; // for the browser console
  status.textContent = `Python ready in ${seconds(since)}. Fetching pandas, SciPy and matplotlib…`;
  const [csv, source] = await Promise.all([text("rentals.csv"), text("analysis.py")]);
  py.FS.mkdirTree("/data");
  py.FS.writeFile("/data/rentals.csv", csv);
  since = performance.now();
  // On a main thread, runPythonAsync fetches the packages the code imports before running it.
  const summary = await py.runPythonAsync(source, { filename: "analysis.py" });
  status.textContent = `${summary}. Imported, computed and drawn in ${seconds(since)}.`;
  status.dataset.state = "done";
}

main().catch((e) => {
  status.textContent = `Failed: ${e.message}`;
  status.className = "err";
  status.dataset.state = "failed";
  throw e;
});
