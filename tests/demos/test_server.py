"""The server demo (demos/server/app.py): started as a script, it serves a page whose values
come from C compiled to wasm and called through pinnace_host; Chromium submits its form."""

from __future__ import annotations

import codecs
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.hosts import REPO
from support.screenshots import color_count, screenshot

APP = REPO / "demos" / "server" / "app.py"


def primes_below(limit: int) -> int:
    sieve = bytearray([1]) * max(limit, 2)
    sieve[0:2] = b"\0\0"
    for n in range(2, int(limit**0.5) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytes(len(range(n * n, limit, n)))
    return sum(sieve[:limit])


def expected_rows(text: str, limit: int) -> list[list[str]]:
    return [
        [f"crc32({text!r})", f"0x{zlib.crc32(text.encode()):08x}"],
        [f"rot13({text!r})", repr(codecs.encode(text, "rot13"))],
        [f"count_primes({limit})", str(primes_below(limit))],
    ]


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """The app, run as a script on a free port; its URL from the line it prints first."""
    log = tmp_path / "app.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, str(APP), "serve", "--port", "0"],
                                stdout=subprocess.PIPE, stderr=stderr, text=True)  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("serving on http://127.0.0.1:"):
        proc.kill()
        proc.wait()
        pytest.fail(f"app.py did not start: {line}{log.read_text()}")
    try:
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def table(page: Any) -> list[list[str]]:
    rows: list[list[str]] = page.eval_on_selector_all(
        "#results tr:not(:first-child)",
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
    )
    return rows


@pytest.mark.chromium
def test_server_page_shows_what_wasm_computed(page: Any, app_url: str, tmp_path: Path) -> None:
    page.goto(app_url)
    assert table(page) == expected_rows("Hello, WebAssembly!", 100_000)

    text = "Pinnace: Python & wasm, ünïcode too"
    page.fill("input[name=text]", text)
    page.fill("input[name=limit]", "1000000")
    page.click("button")
    page.wait_for_url("**/?text=*")
    assert table(page) == expected_rows(text, 1_000_000)
    assert table(page)[2] == ["count_primes(1000000)", "78498"]
    shot = screenshot(page, tmp_path / "server.png")
    assert color_count(shot) > 20

    page.fill("input[name=limit]", "lots")  # bad input: a clear error, the app keeps working
    page.click("button")
    page.wait_for_selector("#error")
    assert page.inner_text("#error") == "invalid literal for int() with base 10: 'lots'"
    page.fill("input[name=limit]", "10")
    page.click("button")
    page.wait_for_selector("#results")
    assert table(page) == expected_rows(text, 10)


def test_server_app_as_a_command_line_script() -> None:
    text = "Hello, wasm!"
    done = subprocess.run([sys.executable, str(APP), "show", text, "--limit", "1000"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert done.stdout.splitlines() == [
        f"{call} = {value}" for call, value in expected_rows(text, 1000)
    ]
    bad = subprocess.run([sys.executable, str(APP), "show", text, "--limit", "-1"],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2
    assert "the limit must be between 0 and 5,000,000, not -1" in bad.stderr


@pytest.mark.chromium
def test_server_runs_a_visitors_python_in_the_sandbox(page: Any, app_url: str) -> None:
    page.goto(app_url)
    page.fill("textarea[name=code]", "import sys\nprint(sys.platform, 6 * 7)\nopen('/etc/passwd')")
    page.click("#run-python")
    page.wait_for_selector("#py-exit")
    assert page.inner_text("#py-exit") == "1"
    assert page.inner_text("#py-stdout").strip() == "wasi 42"
    assert page.inner_text("#py-stderr").strip().endswith("FileNotFoundError: [Errno 44] No such file or directory: '/etc/passwd'")
    page.fill("textarea[name=code]", "while True: pass")  # stopped by the limit; the server goes on
    page.click("#run-python")
    page.wait_for_selector("#py-error")
    assert page.inner_text("#py-error").startswith("stopped: Timeout:")
    page.fill("textarea[name=code]", "print('again')")
    page.click("#run-python")
    page.wait_for_selector("#py-stdout")
    assert page.inner_text("#py-stdout").strip() == "again"
