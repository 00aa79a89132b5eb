"""The error hierarchy and limits: every failure is reported, and the host stays usable."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

import pinnace_host
from pinnace_host import Limits

from .host_helpers import HostLog, wat


def test_hierarchy() -> None:
    for error in (
        pinnace_host.InvalidModule,
        pinnace_host.LinkError,
        pinnace_host.Trap,
        pinnace_host.OutOfFuel,
        pinnace_host.Timeout,
        pinnace_host.MemoryLimitExceeded,
        pinnace_host.Unsupported,
        pinnace_host.Exit,
    ):
        assert issubclass(error, pinnace_host.WasmError)
    for error in (pinnace_host.OutOfFuel, pinnace_host.Timeout, pinnace_host.MemoryLimitExceeded):
        assert issubclass(error, pinnace_host.LimitExceeded)
    assert pinnace_host.Trap.__module__ == "pinnace_host"


def test_invalid_module() -> None:
    with pytest.raises(pinnace_host.InvalidModule, match="invalid wasm module"):
        pinnace_host.load(b"\0asm\x01\0\0\0\x01\xff")
    with pytest.raises(pinnace_host.InvalidModule, match="invalid WAT text"):
        pinnace_host.load('(module (func (export "f") (i32.add)))x')
    with pytest.raises(pinnace_host.InvalidModule, match="neither a wasm binary"):
        pinnace_host.load(b"\x89PNG....")


def test_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "not.wasm"
    path.write_bytes(b"\x7fELF")
    with pytest.raises(pinnace_host.InvalidModule, match="not a wasm binary"):
        pinnace_host.load(path)
    with pytest.raises(FileNotFoundError):
        pinnace_host.load(tmp_path / "missing.wasm")


def test_trap_deep_in_a_call_chain(lib: pinnace_host.Module) -> None:
    with pytest.raises(pinnace_host.Trap) as info:
        lib.exports.deep(1)
    trap = info.value
    assert trap.code == "unreachable"
    names = [frame.function for frame in trap.frames]
    assert names[:4] == ["level3", "level2", "level1", "deep"]
    assert "level3" in trap.wasm_backtrace and "level3" in str(trap)
    assert "deep() trapped: wasm `unreachable` instruction executed" in str(trap)
    text = "".join(traceback.format_exception(trap))
    assert "_wt_store" not in text and "_module.py" not in text
    assert lib.exports.deep(-5) == (((-5 + 2) * 3) * 5) + 1  # same module, next call fine


def test_trap_codes(lib: pinnace_host.Module) -> None:
    with pytest.raises(pinnace_host.Trap, match="integer divide by zero") as info:
        lib.exports.divide(1, 0)
    assert info.value.code == "integer_division_by_zero"
    with pytest.raises(pinnace_host.Trap) as info:
        lib.exports.divide(-(2**31), -1)
    assert info.value.code == "integer_overflow"


def test_trap_in_start_function() -> None:
    with pytest.raises(pinnace_host.Trap, match="instantiating module.wat trapped") as info:
        pinnace_host.load(wat("start_trap"))
    assert info.value.code == "unreachable"


def test_timeout_stops_an_endless_loop(lib_wasm: Path, host_log: HostLog) -> None:
    module = pinnace_host.load(lib_wasm, imports=host_log.imports(), limits=Limits(timeout=0.1))
    with pytest.raises(pinnace_host.Timeout, match=r"spin\(\) exceeded Limits.timeout=0.1s"):
        module.exports.spin(1)
    assert module.exports.add(2, 2) == 4  # each call gets a fresh deadline
    with pytest.raises(TimeoutError):  # Timeout is also a TimeoutError
        module.exports.spin(2)


def test_timeout_on_wat_loop() -> None:
    module = pinnace_host.load(wat("limits"), limits=Limits(timeout=0.05))
    with pytest.raises(pinnace_host.Timeout):
        module.exports.loop_forever()


def test_fuel_stops_an_endless_loop(lib_wasm: Path, host_log: HostLog) -> None:
    module = pinnace_host.load(lib_wasm, imports=host_log.imports(), limits=Limits(fuel=50_000))
    with pytest.raises(
        pinnace_host.OutOfFuel, match=r"spin\(\) ran out of fuel \(Limits.fuel=50000\)"
    ):
        module.exports.spin(1)
    assert module.exports.work(1000) == sum(range(1000))  # fuel is refilled for each call
    with pytest.raises(pinnace_host.OutOfFuel):
        module.exports.work(10**7)


def test_fuel_and_timeout_together() -> None:
    module = pinnace_host.load(wat("limits"), limits=Limits(fuel=10**12, timeout=0.05))
    with pytest.raises(pinnace_host.Timeout):
        module.exports.loop_forever()
    module = pinnace_host.load(wat("limits"), limits=Limits(fuel=10_000, timeout=30))
    with pytest.raises(pinnace_host.OutOfFuel):
        module.exports.loop_forever()


def test_memory_growth_past_the_limit_in_c(lib_wasm: Path, host_log: HostLog) -> None:
    limit = 4 * 1024 * 1024
    module = pinnace_host.load(lib_wasm, imports=host_log.imports(), limits=Limits(memory=limit))
    with pytest.raises(pinnace_host.MemoryLimitExceeded, match="a memory.grow was refused") as info:
        module.exports.hog(64 * 1024)  # malloc until NULL, then abort()
    assert isinstance(info.value.__cause__, pinnace_host.Trap)
    assert module.memory is not None and module.memory.size <= limit
    assert module.exports.add(1, 1) == 2


def test_memory_growth_past_the_limit_in_wat() -> None:
    module = pinnace_host.load(wat("limits"), limits=Limits(memory=8 * 65536))
    with pytest.raises(pinnace_host.MemoryLimitExceeded):
        module.exports.grow_until_refused()
    assert module.memory is not None and module.memory.pages == 8
    with pytest.raises(pinnace_host.MemoryLimitExceeded, match="Limits.memory is 524288 bytes"):
        module.memory.grow(1)


def test_trap_far_below_the_memory_limit_stays_a_trap(
    lib: pinnace_host.Module, lib_wasm: Path, host_log: HostLog
) -> None:
    module = pinnace_host.load(lib_wasm, imports=host_log.imports(), limits=Limits(memory=64 << 20))
    with pytest.raises(pinnace_host.Trap) as info:
        module.exports.deep(1)
    assert not isinstance(info.value, pinnace_host.MemoryLimitExceeded)


def test_initial_memory_over_the_limit() -> None:
    with pytest.raises(pinnace_host.MemoryLimitExceeded, match="initial memory is larger"):
        pinnace_host.load(wat("big_memory"), limits=Limits(memory=1 << 20))
    assert pinnace_host.load(wat("big_memory"), limits=Limits(memory=4 << 20)).memory is not None


def test_limits_validation() -> None:
    with pytest.raises(ValueError, match="fuel"):
        Limits(fuel=0)
    with pytest.raises(ValueError, match="timeout"):
        Limits(timeout=-1)
    with pytest.raises(ValueError, match="memory"):
        Limits(memory=0)


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown backend 'v8'"):
        pinnace_host.load(wat("numbers"), backend="v8")


def test_everything_stays_usable_after_each_error(lib_wasm: Path, host_log: HostLog) -> None:
    bystander = pinnace_host.load(wat("numbers"))
    limited = pinnace_host.load(
        lib_wasm, imports=host_log.imports(), limits=Limits(fuel=100_000, memory=4 << 20)
    )

    def boom(x: int) -> int:
        raise RuntimeError("host failure")

    raising = pinnace_host.load(lib_wasm, imports={"env": {"log": host_log.log, "twice": boom}})
    failures = [
        (pinnace_host.InvalidModule, lambda: pinnace_host.load(b"\0asm\x01\0\0\0\xff")),
        (pinnace_host.LinkError, lambda: pinnace_host.load(lib_wasm)),
        (pinnace_host.Trap, lambda: limited.exports.deep(1)),
        (pinnace_host.OutOfFuel, lambda: limited.exports.spin(0)),
        (pinnace_host.MemoryLimitExceeded, lambda: limited.exports.hog(1 << 16)),
        (RuntimeError, lambda: raising.exports.greet("x")),
        (
            pinnace_host.Unsupported,
            lambda: pinnace_host.run(wat("numbers"), backend="wasmer", limits=Limits(fuel=1)),
        ),
    ]
    for expected, action in failures:
        with pytest.raises(expected):
            action()
        assert bystander.exports.add(1, 2) == 3
        assert limited.exports.add(3, 4) == 7
        assert raising.exports.add(5, 6) == 11
