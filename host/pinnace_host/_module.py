"""``Module``: a loaded, instantiated wasm module, and its callable exports."""

from __future__ import annotations

import asyncio
import concurrent.futures
import operator
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from ._abi import StringABI
from ._errors import WasmError
from ._memory import Memory
from ._types import Signature

if TYPE_CHECKING:
    from ._travel import Origin

STRINGLIKE = (str, bytes, bytearray, memoryview)
_RANGES = {"i32": (-(2**31), 2**32 - 1), "i64": (-(2**63), 2**64 - 1)}


class CancelToken:
    """Set by ``acall``/``arun`` when the awaiting task is cancelled; backends poll it."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class HostError(BaseException):
    """Internal carrier: a host function raised ``exc``; re-raised as ``exc`` at the call site."""

    def __init__(self, exc: BaseException, tb: TracebackType | None) -> None:
        super().__init__(exc)
        self.exc = exc
        self.tb = tb


class Instance(Protocol):
    """What a backend provides for one instantiated module."""

    @property
    def backend(self) -> str: ...
    @property
    def memory(self) -> Memory | None: ...
    @property
    def cache_status(self) -> str: ...
    @property
    def stdout(self) -> bytes | None: ...
    @property
    def stderr(self) -> bytes | None: ...

    def export(self, name: str) -> Export: ...
    def export_names(self) -> list[str]: ...
    def close(self) -> None: ...


class Export(ABC):
    """One exported function. Call it with Python numbers (and str/bytes, see docs/host.md)."""

    def __init__(self, instance: Instance, name: str, signature: Signature) -> None:
        self.instance = instance
        self.name = name
        self.signature = signature
        self._abi: StringABI | None = None

    def __repr__(self) -> str:
        return f"<wasm export {self.name}{self.signature}>"

    def __call__(self, *args: Any, returns: type | None = None) -> Any:
        return self.invoke(args, returns, None)

    def invoke(self, args: tuple[Any, ...], returns: type | None, token: CancelToken | None) -> Any:
        """Convert ``args``, call, lift the result; errors surface at the caller's frame."""
        try:
            return self._invoke(args, returns, token)
        except HostError as carrier:
            host: HostError | None = carrier
            wasm_error = None
        except WasmError as exc:
            host, wasm_error = None, exc
        if host is not None:
            raise host.exc.with_traceback(host.tb)
        assert wasm_error is not None
        raise wasm_error.with_traceback(None)

    def _string_abi(self) -> StringABI:
        if self._abi is None:
            inst = self.instance
            self._abi = StringABI(
                f"{self.name}",
                lambda name, args: inst.export(name)(*args),
                lambda name: name in inst.export_names(),
                inst.memory,
            )
        return self._abi

    def _invoke(
        self, args: tuple[Any, ...], returns: type | None, token: CancelToken | None
    ) -> Any:
        if returns is not None:
            if returns not in (str, bytes):
                raise TypeError(f"{self.name}(): returns must be str or bytes, not {returns!r}")
            if self.signature.results not in (("i64",), ("i32", "i32")):
                raise self._type_error(
                    f"returns={returns.__name__} needs the export to return an i64 "
                    "(ptr << 32 | len) or two i32 (ptr, len)"
                )
        values, lowered = self.convert(args)
        try:
            result = self._raw_call(values, token)
        finally:
            for ptr, size in lowered:
                self._string_abi().free(ptr, size)
        if returns is None:
            return result
        return self._string_abi().lift(result, returns)

    def _type_error(self, message: str) -> TypeError:
        return TypeError(f"{self.name}() expects {self.signature}: {message}")

    def convert(self, args: tuple[Any, ...]) -> tuple[list[int | float], list[tuple[int, int]]]:
        """Check ``args`` against the signature; lower str/bytes into guest memory."""
        params = self.signature.params
        slots = sum(2 if isinstance(a, STRINGLIKE) else 1 for a in args)
        if slots != len(params):
            extra = " (a str/bytes argument fills two: ptr, len)" if slots != len(args) else ""
            raise self._type_error(f"takes {len(params)} wasm arguments, got {slots}{extra}")
        values: list[int | float] = []
        pending: list[tuple[int, str | bytes | bytearray | memoryview]] = []
        for pos, arg in enumerate(args, start=1):
            kind = params[len(values)]
            if isinstance(arg, STRINGLIKE):
                if params[len(values) : len(values) + 2] != ("i32", "i32"):
                    raise self._type_error(
                        f"argument {pos} is {type(arg).__name__}, which "
                        "needs two i32 parameters (ptr, len) here"
                    )
                pending.append((len(values), arg))
                values.extend((0, 0))
            else:
                values.append(self._number(pos, kind, arg))
        lowered: list[tuple[int, int]] = []
        try:
            for index, value in pending:
                ptr, size = self._string_abi().lower(value)
                lowered.append((ptr, size))
                values[index], values[index + 1] = ptr, size
        except BaseException:
            for ptr, size in lowered:
                self._string_abi().free(ptr, size)
            raise
        return values, lowered

    def _number(self, pos: int, kind: str, arg: Any) -> int | float:
        if kind in _RANGES:
            if isinstance(arg, float) or not hasattr(arg, "__index__"):
                raise self._type_error(f"argument {pos} is {type(arg).__name__}, expected {kind}")
            value = operator.index(arg)
            low, high = _RANGES[kind]
            if not low <= value <= high:
                raise OverflowError(f"{self.name}(): argument {pos} = {value} does not fit {kind}")
            return value
        if isinstance(arg, (int, float)):
            return float(arg)
        raise self._type_error(f"argument {pos} is {type(arg).__name__}, expected {kind}")

    @abstractmethod
    def _raw_call(self, values: list[int | float], token: CancelToken | None) -> Any:
        """Call with checked wasm values; return None, a value, or a tuple of values."""


class Exports:
    """``module.exports.NAME`` is the callable export NAME (resolved once, then cached)."""

    def __init__(self, instance: Instance) -> None:
        self._instance = instance

    def __getattr__(self, name: str) -> Export:
        if name.startswith("__"):
            raise AttributeError(name)
        export = self._instance.export(name)
        self.__dict__[name] = export
        return export

    def __getitem__(self, name: str) -> Export:
        return self.__getattr__(name)

    def __contains__(self, name: object) -> bool:
        return name in self._instance.export_names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._instance.export_names())

    def __dir__(self) -> list[str]:
        return self._instance.export_names()


_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def executor() -> concurrent.futures.ThreadPoolExecutor:
    """The worker threads that ``acall``/``arun`` run wasm on (off the event loop)."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="pinnace-host")
        return _executor


def report_late_failure(
    loop: asyncio.AbstractEventLoop, future: concurrent.futures.Future[Any], what: str
) -> None:
    """After a cancelled await, hand any error other than the cancellation to the loop."""
    exc = future.exception()
    if exc is not None and not isinstance(exc, asyncio.CancelledError):
        loop.call_soon_threadsafe(
            loop.call_exception_handler,
            {"message": f"{what} failed after it was cancelled", "exception": exc},
        )


async def run_off_loop(func: Any, token: CancelToken, what: str) -> Any:
    """Run ``func()`` on a worker thread; on cancellation set ``token`` and re-raise."""
    loop = asyncio.get_running_loop()
    future = executor().submit(func)
    try:
        return await asyncio.wrap_future(future, loop=loop)
    except asyncio.CancelledError:
        token.cancel()
        future.add_done_callback(lambda f: report_late_failure(loop, f, what))
        raise


class Module:
    """A wasm module instantiated by ``pinnace_host.load``.

    - ``exports.NAME(*args)`` / ``call(NAME, *args)`` call an export; ``returns=str`` or
      ``returns=bytes`` lifts a (ptr, len) result (see docs/host.md).
    - ``memory`` is the exported linear memory (``None`` if the module exports none).
    - ``stdout``/``stderr`` hold WASI output captured so far (``None`` when not captured).
    - ``cache_status`` says where the compiled code came from: ``"memory"``, ``"disk"``,
      ``"compiled"`` (cache miss, now stored) or ``"off"``.
    """

    def __init__(self, instance: Instance, origin: Origin | None = None) -> None:
        self._instance = instance
        self._origin = origin
        self.exports = Exports(instance)

    def __reduce__(self) -> tuple[Any, tuple[Origin]]:
        """Pickled as its code and how it was loaded (docs/host.md#modules-that-travel); the
        other side gets a fresh instance, not this one's memory."""
        if self._origin is None:
            raise TypeError("this Module cannot be pickled: it was not made by pinnace_host.load")
        from ._travel import restore

        return restore, (self._origin,)

    @property
    def backend(self) -> str:
        return self._instance.backend

    @property
    def memory(self) -> Memory | None:
        return self._instance.memory

    @property
    def cache_status(self) -> str:
        return self._instance.cache_status

    @property
    def stdout(self) -> bytes | None:
        return self._instance.stdout

    @property
    def stderr(self) -> bytes | None:
        return self._instance.stderr

    def signature(self, name: str) -> Signature:
        """The wasm signature of export ``name``."""
        return self.exports[name].signature

    def call(self, name: str, *args: Any, returns: type | None = None) -> Any:
        """Call export ``name``: the same as ``module.exports.NAME(*args)``."""
        return self.exports[name].invoke(args, returns, None)

    async def acall(self, name: str, *args: Any, returns: type | None = None) -> Any:
        """Call export ``name`` on a worker thread; cancelling the task interrupts the wasm."""
        export = self.exports[name]
        token = CancelToken()
        return await run_off_loop(
            lambda: export.invoke(args, returns, token), token, f"{name}() on {self.backend}"
        )

    def close(self) -> None:
        """Release the instance (its memory and store). Exports must not be called afterwards."""
        self._instance.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        names = ", ".join(self._instance.export_names())
        return f"<pinnace_host.Module backend={self.backend} exports=[{names}]>"
