"""The ``pinnace`` command line: toolchain, builds, serving, and running Python under node."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence

from . import progress

#: The output options (see progress.py), given before the command or after it
OUTPUT_FLAGS = ("-q", "--quiet", "-v", "--verbose")


def _output_options(p: argparse.ArgumentParser, default: object) -> None:
    """-q/--quiet and -v/--verbose on ``p``; the subcommands' copies default to SUPPRESS so
    that they keep what was given before the subcommand."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("-q", "--quiet", dest="level", action="store_const", const=progress.QUIET,
                   default=default, help="only warnings and errors")  # fmt: skip
    g.add_argument("-v", "--verbose", dest="level", action="store_const", const=progress.VERBOSE,
                   default=default, help="also the commands that steps run, and their output")  # fmt: skip


def _toolchain(args: argparse.Namespace) -> int:
    from . import toolchain

    if args.action == "install":
        installed = toolchain.install()
        progress.log(f"toolchain ready: EM_CONFIG={installed.config}")
        return 0
    if args.action == "env":
        found = toolchain.find()
        if found is None:
            print(f"toolchain not installed; run: {toolchain.INSTALL}", file=sys.stderr)
            return 1
        env = found.env({"PATH": "$PATH"})
        print(f"export EM_CONFIG={env['EM_CONFIG']}")
        print(f"export PATH={env['PATH']}")
        return 0
    from . import doctor

    return doctor.main()


def _build(args: argparse.Namespace) -> int:
    if args.what == "cpython":
        from . import cpython

        built = cpython.build(rebuild=args.rebuild)
        progress.log(f"cpython ready: {built.builddir}")
        return 0
    if args.what == "cpython-wasi":
        from . import cpython_wasi, wasi_sandbox

        wasi = cpython_wasi.build(rebuild=args.rebuild)
        dest = cpython_wasi.copy_to(wasi)
        snapshot = wasi_sandbox.build() / wasi_sandbox.SNAPSHOT
        shutil.copy2(snapshot, dest / wasi_sandbox.SNAPSHOT)
        progress.log(f"cpython-wasi ready: {dest / 'python.wasm'} with its stdlib in "
                     f"{dest / cpython_wasi.STDLIB_DIR} and the started interpreter "
                     f"{dest / wasi_sandbox.SNAPSHOT} (built in {wasi})")  # fmt: skip
        return 0
    if args.what == "dist":
        from . import dist

        dist.build()
        return 0
    if args.what == "npm":
        from . import npm

        npm.build()
        return 0
    if args.what == "packages":
        from . import packages

        names = [n for n in args.names if n != "all"]
        packages.build(names or None, jobs=args.jobs)
        return 0
    raise AssertionError(args.what)


def _serve(args: argparse.Namespace) -> int:
    from . import serve

    return serve.main(args)


def _python(argv: list[str]) -> int:
    from . import node_python

    return node_python.main(argv)


def _host(argv: list[str]) -> int:
    from pinnace_host import cli

    code: int = cli.main(argv)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `pinnace python ...` and `pinnace host ...` pass everything after them through untouched.
    lead = next((i for i, a in enumerate(argv) if a not in OUTPUT_FLAGS), len(argv))
    if argv[lead : lead + 1] in (["python"], ["host"]):  # output options before them: no-ops
        return (_python if argv[lead] == "python" else _host)(argv[lead + 1 :])

    p = argparse.ArgumentParser(
        prog="pinnace", description="Pinnace: CPython for WebAssembly",
        epilog="Progress bars are drawn when stderr is a terminal, plain [pinnace] lines "
               "otherwise; PINNACE_PROGRESS=bars|plain|auto chooses.",
    )  # fmt: skip
    _output_options(p, progress.NORMAL)
    common = argparse.ArgumentParser(add_help=False)
    _output_options(common, argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("toolchain", parents=[common], help="the pinned Emscripten toolchain")
    t.add_argument("action", choices=["install", "env", "doctor"])
    t.set_defaults(func=_toolchain)

    b = sub.add_parser("build", parents=[common],
                       help="build CPython (Emscripten or WASI), packages from recipes, or assemble dist/")  # fmt: skip
    b.add_argument("what", choices=["cpython", "cpython-wasi", "dist", "packages", "npm"])
    b.add_argument("names", nargs="*", help="packages: recipe names (default: all)")
    b.add_argument(
        "--rebuild",
        action="store_true",
        help="cpython, cpython-wasi: redo the cross build even if cached (configure cache and ccache still apply)",
    )
    b.add_argument(
        "--jobs", "-j", type=int, default=None,
        help="packages: how many builds run side by side (default: $PINNACE_BUILD_JOBS, else 2)",
    )  # fmt: skip
    b.set_defaults(func=_build)

    s = sub.add_parser("serve", parents=[common], help="serve a directory on 127.0.0.1")
    s.add_argument("directory", nargs="?", default=".")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument(
        "--isolation",
        action="store_true",
        help="send COOP/COEP headers (needed for SharedArrayBuffer)",
    )
    s.add_argument("--cors", action="store_true",
                   help="send Access-Control-Allow-Origin: * (pages of other origins may load the files)")
    s.set_defaults(func=_serve)

    sub.add_parser("python", help="run the wasm CPython under node (pinnace python -c CODE | FILE)")
    sub.add_parser("host", help="call wasm modules server-side (pinnace host call|run ...)")

    args = p.parse_args(argv)
    try:
        progress.configure(args.level)
    except ValueError as e:
        p.error(str(e))
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
