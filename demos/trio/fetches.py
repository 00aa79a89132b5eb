"""The Trio demo's Python side: concurrent fetches with a timeout, progress and Cancel.

``start(timeout, throttle_ms)`` runs the downloads in Trio on the page's event loop and
returns a promise of a one-line summary; ``cancel()`` cancels what is still running.
"""

import json

import js
import pinnace.trio
import trio
from pinnace.ffi import JsException

DIST = "../../dist/"
COUNT = 6  # the largest wheels of dist/ (wheels have no precompressed twin: sizes are exact)

running: dict = {}  # the cancel scope and Trio token of the current run


def make_row(name: str, size: int):
    row = js.document.createElement("tr")
    row.innerHTML = (
        f'<td class="name">{name}</td><td><progress max="{size}" value="0"></progress></td>'
        '<td class="state">waiting</td>'
    )
    row.dataset.name = name
    js.document.querySelector("#fetches tbody").appendChild(row)
    return row


def show(row, state: str, text: str) -> None:
    row.className = state
    row.dataset.state = state
    row.querySelector(".state").textContent = text


def kilobytes(n: int) -> str:
    return f"{n / 1024:,.0f} kB"


async def read_throttled(row, name: str, size: int, throttle: float) -> int:
    response = await pinnace.trio.fetch(DIST + name)
    if not response.ok:
        raise RuntimeError(f"HTTP {response.status}")
    reader = response.body.getReader()
    bar = row.querySelector("progress")
    received = 0
    while True:
        # cancelling this task (timeout, Cancel) cancels the body's stream
        part = await pinnace.trio.await_js(reader.read(), on_cancel=reader.cancel)
        if part.done:
            return received
        received += part.value.length
        bar.value = received
        show(row, "running", f"{kilobytes(received)} of {kilobytes(size)}")
        if throttle:  # a pause per 64 kB: chunks of a local server vary from kB to MB
            await trio.sleep(throttle * -(-part.value.length // 65536))


async def download(name: str, size: int, timeout: float, throttle: float, tally: dict) -> None:
    row = make_row(name, size)
    state, text = "cancelled", "cancelled"
    try:
        with trio.move_on_after(timeout) as scope:
            received = await read_throttled(row, name, size, throttle)
            state, text = "done", f"done, {kilobytes(received)}"
        if scope.cancelled_caught:
            state, text = "timeout", f"timed out after {timeout:g} s"
    except (JsException, RuntimeError) as e:
        state, text = "error", f"failed: {e}"
    finally:
        tally[state] = tally.get(state, 0) + 1
        show(row, state, text)


async def main(timeout: float, throttle: float) -> str:
    js.document.querySelector("#fetches tbody").innerHTML = ""
    lock = json.loads(
        await pinnace.trio.read_body(await pinnace.trio.fetch(DIST + "pinnace-lock.json"))
    )
    wheels = sorted(lock["packages"].values(), key=lambda p: -p["size"])[:COUNT]
    tally: dict = {}
    with trio.CancelScope() as scope:
        running.update(scope=scope, token=trio.lowlevel.current_trio_token())
        js.document.getElementById("status").textContent = f"Fetching {len(wheels)} files at once…"
        async with trio.open_nursery() as nursery:
            for p in wheels:
                nursery.start_soon(download, p["file_name"], p["size"], timeout, throttle, tally)
    running.clear()
    parts = [f"{tally.get('done', 0)} of {len(wheels)} downloaded"]
    parts += [
        f"{tally[k]} {k.replace('timeout', 'timed out')}"
        for k in ("timeout", "cancelled", "error")
        if tally.get(k)
    ]
    return ("Cancelled: " if scope.cancelled_caught else "Finished: ") + ", ".join(parts) + "."


def start(timeout: float, throttle_ms: float):
    """Start the downloads; throttle_ms pauses each body for that long per 64 kB."""
    return pinnace.trio.run(main, timeout, throttle_ms / 1000)


def cancel() -> None:
    if running:
        running["token"].run_sync_soon(running["scope"].cancel)
