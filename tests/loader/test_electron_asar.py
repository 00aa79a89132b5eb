"""The demo app packed into a real ASAR archive with npm @electron/asar (the packer Electron's
tooling uses; a devDependency of loader-js/), read back with the same module under Node.

Plain Node cannot read inside an archive the way Electron's patched fs does, so what is run:
the archive holds every file the app's main process and renderer read (the loader, the
interpreter, the lock file and the lock's wheels) at the paths python-main.js and renderer.js
look for them, byte for byte; and the app extracted from the archive runs Python in its main
process (under Node with Electron's markers, see tests/loader/electron_stub/README.md) from the dist/
inside it. Not run: Electron reading the archive in place.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from support.hosts import REPO, Node

STUB = Path(__file__).parent / "electron_stub"
DEMO = REPO / "demos" / "electron"
ASAR = REPO / "loader-js" / "node_modules" / "@electron" / "asar"
CORE = ("pinnace.mjs", "pinnace.js", "pinnace.asm.mjs", "pinnace.asm.wasm", "python313.zip")
PACKAGES = ("outcome", "attrs")


def make_app(dist: Path, app: Path) -> dict[str, str]:
    """The demo app with its own dist/ (the core and two packages, a lock naming only them);
    returns each file's sha256 by archive path."""
    shutil.copytree(DEMO, app, ignore=shutil.ignore_patterns("node_modules", "README.md"))
    (app / "dist").mkdir()
    for name in CORE:
        shutil.copy(dist / name, app / "dist" / name)
    lock = json.loads((dist / "pinnace-lock.json").read_text())
    lock["packages"] = {n: lock["packages"][n] for n in PACKAGES}
    (app / "dist" / "pinnace-lock.json").write_text(json.dumps(lock))
    for entry in lock["packages"].values():
        shutil.copy(dist / entry["file_name"], app / "dist" / entry["file_name"])
    return {
        str(p.relative_to(app)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(app.rglob("*"))
        if p.is_file()
    }


def test_app_in_an_asar_archive(node: Node, dist: Path, tmp_path: Path) -> None:
    app = tmp_path / "app"
    files = make_app(dist, app)
    archive = tmp_path / "resources" / "app.asar"
    archive.parent.mkdir()
    out = node.run(f"""
        import {{ createRequire }} from "node:module";
        import {{ createHash }} from "node:crypto";
        const asar = createRequire(import.meta.url)({str(ASAR)!r});
        await asar.createPackage({str(app)!r}, {str(archive)!r});
        const listed = asar.listPackage({str(archive)!r}, {{ isPack: false }});
        const read = {{}};
        for (const entry of listed) {{
          const name = entry.replace(/^[\\\\/]/, "");
          if (asar.statFile({str(archive)!r}, name).files) continue;   // a directory
          read[name] = createHash("sha256").update(asar.extractFile({str(archive)!r}, name)).digest("hex");
        }}
        const lock = JSON.parse(asar.extractFile({str(archive)!r}, "dist/pinnace-lock.json").toString());
        asar.extractAll({str(archive)!r}, {str(tmp_path / "extracted")!r});
        console.log(JSON.stringify({{ read, wheels: Object.values(lock.packages).map((p) => p.file_name) }}));
    """)  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    assert result["read"] == files
    assert all(f"dist/{w}" in result["read"] for w in result["wheels"])
    assert {"main.js", "preload.js", "python-main.js", "index.html", "renderer.js"} <= set(files)
    # what Electron would open from the archive: package.json's "main" and the window's page
    manifest = json.loads((app / "package.json").read_text())
    assert manifest["main"] in result["read"]

    # the app as it came out of the archive: its main process finds dist/ inside itself
    extracted = tmp_path / "extracted"
    out = node.run(
        f"""
        import {{ createRequire }} from "node:module";
        const demo = createRequire(import.meta.url)({str(extracted / "python-main.js")!r});
        const r = await demo.evaluate("import outcome\\nprint('outcome', outcome.__version__)\\n2 ** 10");
        console.log(JSON.stringify({{ dist: demo.distDir(), ...r }}));
        """,
        node_args=("--require", str(STUB / "markers.cjs")),
        env={"NODE_PATH": str(STUB), "PINNACE_TEST_USERDATA": str(tmp_path / "userData")},
    )
    r = json.loads(out.strip().splitlines()[-1])
    version = json.loads((dist / "pinnace-lock.json").read_text())["packages"]["outcome"]["version"]
    assert r == {"dist": str(extracted / "dist"), "environment": "electron-main", "result": "1024",
                 "output": [f"outcome {version}"], "error": None}  # fmt: skip
