"""The profile runtime of the main module's PGO build (build/pinnace_build/pgo.py): compiler-rt's
lib/profile built for wasm32-emscripten counts what instrumented wasm code runs under node, and
LLVM's llvm-profdata reads what it writes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pinnace_build import pgo, toolchain
from pinnace_build import versions as V

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
