"""The ``pinnace`` command line: toolchain, builds, serving, and running Python under node."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _toolchain(args: argparse.Namespace) -> int:
    from . import toolchain

    if args.action == "install":
        installed = toolchain.install()
        print(f"toolchain ready: EM_CONFIG={installed.config}")
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

        cpython.build(rebuild=args.rebuild)
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
    if argv[:1] == ["python"]:
        return _python(argv[1:])
    if argv[:1] == ["host"]:
        return _host(argv[1:])

    p = argparse.ArgumentParser(prog="pinnace", description="Pinnace: CPython for WebAssembly")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("toolchain", help="the pinned Emscripten toolchain")
    t.add_argument("action", choices=["install", "env", "doctor"])
    t.set_defaults(func=_toolchain)

    b = sub.add_parser("build", help="build CPython, packages from recipes, or assemble dist/")
    b.add_argument("what", choices=["cpython", "dist", "packages", "npm"])
    b.add_argument("names", nargs="*", help="packages: recipe names (default: all)")
    b.add_argument(
        "--rebuild",
        action="store_true",
        help="redo the CPython cross build even if cached (configure cache and ccache still apply)",
    )
    b.add_argument(
        "--jobs", "-j", type=int, default=None,
        help="packages: how many builds run side by side (default: $PINNACE_BUILD_JOBS, else 2)",
    )  # fmt: skip
    b.set_defaults(func=_build)

    s = sub.add_parser("serve", help="serve a directory on 127.0.0.1")
    s.add_argument("directory", nargs="?", default=".")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument(
        "--isolation",
        action="store_true",
        help="send COOP/COEP headers (needed for SharedArrayBuffer)",
    )
    s.set_defaults(func=_serve)

    sub.add_parser("python", help="run the wasm CPython under node (pinnace python -c CODE | FILE)")
    sub.add_parser("host", help="call wasm modules server-side (pinnace host call|run ...)")

    args = p.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
