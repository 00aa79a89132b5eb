"""``pinnace host``: call a wasm module's export or run a WASI command from the shell.

    pinnace host call MODULE FUNC [ARGS...]      print FUNC(*ARGS)
    pinnace host run MODULE [-- ARGS...]          run a WASI command; exit with its code
    pinnace host exports MODULE                   list the exported functions and signatures

``main(argv)`` takes the arguments after ``host`` and returns the exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._api import load, run
from ._errors import InvalidModule, WasmError
from ._limits import Limits
from ._wasi import Dir, Wasi


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pinnace host", description="Call a wasm module's export or run a WASI command."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--backend", default="wasmtime", choices=("wasmtime", "wasmer"))
    common.add_argument("--fuel", type=int, help="fuel per call (about one unit an instruction)")
    common.add_argument("--timeout", type=float, help="seconds a call may take")
    common.add_argument("--memory", type=int, help="bytes the linear memory may grow to")
    common.add_argument("--no-cache", action="store_true", help="do not use the compile cache")
    common.add_argument(
        "--dir",
        action="append",
        default=[],
        metavar="GUEST=HOST[:rw]",
        help="grant a host directory (read-only unless :rw)",
    )
    common.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set an environment variable for a WASI module",
    )
    call = sub.add_parser("call", parents=[common], help="call an exported function")
    call.add_argument("module")
    call.add_argument("func")
    call.add_argument("args", nargs="*", help="ints, floats, or strings (passed as ptr, len)")
    call.add_argument(
        "--returns", choices=("str", "bytes"), help="lift a (ptr, len) result as str or bytes"
    )
    runp = sub.add_parser("run", parents=[common], help="run a WASI command (_start)")
    runp.add_argument("module")
    runp.add_argument("args", nargs="*", help="arguments after --")
    exports = sub.add_parser("exports", help="list exported functions and their signatures")
    exports.add_argument("module")
    py = sub.add_parser("python", parents=[common], help="run Python code in a sandbox (CPython for WASI)",
                        description="Run Python in a fresh sandbox: nothing granted but --dir, --file, "
                                    "--env, --package; standard input is passed in.")  # fmt: skip
    py.add_argument("-c", dest="code", help="the program, as a string")
    py.add_argument("args", nargs="*", help="FILE and its arguments (or, with -c, the arguments)")
    py.add_argument("--file", action="append", default=[], metavar="GUEST=HOST",
                    help="put the host file's bytes at a guest path (read-only)")  # fmt: skip
    py.add_argument("--package", action="append", default=[], metavar="NAME|WHEEL",
                    help="a pure-Python package of the build's lock, or a local .whl")  # fmt: skip
    return parser


def _argument(text: str) -> int | float | str:
    for convert in (lambda t: int(t, 0), float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _wasi(options: argparse.Namespace, args: Sequence[str] = ()) -> Wasi:
    dirs: dict[str, Dir] = {}
    for spec in options.dir:
        guest, sep, host = spec.partition("=")
        if not sep:
            raise ValueError(f"--dir {spec!r}: expected GUEST=HOST[:rw]")
        writable = host.endswith(":rw")
        dirs[guest] = Dir(host.removesuffix(":rw"), writable=writable)
    env = {}
    for spec in options.env:
        name, sep, value = spec.partition("=")
        if not sep:
            raise ValueError(f"--env {spec!r}: expected NAME=VALUE")
        env[name] = value
    return Wasi(args=tuple(args), env=env, dirs=dirs, capture_output=False)


def _limits(options: argparse.Namespace) -> Limits:
    return Limits(fuel=options.fuel, timeout=options.timeout, memory=options.memory)


def _print_result(result: Any) -> None:
    if result is None:
        return
    if isinstance(result, bytes):
        sys.stdout.buffer.write(result)
        sys.stdout.flush()
    elif isinstance(result, tuple):
        print(" ".join(str(v) for v in result))
    else:
        print(result)


def _call(options: argparse.Namespace) -> int:
    wasi = _wasi(options) if options.dir or options.env else None
    module = load(
        options.module,
        backend=options.backend,
        wasi=wasi,
        limits=_limits(options),
        cache=not options.no_cache,
    )
    returns = {"str": str, "bytes": bytes, None: None}[options.returns]
    args = [_argument(a) for a in options.args]
    _print_result(module.call(options.func, *args, returns=returns))
    return 0


def _run(options: argparse.Namespace) -> int:
    done = run(
        options.module,
        backend=options.backend,
        wasi=_wasi(options, options.args),
        limits=_limits(options),
        cache=not options.no_cache,
    )
    return done.exit_code


def _python(options: argparse.Namespace) -> int:
    from . import python

    if options.backend != "wasmtime":
        raise ValueError("pinnace host python runs on wasmtime only")
    if options.code is None and not options.args:
        raise ValueError("give -c CODE or a FILE")
    wasi = _wasi(options)
    files = {}
    for spec in options.file:
        guest, sep, host = spec.partition("=")
        if not sep:
            raise ValueError(f"--file {spec!r}: expected GUEST=HOST")
        files[guest] = Path(host).read_bytes()
    stdin = b"" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.buffer.read()
    given = {"stdin": stdin, "files": files, "dirs": wasi.dirs, "env": wasi.env,
             "limits": _limits(options), "packages": options.package}  # fmt: skip
    if options.code is not None:
        done = python.run(options.code, args=options.args, **given)
    else:
        done = python.run_file(options.args[0], args=options.args[1:], **given)
    sys.stdout.buffer.write(done.stdout or b"")
    sys.stdout.flush()
    sys.stderr.buffer.write(done.stderr or b"")
    sys.stderr.flush()
    return done.exit_code


def _exports(options: argparse.Namespace) -> int:
    import wasmtime  # listing needs no instance, so the module's imports need not be provided

    from ._backends.wasmtime import type_name
    from ._source import read_source

    try:
        compiled = wasmtime.Module(wasmtime.Engine(), read_source(options.module).wasm)
    except wasmtime.WasmtimeError as exc:
        raise InvalidModule(f"invalid wasm module: {exc}") from None
    for export in compiled.exports:
        ty = export.type
        if isinstance(ty, wasmtime.FuncType):
            params = ", ".join(type_name(p) for p in ty.params)
            results = ", ".join(type_name(r) for r in ty.results)
            print(f"{export.name}({params}) -> ({results})")
    for imp in compiled.imports:
        if isinstance(imp.type, wasmtime.FuncType):
            print(f"imports {imp.module}.{imp.name}")
    return 0


def main(argv: list[str]) -> int:
    """Run ``pinnace host`` with ``argv`` (the words after ``host``); return the exit status."""
    parser = _parser()
    try:
        options = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    handler = {"call": _call, "run": _run, "exports": _exports, "python": _python}[options.command]
    try:
        return handler(options)
    except WasmError as exc:
        print(f"pinnace host: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except (TypeError, ValueError, OverflowError, AttributeError, OSError) as exc:
        print(f"pinnace host: error: {exc}", file=sys.stderr)
        return 2
