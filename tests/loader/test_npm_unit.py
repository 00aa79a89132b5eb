"""The loader's own unit tests (loader-js/test, node:test): run by `npm test`, and here so that
`make test` runs them too."""

from __future__ import annotations

import subprocess
from pathlib import Path

LOADER = Path(__file__).resolve().parents[2] / "loader-js"


def test_npm_test_passes() -> None:
    # node_modules comes from `make dist` (pinnace build dist runs npm ci), which `make test` runs
    assert (LOADER / "node_modules" / "esbuild").is_dir(), (
        "loader-js has no node_modules: run make dist"
    )
    res = subprocess.run(["npm", "test", "--silent"], cwd=LOADER, capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "# fail 0" in res.stdout
