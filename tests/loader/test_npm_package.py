"""The npm package (docs/npm.md): dist/npm/pinnace-<version>.tgz installed into an empty project
(offline: it has no dependencies), run by package name in node (a lazy `import numpy` included),
its `pinnace-python` command, and its types checked by `tsc --strict` against a user's file."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from support import npm_app
from support.hosts import REPO

TSC = REPO / "loader-js" / "node_modules" / "typescript" / "bin" / "tsc"
TYPES = REPO / "loader-js" / "node_modules" / "@types"


@pytest.fixture(scope="module")
def tarball(dist: Path) -> Path:
    return npm_app.tarball(dist)


@pytest.fixture(scope="module")
def app(tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_app.new_app(tmp_path_factory.mktemp("npm-app"), tarball)


def test_the_tarball_is_what_npm_pack_makes(tarball: Path) -> None:
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("package/package.json").read())  # type: ignore[union-attr]
    assert all(n.startswith("package/") for n in names)
    assert manifest["name"] == "pinnace" and manifest["exports"]["."]["types"] == "./types/index.d.ts"
    lock = json.loads((tarball.parents[1] / "pinnace-lock.json").read_text())
    wheels = {f"package/{p['file_name']}" for p in lock["packages"].values()}
    assert wheels <= set(names)  # every package of the lock: imports fetch them from here
    assert {"package/pinnace.asm.wasm", "package/python313.zip", "package/types/index.d.ts"} <= set(names)
    assert not [n for n in names if n.endswith((".gz", ".br"))]


def test_node_runs_python_by_package_name(app: Path) -> None:
    (app / "main.mjs").write_text("""
        import { loadPinnace, version } from "pinnace";
        const py = await loadPinnace();
        const total = py.runPython("import numpy\\nint(numpy.arange(10).sum())");
        console.log(JSON.stringify({ version, total, python: py.pythonVersion }));
    """)
    out = subprocess.run(["node", "main.mjs"], cwd=app, capture_output=True, text=True, check=True,
                         timeout=300).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    assert result["total"] == 45 and result["python"].startswith("3.")


def test_the_pinnace_python_command(app: Path) -> None:
    done = subprocess.run([str(app / "node_modules" / ".bin" / "pinnace-python"), "-c", "print(6 * 7)"],
                          cwd=app, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.stdout == "42\n", done.stderr


def tsc(app: Path, source: str) -> subprocess.CompletedProcess[str]:
    (app / "user.ts").write_text(source)
    return subprocess.run(["node", str(TSC), "--strict", "--noEmit", "--module", "nodenext",
                           "--moduleResolution", "nodenext", "--target", "es2022", "--lib", "es2022,dom",
                           "--typeRoots", str(TYPES), "--types", "node", "user.ts"],
                          cwd=app, capture_output=True, text=True, timeout=300)  # fmt: skip


def test_types_check_a_users_code_strictly(app: Path) -> None:
    good = tsc(app, """
        import { loadPinnace, PythonError, type LoadOptions, type PyProxy } from "pinnace";
        const options: LoadOptions = { stdout: (line: string) => console.log(line), env: { A: "1" } };
        const py = await loadPinnace(options);
        const np: PyProxy = py.pyimport("numpy");
        const n: number = np.arange(10).sum();
        const copy: PyProxy = np.copy();
        copy.destroy();
        try { py.runPython("1 / 0"); } catch (e) { if (e instanceof PythonError) console.log(e.type, n); }
        export {};
    """)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = tsc(app, """
        import { loadPinnace } from "pinnace";
        await loadPinnace({ indexURL: 42 });
        export {};
    """)
    # line 3, at `indexURL`: a number where the option is a string
    assert bad.returncode != 0 and "user.ts(3,29): error TS2322: Type 'number' is not assignable to type 'string'" in bad.stdout, bad.stdout
