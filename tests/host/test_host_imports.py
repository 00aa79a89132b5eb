"""Python callables as wasm imports: typing, exceptions, Caller."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

import pinnace_host
from pinnace_host import Caller, i64

from .host_helpers import HostLog

CALLS_HOST = """
(module
  (import "env" "scale" (func $scale (param i64 f64) (result f64)))
  (import "env" "pair" (func $pair (param i32) (result i32 i32)))
  (import "env" "peek" (func $peek (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "\\2a")
  (func (export "scale") (param i64 f64) (result f64) (call $scale (local.get 0) (local.get 1)))
  (func (export "pair_sum") (param i32) (result i32)
    (call $pair (local.get 0)) (i32.add))
  (func (export "peek") (param i32) (result i32) (call $peek (local.get 0))))
"""


def test_annotated_imports(lib: pinnace_host.Module, host_log: HostLog) -> None:
    assert lib.exports.greet("wasm") == 2 * len("hello, wasm")
    assert host_log.messages == ["hello, wasm"]  # a str parameter arrives as (ptr, len)


def test_annotations_and_explicit_signatures() -> None:
    seen: list[object] = []

    def scale(value: i64, factor: float) -> float:
        seen.append((value, factor))
        return value * factor

    def peek(caller: Caller, ptr: int) -> int:
        assert caller.memory is not None
        return caller.memory.read(ptr, 1)[0]

    module = pinnace_host.load(
        CALLS_HOST,
        imports={
            "env": {
                "scale": scale,
                "pair": (lambda x: (x, x + 1), "i32 -> (i32, i32)"),
                "peek": peek,
            }
        },
    )
    assert module.exports.scale(2**40, 0.5) == 2**39
    assert seen == [(2**40, 0.5)]
    assert module.exports.pair_sum(10) == 21
    assert module.exports.peek(8) == 42


def test_exception_reaches_the_caller_with_its_traceback(lib_wasm: Path, host_log: HostLog) -> None:
    def failing_twice(x: int) -> int:
        raise LookupError(f"no double for {x}")

    module = pinnace_host.load(
        lib_wasm, imports={"env": {"log": host_log.log, "twice": failing_twice}}
    )
    with pytest.raises(LookupError, match="no double for 8") as info:
        module.exports.greet("x")
    text = "".join(traceback.format_exception(info.value))
    assert "failing_twice" in text and 'raise LookupError(f"no double for {x}")' in text
    assert "_trampoline" not in text and "_wt_store" not in text  # our machinery stays hidden
    notes = getattr(info.value, "__notes__", [])
    assert any("host function called by greet()" in n and "greet" in n for n in notes)
    assert module.exports.add(1, 2) == 3  # the module is still usable
    with pytest.raises(LookupError):
        module.exports.greet("y")


def test_exception_through_the_slow_path(lib_wasm: Path) -> None:
    def bad_log(message: str) -> None:
        raise KeyError(message)

    module = pinnace_host.load(lib_wasm, imports={"env": {"log": bad_log, "twice": HostLog.twice}})
    with pytest.raises(KeyError, match="hello, str"):
        module.exports.greet("str")  # str argument: the checked path


def test_wrong_result_from_host_function(lib_wasm: Path, host_log: HostLog) -> None:
    imports = {"env": {"log": host_log.log, "twice": (lambda x: "two", "i32 -> i32")}}
    module = pinnace_host.load(lib_wasm, imports=imports)
    with pytest.raises(TypeError, match=r"import env.twice returned 'two', expected i32"):
        module.exports.greet("x")


def test_unannotated_import_needs_a_signature(lib_wasm: Path, host_log: HostLog) -> None:
    with pytest.raises(TypeError, match="import env.twice: parameter 'x'.*has no annotation"):
        pinnace_host.load(lib_wasm, imports={"env": {"log": host_log.log, "twice": lambda x: x}})


def test_missing_import_is_a_link_error(lib_wasm: Path, host_log: HostLog) -> None:
    with pytest.raises(pinnace_host.LinkError, match="imports env.twice") as info:
        pinnace_host.load(lib_wasm, imports={"env": {"log": host_log.log}})
    assert info.value.missing == (("env", "twice"),)


def test_wrong_import_type_is_a_link_error(lib_wasm: Path, host_log: HostLog) -> None:
    def twice(x: float) -> float:
        return x

    with pytest.raises(pinnace_host.LinkError, match="twice"):
        pinnace_host.load(lib_wasm, imports={"env": {"log": host_log.log, "twice": twice}})
