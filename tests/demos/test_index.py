"""The demos' index page (demos/index.html) in real Chromium: one line per demo, links that work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import REPO
from support.screenshots import color_count, screenshot

pytestmark = pytest.mark.chromium
DEMOS = ["repl", "page", "numpy", "data", "trio", "worker", "electron", "server"]


def test_index_links_every_demo(page: Any, server: StaticServer, tmp_path: Path) -> None:
    page.goto(server.url + "demos/")
    links = page.eval_on_selector_all("li > a", "as => as.map(a => [a.textContent, a.href])")
    assert [name for name, _ in links] == DEMOS
    present = [(name, href) for name, href in links if (REPO / "demos" / name).is_dir()]
    assert {"repl", "page", "numpy", "data", "worker", "server"} <= {name for name, _ in present}
    for name, href in present:
        assert page.request.get(href).status == 200, name
    assert color_count(screenshot(page, tmp_path / "index.png")) > 20
    page.click("text=numpy")
    page.wait_for_selector("#plot")
    assert page.title() == "Pinnace: numpy on a canvas"
