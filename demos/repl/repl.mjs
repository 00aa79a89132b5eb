// A REPL whose Python runs in a Web Worker (../lib/python-worker.mjs).
import { PythonWorker } from "../lib/python-client.mjs";

const output = document.getElementById("output");
const input = document.getElementById("input");
const runButton = document.getElementById("run");
const stopButton = document.getElementById("stop");
const status = document.getElementById("status");
const history = [];
let historyPos = 0;
let running = 0;

// Output arrives in chunks; consecutive chunks of one kind share one element.
function show(text, cls) {
  if (cls === "in" && output.textContent && !output.textContent.endsWith("\n")) text = "\n" + text;
  let span = output.lastElementChild;
  if (!span || span.className !== cls) {
    span = document.createElement("span");
    span.className = cls;
    output.append(span);
  }
  span.textContent += text;
  output.scrollTop = output.scrollHeight;
}

const python = new PythonWorker({
  onOutput: (kind, text) => show(kind === "result" ? text + "\n" : text, { stdout: "out", stderr: "err", result: "res" }[kind]),
});

function setRunning(delta) {
  running += delta;
  stopButton.disabled = running === 0 || !python.canInterrupt;
  status.dataset.state = running ? "running" : "idle";
  document.getElementById("state").textContent = running ? "running…" : "";
}

function run() {
  const code = input.value.replace(/\s+$/, "");
  if (!code) return;
  if (history.at(-1) !== code) history.push(code);
  historyPos = history.length;
  input.value = "";
  show(code.split("\n").map((l, i) => (i ? "... " : ">>> ") + l).join("\n") + "\n", "in");
  setRunning(+1);
  python
    .repl(code)
    .catch((e) => show(`${e.message}\n`, "err"))
    .finally(() => setRunning(-1));
}

// Enter inside a block (the last line opens one, or is indented) adds a line, as at Python's
// prompt; an empty line ends the block.
function continuesBlock(text) {
  const lines = text.split("\n");
  const last = lines.at(-1);
  if (last.trim() === "") return false;
  return /:\s*$/.test(last) || (lines.length > 1 && /^\s/.test(last));
}

function newLine() {
  const before = input.value.slice(0, input.selectionStart);
  const last = before.split("\n").at(-1);
  let indent = last.match(/^\s*/)[0];
  if (/:\s*$/.test(last)) indent += "    ";
  input.setRangeText("\n" + indent, input.selectionStart, input.selectionEnd, "end");
}

input.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter") {
    ev.preventDefault();
    if (ev.shiftKey || continuesBlock(input.value)) newLine();
    else run();
  } else if (ev.key === "ArrowUp" && !input.value.slice(0, input.selectionStart).includes("\n") && historyPos > 0) {
    ev.preventDefault();
    input.value = history[--historyPos];
  } else if (ev.key === "ArrowDown" && !input.value.slice(input.selectionEnd).includes("\n") && historyPos < history.length) {
    ev.preventDefault();
    input.value = history[++historyPos] ?? "";
  }
});
runButton.addEventListener("click", run);
stopButton.addEventListener("click", () => python.interrupt());

python.ready.then(
  ({ pythonVersion, version, ms }) => {
    status.textContent = `Python ${pythonVersion} (Pinnace ${version}) ready in a Web Worker in ${ms} ms.`;
    if (!python.canInterrupt) status.textContent += " Stop is off: this page is not cross-origin isolated.";
    input.disabled = runButton.disabled = false;
    input.focus();
  },
  (e) => {
    status.textContent = `Python failed to load: ${e.message}`;
    status.className = "err";
  },
);
window.python = python; // for the browser console
