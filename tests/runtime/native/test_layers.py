"""The runtime's layers (pinnace/__init__.py's docstring): every import of a Pinnace module,
at module level or inside a function, goes down the list, never up or sideways."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support.hosts import REPO

PACKAGE = REPO / "runtime" / "pinnace"
SOURCE_DIRS = [REPO / "runtime", REPO / "loader-js" / "src"]
MAX_LINES = 400
#: Modules that `pinnace build dist` writes into the stdlib archive (no file in runtime/pinnace)
GENERATED = {"_build"}


def layers() -> list[str]:
    """The module names of the docstring's list, top first ("pinnace" is __init__)."""
    doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text())) or ""
    block = doc.split("top to bottom::", 1)[1].split("\n\n")[1]
    return [re.split(r"\s+", line.strip())[0] for line in block.splitlines()]


def module_name(path: Path) -> str:
    return "pinnace" if path.name == "__init__.py" else path.stem


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every Pinnace module ``path`` imports, however it is spelled."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.append((node.lineno, node.module.split(".")[0]))
            elif node.level == 1:
                found += [(node.lineno, a.name) for a in node.names]
            elif node.module == "pinnace":
                found += [(node.lineno, a.name) for a in node.names]
            elif node.module and node.module.startswith("pinnace."):
                found.append((node.lineno, node.module.split(".")[1]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[1]) for a in node.names
                      if a.name.startswith("pinnace.")]  # fmt: skip
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            m = re.fullmatch(r"pinnace\.(\w+)(\.\w+)*", node.value)  # __import__, import_module
            if m:
                found.append((node.lineno, m.group(1)))
    return found


def test_the_docstring_lists_every_module() -> None:
    files = {module_name(p) for p in PACKAGE.glob("*.py")}
    assert sorted(layers()) == sorted(files | GENERATED)


def test_imports_go_down_the_layers() -> None:
    order = layers()
    wrong = []
    for path in sorted(PACKAGE.glob("*.py")):
        me = module_name(path)
        for line, target in imported(path):
            if target not in order:
                wrong.append(f"{path.name}:{line} imports pinnace.{target}, which is not a layer")
            elif order.index(target) <= order.index(me):
                wrong.append(f"{path.name}:{line} ({me}) imports {target}, which is not below it")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    src = tmp_path / "x.py"
    src.write_text("def f():\n    from .trio import run\n    import pinnace.loop\n"
                   "    __import__('pinnace._run')\n")  # fmt: skip
    assert imported(src) == [(2, "trio"), (3, "loop"), (4, "_run")]


def test_no_source_file_is_over_400_lines() -> None:
    long = [
        f"{p.relative_to(REPO)}: {n} lines"
        for d in SOURCE_DIRS
        for p in sorted(d.rglob("*"))
        if p.suffix in (".py", ".c", ".h", ".ts") and (n := len(p.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, "split these by job:\n" + "\n".join(long)
