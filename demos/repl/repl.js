// A small REPL on top of the global loadPinnace() from ../../dist/pinnace.js.
const output = document.getElementById("output");
const input = document.getElementById("input");
const runButton = document.getElementById("run");
const status = document.getElementById("status");
const history = [];
let historyPos = 0;

function show(text, cls) {
  const span = document.createElement("span");
  if (cls) span.className = cls;
  span.textContent = text + "\n";
  output.append(span);
  output.scrollTop = output.scrollHeight;
}

function repr(value) {
  if (value === undefined) return null; // None: print nothing, like Python's REPL
  if (typeof value === "string") return JSON.stringify(value).replace(/^"|"$/g, "'");
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value?.toJs === "function") {
    // a PyProxy: show Python's repr, then release the object
    const shown = value.__repr__();
    value.destroy();
    return shown;
  }
  return String(value);
}

async function main() {
  const started = performance.now();
  const py = await loadPinnace({
    stdout: (line) => show(line),
    stderr: (line) => show(line, "err"),
  });
  const ms = Math.round(performance.now() - started);
  status.textContent = `Python ${py.pythonVersion} (Pinnace ${py.version}) ready in ${ms} ms.`;
  window.pinnace = py; // for the browser console (and the tests)
  input.disabled = runButton.disabled = false;
  input.focus();

  // runPythonAsync: top-level `await` works, and packages the code imports (numpy, ...) are
  // fetched first; on a page's main thread Python cannot fetch them synchronously itself.
  let busy = Promise.resolve();
  function run() {
    const code = input.value;
    if (!code.trim()) return;
    history.push(code);
    historyPos = history.length;
    input.value = "";
    show(code.split("\n").map((l, i) => (i ? "... " : ">>> ") + l).join("\n"), "in");
    busy = busy.then(async () => {
      try {
        const shown = repr(await py.runPythonAsync(code, { filename: "<repl>" }));
        if (shown !== null) show(shown, "res");
      } catch (e) {
        show(e.message.trimEnd(), "err");
      }
    });
  }

  runButton.addEventListener("click", run);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      run();
    } else if (ev.key === "ArrowUp" && input.selectionStart === 0 && historyPos > 0) {
      input.value = history[--historyPos];
    } else if (ev.key === "ArrowDown" && historyPos < history.length) {
      input.value = history[++historyPos] ?? "";
    }
  });
}

main().catch((e) => {
  status.textContent = "Python failed to load: " + e.message;
  status.className = "err";
  throw e;
});
