"""pinnace_host: load and call WebAssembly modules from server-side Python.

    import pinnace_host
    mod = pinnace_host.load("parser.wasm")
    mod.exports.add(2, 3)

See docs/host.md for the string/bytes convention, WASI grants, limits, errors and backends.
"""

from ._api import arun, load, run
from ._errors import (
    Exit,
    Frame,
    InvalidModule,
    LimitExceeded,
    LinkError,
    MemoryLimitExceeded,
    OutOfFuel,
    Timeout,
    Trap,
    Unsupported,
    WasmError,
)
from ._limits import Limits
from ._memory import PAGE_SIZE, Memory
from ._module import Export, Module
from ._types import Caller, Signature, f32, f64, i32, i64
from ._wasi import Completed, Dir, Wasi

__all__ = [
    "PAGE_SIZE",
    "Caller",
    "Completed",
    "Dir",
    "Exit",
    "Export",
    "Frame",
    "InvalidModule",
    "LimitExceeded",
    "Limits",
    "LinkError",
    "Memory",
    "MemoryLimitExceeded",
    "Module",
    "OutOfFuel",
    "Signature",
    "Timeout",
    "Trap",
    "Unsupported",
    "Wasi",
    "WasmError",
    "arun",
    "f32",
    "f64",
    "i32",
    "i64",
    "load",
    "run",
]

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("pinnace_host."):
        _obj.__module__ = "pinnace_host"  # tracebacks and reprs name the public path
