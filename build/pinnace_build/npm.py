"""The npm package (docs/npm.md): ``pinnace build npm`` packs ``dist/`` into
``dist/npm/pinnace-<version>.tgz``, the tarball ``npm pack`` would make (every file under
``package/``), written here: reproducibly (fixed times and modes, sorted) and quickly (the
wheels are compressed already, so gzip's fastest level).

The package is the distribution as ``make dist`` leaves it, minus the precompressed copies:
the loader (``pinnace.mjs``, the classic ``pinnace.js``), the interpreter (``pinnace.asm.mjs``,
``pinnace.asm.wasm``), the stdlib archive, the lock and every wheel it lists, so that a plain
``import numpy`` works wherever the package's folder is served (or, in Node, read) as it is;
``pinnace-python.mjs`` as the ``pinnace-python`` command; and TypeScript declarations made
from the loader's source (``types/``).  Cached by the digest of what goes in.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

from . import versions
from .cache import Step, file_digest, log, tree_digest
from .paths import DIST, LOADER

CORE = ("pinnace.mjs", "pinnace.mjs.map", "pinnace.js", "pinnace.js.map", "pinnace.asm.mjs",
        "pinnace.asm.wasm", "python313.zip", "pinnace-lock.json", "pinnace-python.mjs")  # fmt: skip

README = """# pinnace

CPython {python} compiled to WebAssembly, with its packages (NumPy, SciPy, pandas, scikit-learn,
matplotlib, ...), for web pages, workers, Node and Electron.

```js
import {{ loadPinnace }} from "pinnace";

const py = await loadPinnace();
console.log(py.runPython("import numpy; int(numpy.arange(10).sum())"));  // 45
```

Packages are fetched when Python first imports them, from this package's folder. Serving the
folder to browsers and the TypeScript types: docs/npm.md in Pinnace's repository.
"""


def package_json() -> dict[str, object]:
    return {
        "name": "pinnace",
        "version": versions.PINNACE_VERSION,
        "description": f"CPython {versions.build_info()['python']} for WebAssembly: a loader for pages, "
                       "workers, Node and Electron, and the NumPy/SciPy stack fetched on import",
        "type": "module",
        "license": "MIT",
        "main": "./index.mjs",
        "types": "./types/index.d.ts",
        "exports": {
            ".": {"types": "./types/index.d.ts", "default": "./index.mjs"},
            "./pinnace.js": "./pinnace.js",
            "./package.json": "./package.json",
            "./*": "./*",
        },
        "bin": {"pinnace-python": "./pinnace-python.mjs"},
        "engines": {"node": ">=20"},
        "files": ["*.mjs", "*.js", "*.map", "*.wasm", "*.zip", "*.whl", "pinnace-lock.json",
                  INTEGRITY_NAME, "types/"],
        "keywords": ["python", "webassembly", "wasm", "cpython", "numpy", "scipy", "pyodide"],
    }


FETCHED = ("pinnace.asm.mjs", "pinnace.asm.wasm", "python313.zip", "pinnace-lock.json")  # by the loader

ENTRY = """\
// The package's entry point: the loader (pinnace.mjs), told where each file it fetches is.
// Each is written `new URL("./file", import.meta.url)`, the pattern bundlers (Vite, webpack,
// Parcel) rewrite: they copy the file into the app's build and put its new URL here.  Where
// nothing rewrites it (Node, esbuild, a page importing this file), it is the file beside this one.
import {{ loadPinnace as loadFrom }} from "./pinnace.mjs";

export * from "./pinnace.mjs";

// The Subresource Integrity values of the data among them (pinnace-integrity.json): the loader
// checks each before use, wherever it was served from.  Not the JS glue: bundlers rewrite it
// (webpack minifies it, Vite's dev server transforms it).  Wheels: the lock's sha256.
const INTEGRITY = {integrity};
const CORE = ["pinnace.asm.mjs", "pinnace.asm.wasm", "python313.zip"];

/** loadPinnace() with the package's files found wherever the app's bundler put them: all of
 * them, or with a packageIndexURL the core only.  A file the caller points elsewhere
 * (options.fileURLs) is not checked against this package's values. */
export function loadPinnace(options = {{}}) {{
  if (options.indexURL !== undefined) return loadFrom(options);
  const files = packageFiles();
  const ours = options.packageIndexURL === undefined ? Object.keys(files) : CORE;
  const fileURLs = Object.fromEntries(ours.map((name) => [name, files[name]]));
  Object.assign(fileURLs, options.fileURLs);
  // Checking needs crypto.subtle, which browsers give secure origins only; elsewhere the page
  // itself travels unprotected, so checking its files would prove nothing.
  const checked = globalThis.crypto?.subtle ? ours.filter((n) => n in INTEGRITY && !(n in (options.fileURLs ?? {{}}))) : [];
  const integrity = Object.fromEntries(checked.map((name) => [name, INTEGRITY[name]]));
  return loadFrom({{ ...options, fileURLs, integrity: {{ ...integrity, ...options.integrity }} }});
}}

function packageFiles() {{
  return {{
{entries}
  }};
}}
"""


def entry_module(files: list[str], hashes: dict[str, str]) -> str:
    """index.mjs: the package's entry, naming every file the loader fetches as a literal."""
    entries = "\n".join(f'    {json.dumps(name)}: new URL({json.dumps("./" + name)}, import.meta.url).href,'
                        for name in files)  # fmt: skip
    checked = {name: hashes[name] for name in FETCHED if not name.endswith(".mjs")}
    return ENTRY.format(entries=entries, integrity=json.dumps(checked, indent=2))


INTEGRITY_NAME = "pinnace-integrity.json"
SIGNED = ("pinnace.js", "pinnace.mjs", *FETCHED)  # the core files, each with its SRI value


def integrity_values(folder: Path) -> dict[str, str]:
    """Subresource Integrity values ("sha384-<base64>") of the core files in ``folder``."""
    return {name: "sha384-" + base64.b64encode(hashlib.sha384((folder / name).read_bytes()).digest()).decode()
            for name in SIGNED}  # fmt: skip


def _wheels() -> list[str]:
    lock = json.loads((DIST / "pinnace-lock.json").read_text())
    return sorted(entry["file_name"] for entry in lock["packages"].values())


def step() -> Step:
    files = [*CORE, *_wheels()]
    return Step("npm", {
        "files": {name: file_digest(DIST / name) for name in files},
        "types": tree_digest(LOADER / "src", "**/*.ts"),
        "package": package_json(),
        "packer": file_digest(Path(__file__)),
        "v": 5,
    })  # fmt: skip


def ensure_installed(folder: Path) -> None:
    """``npm ci`` in ``folder`` unless its node_modules was installed from its package-lock.json
    as it is now (npm writes node_modules/.package-lock.json on install)."""
    installed = folder / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (folder / "package-lock.json").stat().st_mtime:
        log(f"{folder.name}: npm ci")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=folder, check=True)


MTIME = 499162500  # what npm pack stamps on every file (1985-10-26), so the tarball is reproducible


def _add(tar: tarfile.TarFile, name: str, data: bytes | Path, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(f"package/{name}")
    info.size = data.stat().st_size if isinstance(data, Path) else len(data)
    info.mtime, info.mode = MTIME, mode
    if isinstance(data, Path):
        with data.open("rb") as f:
            tar.addfile(info, f)
    else:
        tar.addfile(info, io.BytesIO(data))


def _pack(out: Path) -> None:
    types = out / "types"
    subprocess.run(["npx", "tsc", "-p", "tsconfig.types.json", "--outDir", str(types)],
                   cwd=LOADER, check=True)  # fmt: skip
    target = out / f"pinnace-{versions.PINNACE_VERSION}.tgz"
    with open(target, "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:  # fmt: skip
        _add(tar, "package.json", (json.dumps(package_json(), indent=2) + "\n").encode())
        _add(tar, "README.md", README.format(python=versions.build_info()["python"]).encode())
        hashes = integrity_values(DIST)
        _add(tar, "index.mjs", entry_module([*FETCHED, *_wheels()], hashes).encode())
        _add(tar, INTEGRITY_NAME, (json.dumps(hashes, indent=2) + "\n").encode())
        for name in sorted([*CORE, *_wheels()]):
            _add(tar, name, DIST / name, 0o755 if name == "pinnace-python.mjs" else 0o644)
        for path in sorted(types.rglob("*.d.ts")):
            _add(tar, f"types/{path.relative_to(types).as_posix()}", path)
    shutil.rmtree(types)


def build() -> Path:
    """Pack dist/ into dist/npm/pinnace-<version>.tgz; its path."""
    built = step().ensure(_pack)
    name = f"pinnace-{versions.PINNACE_VERSION}.tgz"
    target = DIST / "npm" / name
    target.parent.mkdir(exist_ok=True)
    if not target.exists() or file_digest(target) != file_digest(built / name):
        shutil.copyfile(built / name, target)
    log(f"npm package: {target} ({target.stat().st_size / 1e6:.1f} MB)")
    # the core files' SRI values, published with the build (docs/npm.md "Subresource Integrity")
    (DIST / INTEGRITY_NAME).write_text(json.dumps(integrity_values(DIST), indent=2) + "\n")
    return target
