"""The main module at its fixed base: what position-independent code costs it, taken back.

Every object of a dynamic-linking main module is compiled ``-fPIC``, so the linked module reads
its memory and table bases from two imported globals (``__memory_base``, ``__table_base``), and
each address of its own data or functions that the code takes through the GOT is a mutable
global that the start function sets to base + offset.  binaryen can fold neither: to it they are
values known only at run time.  But Emscripten's glue gives the main module the same bases every
time (constants in the ``.mjs`` the same link wrote: 1024 and 1); only side modules get theirs
from ``malloc``.  So after the link (before binaryen's -O3), in binaryen's text form:

* the two imports become immutable globals holding the glue's constants (data and element
  segments take the constants as their offsets);
* each GOT global that the start function sets to ``base + constant``, that nothing else sets and
  that is not exported, becomes an immutable global holding that sum, and its set goes.

binaryen -O3 then folds them into the code, as a plain (non-dynamic) link would have them.
Exported globals (the addresses the dynamic linker hands to side modules) are untouched, and
the ``dylink.0`` section, which binaryen's text form does not carry, is put back first.
Measured in docs/benchmarks.md ("Build levers of the main module").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .cache import BuildError
from .wasm_snapshot import leb

BASES = ("__memory_base", "__table_base")


def glue_bases(glue: str) -> dict[str, int]:
    """The constant bases the glue gives the main module (a BuildError if it does not)."""
    found = {}
    for name in BASES:
        m = re.search(rf'{name}=new WebAssembly\.Global\(\{{value:"i32",mutable:false\}},(\d+)\)', glue)
        if m is None:
            raise BuildError(f"main-module: the glue sets no constant {name}; the fixed-base step needs a look")
        found[name] = int(m[1])
    return found


def fix(wat: str, bases: dict[str, int]) -> tuple[str, int]:
    """``wat`` (binaryen's text of the linked main module) with the bases and the GOT globals
    made constant; and how many GOT globals were."""
    lines = wat.split("\n")
    names = {}  # binaryen's name of each base's imported global -> its value
    for i, line in enumerate(lines):
        m = re.fullmatch(r' \(import "env" "(__memory_base|__table_base)" \(global (\$\S+) i32\)\)', line)
        if m:
            names[m[2]] = bases[m[1]]
            lines[i] = ""
    if sorted(names.values()) != sorted(bases.values()):
        raise BuildError("main-module: the wasm does not import both bases; the fixed-base step needs a look")
    text = "\n".join(lines)
    exported = set(re.findall(r'\(export "[^"]+" \(global (\$\S+)\)\)', text))
    defined = set(re.findall(r"^ \(global (\$\S+) \(mut i32\) \(i32\.const -?\d+\)\)$", text, re.M))
    set_count: dict[str, int] = {}
    for m in re.finditer(r"\(global\.set (\$[^\s)]+)", text):
        set_count[m[1]] = set_count.get(m[1], 0) + 1
    start = re.search(r"^ \(start (\$\S+)\)$", text, re.M)
    if start is None:
        raise BuildError("main-module: no start function; the fixed-base step needs a look")
    body_at = next(i for i, line in enumerate(lines)
                   if line == f" (func {start[1]}" or line.startswith(f" (func {start[1]} "))  # fmt: skip
    body_end = lines.index(" )", body_at)
    got: dict[str, int] = {}
    body = lines[body_at + 1 : body_end]
    kept: list[str] = []
    j = 0
    while j < len(body):
        found = _base_plus_constant(body[j : j + 6], names)
        if found and found[0] in defined and set_count.get(found[0]) == 1 and found[0] not in exported:
            got[found[0]] = found[1]
            j += 6
        else:
            kept.append(body[j])
            j += 1
    lines[body_at + 1 : body_end] = kept
    for i, line in enumerate(lines):
        m = re.fullmatch(r" \(global (\$\S+) \(mut i32\) \(i32\.const -?\d+\)\)", line)
        if m and m[1] in got:
            lines[i] = f" (global {m[1]} i32 (i32.const {got[m[1]]}))"
        elif line.startswith((" (data ", " (elem ")):  # offsets: constants, not global reads
            for name, value in names.items():
                line = line.replace(f"(global.get {name})", f"(i32.const {value})")
            lines[i] = line
    # the bases as globals of the module, before its first own global (imports come first)
    first = next(i for i, line in enumerate(lines) if line.startswith(" (global "))
    lines[first:first] = [f" (global {name} i32 (i32.const {value}))" for name, value in names.items()]
    return "\n".join(lines), len(got)


def _base_plus_constant(chunk: list[str], bases: dict[str, int]) -> tuple[str, int] | None:
    """``(global.set $g (i32.add (global.get $base) (i32.const C)))`` as binaryen prints it."""
    if len(chunk) != 6 or chunk[1:2] != ["   (i32.add"] or chunk[4:] != ["   )", "  )"]:
        return None
    g = re.fullmatch(r"  \(global\.set (\$\S+)", chunk[0])
    b = re.fullmatch(r"    \(global\.get (\$\S+)\)", chunk[2])
    c = re.fullmatch(r"    \(i32\.const (-?\d+)\)", chunk[3])
    if g and b and c and b[1] in bases:
        return g[1], bases[b[1]] + int(c[1])
    return None


def dylink_section(wasm: bytes) -> bytes:
    """The module's first section, which must be ``dylink.0`` (a BuildError if it is not)."""
    size, payload_at = leb(wasm, 9)
    if wasm[8] != 0 or wasm[payload_at : payload_at + 9] != b"\x08dylink.0":
        raise BuildError("main-module: its first section is not dylink.0")
    return wasm[8 : payload_at + size]


def apply(wasm: Path, glue: Path, run: Callable[[list[str]], object], binaryen_bin: Path,
          features: list[str]) -> int:  # fmt: skip
    """Rewrite ``wasm`` in place (``run`` runs a command); how many GOT globals became constant."""
    dylink = dylink_section(wasm.read_bytes())
    wat = wasm.with_suffix(".wat")
    run([str(binaryen_bin / "wasm-dis"), *features, str(wasm), "-o", str(wat)])
    fixed, count = fix(wat.read_text(), glue_bases(glue.read_text()))
    wat.write_text(fixed)
    run([str(binaryen_bin / "wasm-as"), *features, str(wat), "-o", str(wasm)])
    wat.unlink()
    data = wasm.read_bytes()
    wasm.write_bytes(data[:8] + dylink + data[8:])
    return count
