"""Build-time check: every BLAS/LAPACK routine SciPy's f2py modules call matches, in wasm
types, the routine libopenblas.so defines.

f2py modules (scipy.linalg._flapack, _fblas, ...) call Fortran routines through function
pointers taken from their routine tables, so wasm-ld's shared-library signature check never
sees those calls: a prototype with another number of arguments (SciPy passes gfortran's hidden
string lengths to ?gees, the C translation of LAPACK takes none) links, and traps at run time
("null function or function signature mismatch").  This reads every `extern ... F_FUNC(...)`
prototype in the C files f2py generated and compares it with the type libopenblas.so exports
for that symbol; any difference fails the build.

    python3 check_blas_lapack_calls.py BUILD_DIR LIBOPENBLAS_SO

Run by the scipy recipe's build.post (meta.yaml).  Exit status 1 and a list of the differences
when there are any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROTO = re.compile(r"extern\s+([\w\s\*]+?)\s*F_FUNC(?:_US)?\((\w+),\s*\w+\)\s*\(([^;]*)\);")


def _leb(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i


def _name(data: bytes, i: int) -> tuple[str, int]:
    n, i = _leb(data, i)
    return data[i : i + n].decode(), i + n


VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}


def exported_types(path: Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Export name -> (param types, result types) of a wasm module's exported functions."""
    data = path.read_bytes()
    types: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    func_types: list[int] = []  # imported functions first, then the module's own
    exports: dict[str, int] = {}
    i = 8
    while i < len(data):
        sid = data[i]
        size, j = _leb(data, i + 1)
        end = j + size
        if sid == 1:  # types
            count, k = _leb(data, j)
            for _ in range(count):
                k += 1  # 0x60
                n, k = _leb(data, k)
                params = tuple(VALTYPES.get(b, "?") for b in data[k : k + n])
                k += n
                n, k = _leb(data, k)
                results = tuple(VALTYPES.get(b, "?") for b in data[k : k + n])
                k += n
                types.append((params, results))
        elif sid == 2:  # imports
            count, k = _leb(data, j)
            for _ in range(count):
                _, k = _name(data, k)
                _, k = _name(data, k)
                kind = data[k]
                k += 1
                if kind == 0:
                    t, k = _leb(data, k)
                    func_types.append(t)
                elif kind == 1:  # table: reftype, limits
                    flags, k = _leb(data, k + 1)
                    _, k = _leb(data, k)
                    if flags & 1:
                        _, k = _leb(data, k)
                elif kind == 2:  # memory: limits
                    flags, k = _leb(data, k)
                    _, k = _leb(data, k)
                    if flags & 1:
                        _, k = _leb(data, k)
                elif kind == 3:  # global: valtype, mutability
                    k += 2
                elif kind == 4:  # tag
                    _, k = _leb(data, k + 1)
        elif sid == 3:  # functions
            count, k = _leb(data, j)
            for _ in range(count):
                t, k = _leb(data, k)
                func_types.append(t)
        elif sid == 7:  # exports
            count, k = _leb(data, j)
            for _ in range(count):
                name, k = _name(data, k)
                kind = data[k]
                idx, k = _leb(data, k + 1)
                if kind == 0:
                    exports[name] = idx
        i = end
    return {name: types[func_types[idx]] for name, idx in exports.items()}


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments (function-pointer types keep their commas)."""
    args, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        args.append(cur.strip())
    return [] if args == ["void"] else args


def wasm_type(ctype: str) -> str:
    """How a C parameter or result type of these prototypes is passed in wasm32."""
    t = " ".join(ctype.split())
    if "*" in t or "(" in t:
        return "i32"
    if t in ("float",):
        return "f32"
    if t in ("double",):
        return "f64"
    if t in ("long long", "long long int", "int64_t"):
        return "i64"
    return "i32"  # int, F_INT, char, long (32-bit)


def expected(ret: str, args: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ret = " ".join(ret.replace("extern", "").split())
    results = () if ret == "void" else (wasm_type(ret),)
    return tuple(wasm_type(a) for a in _split_args(args)), results


def check(build_dir: Path, library: Path) -> list[str]:
    defined = exported_types(library)
    problems: dict[str, str] = {}
    seen = 0
    for source in sorted(build_dir.rglob("*.c")):
        text = source.read_text(errors="replace")
        if "F_FUNC" not in text:
            continue
        for ret, name, args in PROTO.findall(text):
            symbol = name + "_"
            if symbol not in defined:
                continue  # not a BLAS/LAPACK routine (SciPy's own Fortran-callable code)
            seen += 1
            want = expected(ret, args)
            if want != defined[symbol]:
                problems[f"{source.relative_to(build_dir)}: {symbol}"] = (
                    f"called as {_show(want)}, {library.name} defines {_show(defined[symbol])}"
                )
    if seen == 0:
        return [f"no f2py prototype of a {library.name} routine found under {build_dir}"]
    return [f"{where}: {what}" for where, what in problems.items()]


def _show(sig: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    params, results = sig
    return f"({', '.join(params)}) -> {results[0] if results else 'void'}"


def main(argv: list[str]) -> int:
    build_dir, library = Path(argv[0]), Path(argv[1])
    problems = check(build_dir, library)
    for p in problems:
        print(f"check_blas_lapack_calls: {p}", file=sys.stderr)
    if not problems:
        print(f"check_blas_lapack_calls: every f2py call of {library.name} matches its definition")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
