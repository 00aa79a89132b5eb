"""Pages of `<script type="py">` for Chromium tests (tests/runtime/test_page_scripts.py,
test_page_workers.py), written into the folder the `site` or `isolated_site` fixture serves
(tests/support/plugin.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from pinnace_build.serve import StaticServer


def open_page(page: Any, site: tuple[StaticServer, Path], body: str, *, scripts: int,
              loader: str = '<script src="dist/pinnace.js"></script>') -> list[str]:  # fmt: skip
    """Serve ``body`` as index.html after the loader, open it and wait until ``scripts``
    scripts have run (the loader marks each data-pinnace-done); the console's error messages."""
    srv, root = site
    (root / "index.html").write_text(f"<!doctype html><html><head><link rel=\"icon\" href=\"data:,\"></head><body>{loader}\n{textwrap.dedent(body)}</body></html>")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(srv.url + "index.html")
    page.wait_for_function(f"() => document.querySelectorAll('script[data-pinnace-done]').length >= {scripts}",
                           timeout=120_000)  # fmt: skip
    return errors


def outputs(page: Any) -> list[list[str]]:
    """The text each script's output shows, by script."""
    shown: list[list[str]] = page.evaluate("""() => [...document.querySelectorAll('script[data-pinnace-id]')].map((s) => {
        const out = s.nextElementSibling;
        return out && out.classList.contains('py-output')
            ? [...out.children].map((c) => c.textContent.trim()) : [];
    })""")
    return shown


