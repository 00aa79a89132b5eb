"""The entry points: ``load``, ``run`` and ``arun``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._backends import check_backend
from ._limits import Limits
from ._module import CancelToken, Module, run_off_loop
from ._source import ModuleBytes, Source, read_source
from ._travel import Origin, origin_of
from ._wasi import Completed, Wasi

Imports = Mapping[str, Mapping[str, Any]]
Cache = bool | str | os.PathLike[str]


def _cache_arg(cache: Cache) -> bool | Path:
    return cache if isinstance(cache, bool) else Path(cache)


def load(
    source: Source,
    *,
    backend: str = "wasmtime",
    wasi: Wasi | None = None,
    limits: Limits | None = None,
    imports: Imports | None = None,
    cache: Cache = True,
) -> Module:
    """Compile (or fetch from the cache) and instantiate a wasm module.

    ``source`` is a path, wasm bytes or WAT text. ``imports`` maps import module -> name ->
    a Python callable (typed by its annotations) or ``(callable, "i32, i32 -> i32")``.
    ``wasi`` grants a WASI module its arguments, environment, stdin and directories (a module
    that imports WASI gets an empty grant when ``wasi`` is None). ``cache`` is True (the default
    directory), False, or a directory.
    """
    check_backend(backend)
    module = read_source(source)
    limits = limits or Limits()
    return instantiate(origin_of(source, module, backend, wasi, limits, imports or {}, _cache_arg(cache)), module)


def instantiate(origin: Origin, module: ModuleBytes) -> Module:
    """Instantiate ``module`` as ``origin`` says (load, and unpickling a Module)."""
    cache = origin.cache if isinstance(origin.cache, bool) else Path(origin.cache)
    if origin.backend == "wasmer":
        from ._backends import wasmer

        instance = wasmer.load(module, wasi=origin.wasi, limits=origin.limits, imports=origin.imports)
        return Module(instance, origin)
    from ._backends import wasmtime

    instance = wasmtime.load(module, wasi=origin.wasi, limits=origin.limits, imports=origin.imports, cache=cache)
    return Module(instance, origin)


def _wasi_for(args: Sequence[str] | None, wasi: Wasi | None) -> Wasi:
    if isinstance(args, str):
        raise TypeError("args must be a list of strings, not a str")
    if wasi is None:
        return Wasi(args=tuple(args or ()))
    return wasi if args is None else dataclasses.replace(wasi, args=tuple(args))


@dataclasses.dataclass(frozen=True)
class _RunRequest:
    module: ModuleBytes
    wasi: Wasi
    limits: Limits
    imports: Imports


def _request(
    source: Source,
    args: Sequence[str] | None,
    wasi: Wasi | None,
    backend: str,
    limits: Limits | None,
    imports: Imports | None,
) -> _RunRequest:
    check_backend(backend)
    return _RunRequest(
        read_source(source), _wasi_for(args, wasi), limits or Limits(), imports or {}
    )


def _run(request: _RunRequest, backend: str, cache: Cache, token: CancelToken | None) -> Completed:
    if backend == "wasmer":
        from ._backends import wasmer

        return wasmer.run(
            request.module, wasi=request.wasi, limits=request.limits, imports=request.imports
        )
    from ._backends import wasmtime

    return wasmtime.run(
        request.module,
        wasi=request.wasi,
        limits=request.limits,
        imports=request.imports,
        cache=_cache_arg(cache),
        token=token,
    )


def run(
    source: Source,
    args: Sequence[str] | None = None,
    *,
    backend: str = "wasmtime",
    wasi: Wasi | None = None,
    limits: Limits | None = None,
    imports: Imports | None = None,
    cache: Cache = True,
) -> Completed:
    """Run a WASI command module (its ``_start``) and return its exit code and output.

    ``args`` are the arguments after the program name (they replace ``wasi.args`` if both are
    given). Output is captured unless ``wasi=Wasi(capture_output=False)``.
    """
    return _run(_request(source, args, wasi, backend, limits, imports), backend, cache, None)


async def arun(
    source: Source,
    args: Sequence[str] | None = None,
    *,
    backend: str = "wasmtime",
    wasi: Wasi | None = None,
    limits: Limits | None = None,
    imports: Imports | None = None,
    cache: Cache = True,
) -> Completed:
    """``run`` for asyncio: the module runs on a worker thread (wasmer-sdk: natively async);
    cancelling the awaiting task interrupts it."""
    check_backend(backend)
    if backend == "wasmer":
        from ._backends import wasmer

        request = _request(source, args, wasi, backend, limits, imports)
        return await wasmer.arun(
            request.module, wasi=request.wasi, limits=request.limits, imports=request.imports
        )
    token = CancelToken()

    def work() -> Completed:  # reading and compiling happen off the loop too
        return _run(_request(source, args, wasi, backend, limits, imports), backend, cache, token)

    return await run_off_loop(work, token, "arun")  # type: ignore[no-any-return]
