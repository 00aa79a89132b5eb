"""Every function a side module of dist/ calls is defined somewhere it will be loaded with.

A side module's undefined function binds, when it loads, to an export of the main module, to a
function of its JS library (the glue's `wasmImports`: `exit`, `__assert_fail`, ...) or to an
export of a module loaded before it.  One that nobody defines binds to a stub that fails when
called, as "resolved is not a function", which ends the host: Pillow's FreeType text called
libpng that way.  This reads (with node) the imports and exports of every module in dist/ and checks
each package's modules against the main module (its exports and JS library) and the modules of
the package and its dependencies (the lock's `depends`, transitively)."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from support.hosts import REPO

DIST = REPO / "dist"
# Imports that are meant to stay unresolved, with the reason.
ALLOWED_PREFIXES = {
    "_ZTH": "C++ thread_local initialisation wrappers, weak references that are null-checked "
    "before each call (HiGHS in SciPy)",
}


# Node reads the modules' import and export sections itself (WebAssembly.Module.imports and
# .exports); a module's symbol imports are env functions and GOT.func / GOT.mem globals.
READER = """
const fs = require("fs");
const out = {};
for (const path of process.argv.slice(1)) {
  const m = new WebAssembly.Module(fs.readFileSync(path));
  out[path] = {
    imports: WebAssembly.Module.imports(m)
      .filter((i) => (i.module === "env" && i.kind === "function") || i.module.startsWith("GOT."))
      .map((i) => i.name),
    exports: WebAssembly.Module.exports(m).map((e) => e.name),
  };
}
process.stdout.write(JSON.stringify(out));
"""


def imports_exports(paths: list[Path]) -> dict[str, tuple[set[str], set[str]]]:
    """path -> (names the module imports as symbols, names it exports), read by node."""
    res = subprocess.run(["node", "-e", READER, *map(str, paths)], capture_output=True,
                         text=True, timeout=300, check=True)  # fmt: skip
    return {k: (set(v["imports"]), set(v["exports"])) for k, v in json.loads(res.stdout).items()}


def js_library_functions(glue: str) -> set[str]:
    """The names of the main module's imports that its JS glue defines (``var wasmImports``)."""
    found = re.search(r"var wasmImports=\{(.*?)\};", glue, re.S)
    assert found, "no `var wasmImports={...}` in the JS glue"
    return {pair.split(":", 1)[0].strip() for pair in found[1].split(",")}


def package_modules(lock: dict[str, Any], name: str, dest: Path) -> list[Path]:
    """A package's ``.so`` files, extracted under ``dest``."""
    with zipfile.ZipFile(DIST / lock["packages"][name]["file_name"]) as zf:
        members = [n for n in zf.namelist() if n.endswith(".so")]
        zf.extractall(dest / name, members)
    return [dest / name / n for n in members]


def closure(lock: dict[str, Any], name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo += lock["packages"][n]["depends"]
    return seen


@pytest.mark.usefixtures("dist")
def test_every_imported_function_has_a_definition(tmp_path: Path) -> None:
    lock = json.loads((DIST / "pinnace-lock.json").read_text())
    modules = {name: package_modules(lock, name, tmp_path)
               for name, e in lock["packages"].items() if e.get("shared_libraries")}  # fmt: skip
    assert {"numpy", "scipy", "pillow", "matplotlib", "libopenblas"} <= set(modules)
    read = imports_exports([DIST / "pinnace.asm.wasm", *(p for ps in modules.values() for p in ps)])
    main_exports = read[str(DIST / "pinnace.asm.wasm")][1]
    main_exports |= js_library_functions((DIST / "pinnace.asm.mjs").read_text())
    assert {"exit", "__assert_fail", "PyObject_Vectorcall", "inflate"} <= main_exports
    missing = []
    for name, paths in modules.items():
        available = set(main_exports)
        for dep in closure(lock, name):
            for p in modules.get(dep, []):
                available |= read[str(p)][1]
        for p in paths:
            gone = sorted(s for s in read[str(p)][0] - available
                          if not s.startswith(tuple(ALLOWED_PREFIXES)))  # fmt: skip
            if gone:
                missing.append(f"{name}: {p.relative_to(tmp_path / name)}: {', '.join(gone[:12])}")
    assert not missing, "functions no loaded module defines:\n" + "\n".join(missing)
