"""An app that installs Pinnace's npm package (dist/npm/pinnace-<version>.tgz) into an empty
project, offline (the package has no dependencies): tests/loader/test_npm_package.py and
test_bundlers.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def tarball(dist: Path) -> Path:
    found = sorted((dist / "npm").glob("pinnace-*.tgz"))
    assert found, "make dist writes dist/npm/pinnace-<version>.tgz"
    return found[-1]


def new_app(root: Path, package: Path) -> Path:
    """``root`` as an ES-module project with ``package`` installed; ``root``."""
    (root / "package.json").write_text(json.dumps({"name": "app", "private": True, "type": "module"}))
    subprocess.run(["npm", "install", str(package), "--offline", "--no-audit", "--no-fund", "--silent"],
                   cwd=root, check=True, timeout=600)  # fmt: skip
    return root
