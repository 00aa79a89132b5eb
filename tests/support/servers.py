"""HTTP servers that misbehave on purpose (for tests of dropped downloads)."""

from __future__ import annotations

from pathlib import Path

from pinnace_build.serve import Handler


class FaultyHandler(Handler):
    """Counts requests per path; ``cut`` paths get their headers and half their body, then
    the connection is closed (once per entry in the list)."""

    requests: dict[str, int] = {}
    cut: list[str] = []

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        self.requests[name] = self.requests.get(name, 0) + 1
        if name in self.cut:
            self.cut.remove(name)
            data = Path(self.translate_path(self.path)).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()
