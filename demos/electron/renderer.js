// The renderer: Python runs in this page (no Node here: Electron's default
// contextIsolation without nodeIntegration), and in the main process through the preload's
// bridge.  Pinnace is read from dist/ over file://, like the page itself.
const $ = (id) => document.getElementById(id);
const dist = new URLSearchParams(location.search).get("dist") ?? new URL("../../dist/", location.href).href;

function show(cls, text) {
  const span = document.createElement("span");
  span.className = cls;
  span.textContent = text.endsWith("\n") ? text : text + "\n";
  $("output").append(span);
}

const { loadPinnace } = await import(dist + "pinnace.mjs");
let py;
try {
  py = await loadPinnace({ indexURL: dist, stdout: (line) => show("out", line), stderr: (line) => show("err", line) });
} catch (e) {
  $("status").textContent = `Python failed to load: ${e.message}`;
  throw e;
}
$("status").textContent = `Python ${py.pythonVersion} ready · environment: ${py.environment}`;

async function runHere() {
  const code = $("code").value;
  show("where", `[renderer · ${py.environment}]`);
  try {
    const value = await py.runPythonAsync(code, { filename: "<renderer>" });
    if (value !== undefined) show("res", String(value));
    if (value && typeof value.destroy === "function") value.destroy();
  } catch (e) {
    show("err", e.message);
  }
}

async function runInMain() {
  const { environment, result, output, error } = await window.pinnaceDemo.runInMain($("code").value);
  show("where", `[main process · ${environment}]`);
  for (const line of output) show("out", line);
  if (error) show("err", error);
  else if (result) show("res", result);
}

$("run").addEventListener("click", runHere);
$("code").disabled = $("run").disabled = false;
if (window.pinnaceDemo) {
  $("run-main").addEventListener("click", runInMain);
  $("run-main").disabled = false;
} else {
  $("run-main").title = "Only in Electron: the preload script provides the bridge to the main process";
}
await runHere();
document.body.dataset.ready = "1";
