"""The main module's PGO + LTO build (build/pinnace_build/pgo.py): compiler-rt's lib/profile
built for wasm32-emscripten counts what instrumented wasm code runs under node, LLVM's
llvm-profdata reads what it writes, and dist/'s main module is the link of the build that read
the training's profile."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pinnace_build import cpython, exports, link, pgo, toolchain
from pinnace_build import versions as V
from pinnace_build.paths import DIST

PROGRAM = """\
#include <stdio.h>
int twice(int x) { return 2 * x; }
int main(void) {
    int s = 0;
    for (int i = 0; i < 37; i++) s += twice(i);
    printf("%d\\n", s);
    return 0;
}
"""


# a static program, and a position-independent main module like Pinnace's (where wasm-ld moves
# each function's relative counter offset by the module's memory base: pgo.PATCHES)
@pytest.mark.parametrize("link", [[], ["-fPIC", "-sMAIN_MODULE=2"]], ids=["static", "main-module"])
def test_instrumented_wasm_counts_calls_and_llvm_profdata_reads_them(tmp_path: Path, link: list[str]) -> None:
    tc = toolchain.require()
    (tmp_path / "p.c").write_text(PROGRAM)
    subprocess.run([str(tc.emcc), "-O2", "-fprofile-instr-generate", *link, "p.c", str(pgo.runtime(tc)),
                    "-sNODERAWFS=1", "-sEXIT_RUNTIME=1", "-o", "p.js"],
                   cwd=tmp_path, env=tc.env(), check=True, capture_output=True)  # fmt: skip
    run = subprocess.run(["node", "p.js"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == str(sum(2 * i for i in range(37)))
    raw = tmp_path / "default.profraw"  # Emscripten's getenv does not see LLVM_PROFILE_FILE here
    assert raw.is_file()
    shown = subprocess.run([str(Path(V.LLVM_ROOT) / "llvm-profdata"), "show", "--all-functions",
                            "--counts", str(raw)], capture_output=True, text=True, check=True)  # fmt: skip
    counts = dict(re.findall(r"^  (\w+):\n(?:    .*\n)*?    Function count: (\d+)$", shown.stdout, re.M))
    assert counts == {"twice": "37", "main": "1"}


@pytest.mark.usefixtures("dist")
def test_dist_main_module_is_linked_from_the_profiled_lto_build() -> None:
    tc = toolchain.require()
    plain = cpython.find(tc)
    assert plain is not None, "the plain CPython build is not in the cache"
    profile = pgo.profile_step(tc).path / "cpython.profdata"
    summary = subprocess.run([str(Path(V.LLVM_ROOT) / "llvm-profdata"), "show", str(profile)],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    functions = int(re.search(r"Total functions: (\d+)", summary)[1])  # type: ignore[index]
    assert functions > 10_000  # the training ran CPython, not a stub
    optimised = cpython.wasm_step(tc, pgo.optimised_opt(profile))
    assert optimised.is_built()
    assert (optimised.path / "Python" / "ceval.o").read_bytes()[:4] == b"BC\xc0\xde"  # LTO: bitcode
    build = cpython.WasmBuild(optimised.path, plain.srcdir)
    linked = link.step(tc, build, exports.needed_by(DIST), api_from=plain).path / "pinnace.asm.wasm"
    assert linked.read_bytes() == (DIST / "pinnace.asm.wasm").read_bytes()
