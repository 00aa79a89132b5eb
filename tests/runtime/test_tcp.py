"""asyncio's TCP streams in Node over its net module (docs/http.md#tcp-from-asyncio): a real echo
server on 127.0.0.1 (a thread of the test process, another process for node), data both ways
with backpressure, end of stream and close, refusal; and a clear OSError where there is no TCP
(a Chromium page)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import Node
from support.runners import PageRunner, last_json


class Echo(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            if data.startswith(b"bye"):
                self.request.sendall(b"closing\n")
                return  # the server ends the connection
            self.request.sendall(data)


@pytest.fixture(scope="module")
def echo_port() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


STREAMS = """
import asyncio, json
out = {}
reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
out["peer"] = list(writer.get_extra_info("peername"))
writer.write(b"hello\\n")
await writer.drain()
out["line"] = (await reader.readline()).decode()
big = bytes(range(256)) * 40_000  # 10 MB, both ways
writer.write(big)  # read while it drains: the echo server sends back as it reads
got, _ = await asyncio.gather(reader.readexactly(len(big)), writer.drain())
out["big"] = got == big
writer.write(b"bye")
out["last"] = (await reader.readline()).decode()
out["eof"] = [(await reader.read()).decode(), reader.at_eof()]
writer.close()
await writer.wait_closed()

class Counting(asyncio.Protocol):
    def __init__(self):
        self.paused = self.resumed = self.received = 0
        self.lost = asyncio.get_running_loop().create_future()
    def pause_writing(self): self.paused += 1
    def resume_writing(self): self.resumed += 1
    def data_received(self, data): self.received += len(data)
    def connection_lost(self, exc): self.lost.set_result(exc)

loop = asyncio.get_running_loop()
transport, proto = await loop.create_connection(Counting, "127.0.0.1", PORT)
for _ in range(200):  # 50 MB at once: more than the socket buffers
    transport.write(bytes(262_144))
while proto.received < 200 * 262_144:
    await asyncio.sleep(0.01)
transport.close()
out["backpressure"] = [proto.paused > 0, proto.resumed == proto.paused, await proto.lost]

reader, writer = await asyncio.open_connection("127.0.0.1", PORT, limit=1024)
writer.write(bytes(1_000_000))
await asyncio.sleep(0.3)
out["reading_paused"] = not writer.transport.is_reading()
out["read_all"] = len(await reader.readexactly(1_000_000))
out["reading_again"] = writer.transport.is_reading()
writer.close()

for name, port in [("refused", CLOSED)]:
    try:
        await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        out[name] = [type(e).__name__, str(e)]
json.dumps(out)
"""


def test_open_connection_in_node(node: Node, echo_port: int, closed_port: int) -> None:
    code = STREAMS.replace("PORT", str(echo_port)).replace("CLOSED", str(closed_port))
    out = last_json(node.run(f"""
const py = await loadPinnace();
console.log(await py.runPythonAsync({json.dumps(code)}));
"""))
    assert out["peer"] == ["127.0.0.1", echo_port]
    assert out["line"] == "hello\n"
    assert out["big"] is True
    assert out["last"] == "closing\n" and out["eof"] == ["", True]
    assert out["backpressure"] == [True, True, None]
    assert out["reading_paused"] is True and out["read_all"] == 1_000_000
    assert out["reading_again"] is True
    assert out["refused"] == ["ConnectionRefusedError",
                              f"[Errno 14] 127.0.0.1:{closed_port}: Connection refused (ECONNREFUSED)"]


@pytest.mark.chromium
def test_open_connection_on_a_page_says_why_not(page: Any, server: StaticServer, echo_port: int) -> None:
    out = last_json(PageRunner(page, server).run(f"""
const py = await loadPinnace();
console.log(await py.runPythonAsync(`
import asyncio, json
try:
    await asyncio.open_connection("127.0.0.1", {echo_port})
except OSError as e:
    result = [type(e).__name__, str(e)]
json.dumps(result)
`));
"""))
    assert out[0] == "OSError"
    assert "TCP connections need Node's net module" in out[1] and "browser" in out[1]
