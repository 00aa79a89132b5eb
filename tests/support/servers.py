"""HTTP servers that misbehave on purpose (for tests of dropped and stalled downloads)."""

from __future__ import annotations

import time
from pathlib import Path

from pinnace_build.serve import Handler


class FaultyHandler(Handler):
    """Counts requests per path, and misbehaves once per entry of these lists (a path, listed
    as many times as it should fail):

    * ``cut``: the headers and half the body, then the connection is closed;
    * ``stall``: the headers and half the body, then nothing for ``pause`` seconds, then the
      connection is closed;
    * ``slow``: the headers and half the body, ``pause`` seconds of nothing, then the rest;
    * ``error``: HTTP 500.
    """

    requests: dict[str, int] = {}
    cut: list[str] = []
    stall: list[str] = []
    slow: list[str] = []
    error: list[str] = []
    pause = 3.0

    def _take(self, faults: list[str], name: str) -> bool:
        if name in faults:
            faults.remove(name)
            return True
        return False

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        self.requests[name] = self.requests.get(name, 0) + 1
        if self._take(self.error, name):
            self.send_error(500, "Internal Server Error")
            return
        how = next((f for f in ("cut", "stall", "slow") if self._take(getattr(self, f), name)), None)
        if how is None:
            super().do_GET()
            return
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        if how != "cut":
            time.sleep(self.pause)
        if how == "slow":
            self.wfile.write(data[len(data) // 2 :])
            self.wfile.flush()
        self.close_connection = True


def faulty_handler() -> type[FaultyHandler]:
    """A FaultyHandler class with its own request counts and fault lists (one per server)."""
    fresh: dict[str, object] = {"requests": {}, "cut": [], "stall": [], "slow": [], "error": []}
    return type("Faulty", (FaultyHandler,), fresh)
