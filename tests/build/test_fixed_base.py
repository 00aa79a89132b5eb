"""fixed_base.py: the main module's bases and GOT globals become constants (binaryen's text form
of a module as wasm-ld and Emscripten link it), and dist/'s main module is so rewritten."""

from __future__ import annotations

import pytest

from pinnace_build import exports, fixed_base
from pinnace_build.cache import BuildError
from pinnace_build.paths import DIST

GLUE = ('var ___memory_base=new WebAssembly.Global({value:"i32",mutable:false},1024);'
        'var ___table_base=new WebAssembly.Global({value:"i32",mutable:false},1);')  # fmt: skip


def got_set(name: str, base: str, offset: int) -> str:
    return (f"  (global.set {name}\n   (i32.add\n    (global.get {base})\n    (i32.const {offset})\n"
            "   )\n  )")  # fmt: skip


WAT = "\n".join([
    "(module",
    ' (import "env" "__memory_base" (global $gimport$0 i32))',
    ' (import "env" "__table_base" (global $gimport$2 i32))',
    ' (import "GOT.mem" "elsewhere" (global $gimport$5 (mut i32)))',
    " (global $data (mut i32) (i32.const 0))",
    " (global $func (mut i32) (i32.const 0))",
    " (global $twice (mut i32) (i32.const 0))",
    " (global $shown (mut i32) (i32.const 0))",
    ' (data $0 (global.get $gimport$0) "abc")',
    ' (export "shown" (global $shown))',
    " (start $2)",
    " (func $2",
    got_set("$data", "$gimport$0", 40),
    got_set("$func", "$gimport$2", 7),
    got_set("$twice", "$gimport$0", 8),
    got_set("$shown", "$gimport$0", 12),
    got_set("$gimport$5", "$gimport$0", 16),
    " )",
    " (func $3",
    "  (global.set $twice (i32.const 0))",
    " )",
    ")",
])  # fmt: skip


def test_bases_and_got_globals_become_constants() -> None:
    bases = fixed_base.glue_bases(GLUE)
    assert bases == {"__memory_base": 1024, "__table_base": 1}
    out, folded = fixed_base.fix(WAT, bases)
    assert folded == 2
    assert " (global $data i32 (i32.const 1064))" in out and " (global $func i32 (i32.const 8))" in out
    assert '"__memory_base"' not in out and " (global $gimport$0 i32 (i32.const 1024))" in out
    assert ' (data $0 (i32.const 1024) "abc")' in out
    # set elsewhere too, exported (the dynamic linker reads it), or imported: left as they were
    assert " (global $twice (mut i32) (i32.const 0))" in out and got_set("$twice", "$gimport$0", 8) in out
    assert got_set("$shown", "$gimport$0", 12) in out and got_set("$gimport$5", "$gimport$0", 16) in out
    assert "$data\n" not in out.split(" (func $2", 1)[1]  # its set went


def test_a_glue_without_constant_bases_fails_the_build() -> None:
    with pytest.raises(BuildError, match="no constant __memory_base"):
        fixed_base.glue_bases("var ___memory_base=new WebAssembly.Global({value:'i32'},x);")


@pytest.mark.usefixtures("dist")
def test_dist_main_module_imports_no_bases() -> None:
    imported = exports.imported_symbols((DIST / "pinnace.asm.wasm").read_bytes())
    assert not set(fixed_base.BASES) & imported
    assert "__stack_pointer" in imported  # what the glue still gives it
