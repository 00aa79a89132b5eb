"""One program in a copy of the sandbox's interpreter (runtime/wasi/sandbox.c): what ``python -c
CODE`` or ``python FILE`` would do in a fresh process, in an interpreter started earlier.

The request (JSON, made by pinnace_host.python) gives the program, ``sys.argv``, the
environment and the folders to put first on ``sys.path``.  The return value is the exit
status; an uncaught exception is shown as CPython shows it (the program's frames only).
"""

import builtins
import json
import linecache
import os
import sys
import types

# Imported while the snapshot is made, from a folder granted only then: the copies' sys.path
# must not keep it.
_here = os.path.dirname(__file__)
if _here in sys.path:
    sys.path.remove(_here)
sys.path_importer_cache.pop(_here, None)


def run(request):
    r = json.loads(request)
    os.environ.clear()
    os.environ.update(r["env"])
    sys.path[:0] = r["path"]
    if "random" in sys.modules:  # a copy must not repeat the snapshot's random numbers
        sys.modules["random"].seed()
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    try:
        if r["code"] is not None:
            sys.argv[:] = ["-c", *r["args"]]
            sys.path.insert(0, "")
            # tracebacks show -c code's lines, as CPython's own -c does
            linecache.cache["<string>"] = (len(r["code"]), None, r["code"].splitlines(True), "<string>")
            code = compile(r["code"], "<string>", "exec")
        else:
            script = r["script"]
            sys.argv[:] = [script, *r["args"]]
            sys.path.insert(0, os.path.dirname(script))
            main.__file__ = script
            with open(script, "rb") as f:
                code = compile(f.read(), script, "exec")
        exec(code, main.__dict__)
        status = 0
    except SystemExit as e:
        status = _exit_status(e.code)
    except BaseException as e:
        tb = e.__traceback__.tb_next if e.__traceback__ else None  # not this runner's frame
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        status = 130 if isinstance(e, KeyboardInterrupt) else 1  # 130: a shell's "ended by SIGINT"
    return status  # then sandbox.c finalizes the interpreter: atexit, flushing, closing files


def _exit_status(code):
    """The status a POSIX parent sees for SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF if -(2**31) <= code < 2**31 else 1
    print(code, file=sys.stderr)
    return 1
