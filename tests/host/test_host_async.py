"""acall / arun: wasm runs off the event loop and can be cancelled."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

import pinnace_host

from .host_helpers import HostLog


def test_acall(lib: pinnace_host.Module) -> None:
    async def main() -> tuple[object, ...]:
        return tuple(
            await asyncio.gather(
                lib.acall("add", 1, 2),
                lib.acall("upper", "async", returns=str),
                lib.acall("mul64", 3, 4),
            )
        )

    assert asyncio.run(main()) == (3, "ASYNC", 12)


def test_acall_runs_off_the_loop(lib_wasm: Path) -> None:
    threads: list[str] = []

    def twice(x: int) -> int:
        threads.append(threading.current_thread().name)
        return 2 * x

    module = pinnace_host.load(lib_wasm, imports={"env": {"log": HostLog().log, "twice": twice}})

    async def main() -> int:
        result: int = await module.acall("greet", "loop")
        return result

    assert asyncio.run(main()) == 2 * len("hello, loop")
    assert threads and threads[0] != threading.main_thread().name


def test_acall_errors(lib: pinnace_host.Module) -> None:
    async def main() -> None:
        with pytest.raises(pinnace_host.Trap) as info:
            await lib.acall("deep", 1)
        assert info.value.frames[0].function == "level3"
        with pytest.raises(TypeError, match="add"):
            await lib.acall("add", 1)

    asyncio.run(main())


def test_cancelling_acall_interrupts_the_wasm(lib: pinnace_host.Module) -> None:
    async def main() -> None:
        task = asyncio.create_task(lib.acall("spin", 1))
        await asyncio.sleep(0.05)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        started = time.monotonic()
        assert await lib.acall("add", 40, 2) == 42  # the store is free again
        assert time.monotonic() - started < 30  # (not a timing assertion: it did not hang)

    asyncio.run(main())


def test_wait_for_timeout_on_acall(lib: pinnace_host.Module) -> None:
    async def main() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(lib.acall("spin", 1), 0.05)
        assert lib.exports.add(1, 1) == 2

    asyncio.run(main())


def test_arun(cmd_wasm: Path) -> None:
    async def main() -> pinnace_host.Completed:
        return await pinnace_host.arun(cmd_wasm, ["echo", "async"])

    assert asyncio.run(main()) == pinnace_host.Completed(0, b"async\n", b"")


def test_cancelling_arun(cmd_wasm: Path) -> None:
    async def main() -> None:
        task = asyncio.create_task(pinnace_host.arun(cmd_wasm, ["spin"]))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
