"""Loading from every kind of source and calling exports with numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import pinnace_host
from pinnace_host import Signature

from .host_helpers import MODULES, HostLog, wat


@pytest.fixture
def numbers() -> pinnace_host.Module:
    return pinnace_host.load(wat("numbers"))


def test_sources_path_str_bytes_wat(lib_wasm: Path, host_log: HostLog, tmp_path: Path) -> None:
    imports = host_log.imports()
    for source in (
        lib_wasm,
        str(lib_wasm),
        lib_wasm.read_bytes(),
        bytearray(lib_wasm.read_bytes()),
    ):
        assert pinnace_host.load(source, imports=imports).exports.add(2, 3) == 5
    assert pinnace_host.load(wat("numbers")).exports.add(2, 3) == 5
    assert pinnace_host.load(wat("numbers").encode()).exports.add(2, 3) == 5
    assert pinnace_host.load(MODULES / "numbers.wat").exports.add(2, 3) == 5


def test_numbers_convert_by_signature(lib: pinnace_host.Module) -> None:
    assert lib.exports.add(-7, 3) == -4
    assert lib.exports.mul64(2**40, 3) == 3 * 2**40
    assert lib.exports.half(3.0) == 1.5
    assert lib.exports.half(3) == 1.5  # an int is fine for a float parameter
    assert lib.exports.hypot2(3.0, 4.0) == 25.0
    assert lib.exports.noop() is None
    assert lib.call("add", 20, 22) == 42


def test_i32_range_and_unsigned_wrap(numbers: pinnace_host.Module) -> None:
    assert numbers.exports.ident32(2**32 - 1) == -1  # unsigned input wraps; results are signed
    assert numbers.exports.ident64(2**64 - 1) == -1
    assert numbers.exports.ident32(True) == 1
    with pytest.raises(OverflowError, match="ident32"):
        numbers.exports.ident32(2**32)
    with pytest.raises(OverflowError):
        numbers.exports.ident64(-(2**63) - 1)


def test_f32_rounds(numbers: pinnace_host.Module) -> None:
    assert numbers.exports.to_f32(0.1) == pytest.approx(0.1, rel=1e-7)
    assert numbers.exports.to_f32(0.1) != 0.1
    assert math.isinf(numbers.exports.to_f32(1e300))


def test_multi_value_results(numbers: pinnace_host.Module) -> None:
    assert numbers.exports.divmod(17, 5) == (3, 2)
    assert numbers.exports.swap(7, 2.5) == (2.5, 7)


def test_wrong_count_raises_type_error_naming_signature(lib: pinnace_host.Module) -> None:
    with pytest.raises(
        TypeError, match=r"add\(\) expects \(i32, i32\) -> i32: takes 2 wasm arguments, got 1"
    ):
        lib.exports.add(1)
    with pytest.raises(TypeError, match=r"add\(\) expects \(i32, i32\) -> i32"):
        lib.call("add", 1, 2, 3)


def test_wrong_type_raises_type_error(lib: pinnace_host.Module) -> None:
    with pytest.raises(
        TypeError, match=r"add\(\) expects \(i32, i32\) -> i32: argument 2 is float"
    ):
        lib.exports.add(1, 2.5)
    with pytest.raises(
        TypeError, match=r"mul64\(\) expects \(i64, i64\) -> i64: argument 1 is NoneType"
    ):
        lib.exports.mul64(None, 1)
    with pytest.raises(TypeError, match="half"):
        lib.exports.half([1.0])
    assert lib.exports.add(1, 2) == 3  # still fine afterwards


def test_signatures_are_resolved_once(lib: pinnace_host.Module) -> None:
    add = lib.exports.add
    assert lib.exports.add is add
    assert lib.exports["add"] is add
    assert add.signature == Signature(("i32", "i32"), ("i32",))
    assert str(lib.signature("mul64")) == "(i64, i64) -> i64"
    assert "add" in lib.exports and "nope" not in lib.exports
    assert {"add", "upper", "deep"} <= set(lib.exports)
    assert "add" in dir(lib.exports)


def test_unknown_export(lib: pinnace_host.Module) -> None:
    with pytest.raises(AttributeError, match="no function export 'nope'"):
        _ = lib.exports.nope
    with pytest.raises(AttributeError, match="nope"):
        lib.call("nope")


def test_unconvertible_export_is_unsupported(numbers: pinnace_host.Module) -> None:
    with pytest.raises(pinnace_host.Unsupported, match="splat.*only i32, i64, f32 and f64"):
        numbers.exports.splat(1)


def test_reactor_constructors_run(lib: pinnace_host.Module) -> None:
    assert lib.exports.initialized() == 42


def test_closed_module_refuses_calls(lib: pinnace_host.Module) -> None:
    add = lib.exports.add
    lib.close()
    with pytest.raises(ValueError, match="closed"):
        add(1, 2)


def test_signature_parse() -> None:
    assert Signature.parse("i32, i32 -> i64") == Signature(("i32", "i32"), ("i64",))
    assert Signature.parse("(f64) -> (i32, i32)") == Signature(("f64",), ("i32", "i32"))
    assert Signature.parse("->") == Signature((), ())
    with pytest.raises(ValueError, match="unknown parameter type"):
        Signature.parse("u8 -> i32")
    with pytest.raises(ValueError, match="->"):
        Signature.parse("i32")
