// The page side of the worker demo: the form's text goes to analyze() in a Web Worker.
import { PythonWorker } from "../lib/python-client.mjs";

const $ = (id) => document.getElementById(id);
const python = new PythonWorker({ onOutput: (kind, text) => console.log(`python ${kind}:`, text) });

async function analyze() {
  const started = performance.now();
  try {
    const stats = await python.call("analyze", $("text").value);
    for (const key of ["characters", "words", "distinct", "sha256"]) $(key).textContent = stats[key];
    $("top").textContent = stats.top.map(([word, n]) => `${word} ×${n}`).join(", ");
    $("timing").textContent = `answered in ${Math.round(performance.now() - started)} ms`;
    $("result").hidden = false;
    $("error").textContent = "";
  } catch (e) {
    $("error").textContent = `${e.type ?? "Error"}: ${e.message}`;
  }
}

async function main() {
  const { pythonVersion } = await python.ready;
  const source = await fetch("textstats.py").then((r) => (r.ok ? r.text() : Promise.reject(new Error(`textstats.py: HTTP ${r.status}`))));
  await python.exec(source, "textstats.py");
  $("status").textContent = `Python ${pythonVersion} is ready in a Web Worker.`;
  $("text").disabled = $("analyze").disabled = false;
  $("form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    analyze();
  });
  await analyze();
}

main().catch((e) => {
  $("status").textContent = `Failed: ${e.message}`;
  $("status").className = "err";
  throw e;
});
