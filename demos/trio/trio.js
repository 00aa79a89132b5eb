// The Trio demo: the page loads Pinnace, runs fetches.py, and wires the buttons to it.
const $ = (id) => document.getElementById(id);

async function main() {
  const py = await loadPinnace();
  const source = await (await fetch("fetches.py")).text();
  await py.runPythonAsync(source, { filename: "fetches.py" });
  const start = py.globals.get("start");
  const cancel = py.globals.get("cancel");
  $("status").textContent = "Ready.";
  $("start").disabled = false;
  $("start").onclick = async () => {
    $("start").disabled = true;
    $("cancel").disabled = false;
    try {
      const summary = await start(Number($("timeout").value), Number($("throttle").value));
      $("status").textContent = summary;
    } catch (e) {
      $("status").textContent = String(e.message ?? e);
    } finally {
      $("start").disabled = false;
      $("cancel").disabled = true;
    }
  };
  $("cancel").onclick = () => cancel();
}

main().catch((e) => {
  $("status").textContent = "Failed to start: " + (e.message ?? e);
});
