"""The wasmer backend.

- ``run``/``arun`` (WASI command modules) go through ``wasmer-sdk`` (maintained, asyncio based):
  arguments, environment, stdin, captured output and ``Limits.timeout``.
- ``load`` (exports and memory) needs the old ``wasmer`` package, which has real wheels only up
  to Python 3.10; on newer Pythons it is a placeholder that fails to import.

Everything else raises ``Unsupported`` naming the backend that can do it (wasmtime).
"""

from __future__ import annotations

import asyncio
import importlib
import re
import sys
import threading
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from .._cache import cache_root
from .._errors import InvalidModule, Timeout, Trap, Unsupported
from .._limits import Limits
from .._source import ModuleBytes
from .._wasi import Completed, Wasi

T = TypeVar("T")
USE_WASMTIME = "use backend='wasmtime', which supports it"


def _sdk() -> Any:
    try:
        import wasmer_sdk
    except ImportError as exc:
        raise Unsupported(
            "backend 'wasmer' runs commands through wasmer-sdk, which is not installed "
            f"(pip install 'pinnace[host-wasmer]'); or {USE_WASMTIME}"
        ) from exc
    return wasmer_sdk


def _check_run_request(wasi: Wasi, limits: Limits, imports: Mapping[str, Any]) -> None:
    what = []
    if imports:
        what.append("Python imports")
    if wasi.dirs:
        what.append("directory grants (Wasi.dirs)")
    if limits.fuel is not None:
        what.append("Limits.fuel")
    if limits.memory is not None:
        what.append("Limits.memory")
    if what:
        raise Unsupported(
            f"backend 'wasmer' (wasmer-sdk) cannot do {', '.join(what)} for a command; "
            + USE_WASMTIME
        )


def _trap(message: str) -> Trap:
    first = message.split("RuntimeError:", 1)[-1].strip()
    reason = first.splitlines()[0] if first else message
    code = re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_") or None
    return Trap(f"the command trapped (wasmer): {message.strip()}", code)


async def arun(
    module: ModuleBytes, *, wasi: Wasi, limits: Limits, imports: Mapping[str, Any]
) -> Completed:
    sdk = _sdk()
    _check_run_request(wasi, limits, imports)
    # wasmer-sdk keeps its cache in ./.wasmer unless told otherwise; keep it beside ours.
    async with sdk.Wasmer(cache_root=cache_root().parent / "wasmer-sdk") as client:
        try:
            package = await client.packages.load(module.wasm)
        except sdk.WasmerError as exc:
            raise InvalidModule(f"invalid wasm module (wasmer): {exc}") from None
        async with await client.sandboxes.create(packages=[package], env=dict(wasi.env)) as box:
            command = box.command(package, list(wasi.args))
            try:
                output = await command.run(
                    stdin=bytes(wasi.stdin), timeout=limits.timeout, check=False
                )
            except sdk.WasmerError as exc:
                if exc.code == "EXECUTION_ERROR" and "RuntimeError" in str(exc):
                    raise _trap(str(exc)) from None
                raise
    if output.reason is sdk.ExitReason.TIMEOUT:
        raise Timeout(f"{module.name} exceeded Limits.timeout={limits.timeout}s (wasmer)")
    stdout, stderr = output.stdout.bytes, output.stderr.bytes
    if not wasi.capture_output:
        sys.stdout.buffer.write(stdout)
        sys.stdout.flush()
        sys.stderr.buffer.write(stderr)
        sys.stderr.flush()
        return Completed(output.exit_code, None, None)
    return Completed(output.exit_code, stdout, stderr)


def _run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code, even inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="pinnace-host-wasmer")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    result: T = box["value"]
    return result


def run(
    module: ModuleBytes, *, wasi: Wasi, limits: Limits, imports: Mapping[str, Any]
) -> Completed:
    return _run_coroutine(arun(module, wasi=wasi, limits=limits, imports=imports))


def load(
    module: ModuleBytes, *, wasi: Wasi | None, limits: Limits, imports: Mapping[str, Any]
) -> Any:
    """Instantiate with the old ``wasmer`` package for exports and memory."""
    try:
        importlib.import_module("wasmer")
    except ImportError as exc:
        raise Unsupported(
            "backend 'wasmer' cannot load a module for its exports and memory here: that needs "
            "the old `wasmer` package, which has real wheels only up to Python 3.10 (this is "
            f"Python {sys.version_info.major}.{sys.version_info.minor}); wasmer-sdk runs only "
            "WASI commands (pinnace_host.run(..., backend='wasmer')). " + USE_WASMTIME
        ) from exc
    from ._wasmer_legacy import LegacyInstance

    return LegacyInstance(module, wasi=wasi, limits=limits, imports=imports)
