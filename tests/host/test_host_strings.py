"""The str/bytes convention: alloc/dealloc exports, (ptr, len) arguments, lifted results."""

from __future__ import annotations

import pytest

import pinnace_host

from .host_helpers import wat


def test_str_in_str_out(lib: pinnace_host.Module) -> None:
    assert lib.exports.upper("hello, wasm", returns=str) == "HELLO, WASM"
    assert lib.call("upper", "grüße", returns=str) == "GRüßE"  # UTF-8 in and out
    assert lib.exports.upper("", returns=str) == ""


def test_bytes_and_mixed_arguments(lib: pinnace_host.Module) -> None:
    assert lib.exports.count_byte(b"abracadabra", ord("a")) == 5
    assert lib.exports.count_byte(bytearray(b"xx"), ord("x")) == 2
    assert lib.exports.count_byte(memoryview(b"\0\0\1"), 0) == 2
    assert lib.exports.concat("foo", b"bar", returns=bytes) == b"foobar"
    assert lib.exports.concat("é", "!", returns=str) == "é!"


def test_buffers_are_freed() -> None:
    bump = pinnace_host.load(wat("bump"))
    assert bump.exports.length("four") == 4
    assert bump.exports.live() == 0  # the argument buffer was freed after the call
    assert bump.exports.echo(b"\x00\xffdata", returns=bytes) == b"\x00\xffdata"  # (i32, i32) result
    assert bump.exports.live() == 0  # the result buffer was freed after lifting
    assert bump.exports.echo("text", returns=str) == "text"
    assert bump.exports.live() == 0


def test_malloc_free_spelling() -> None:
    module = pinnace_host.load(wat("mallocfree"))
    assert module.exports.copy("packed i64", returns=str) == "packed i64"
    assert module.exports.frees() == 2  # the argument and the result


def test_raw_numbers_still_work(lib: pinnace_host.Module) -> None:
    memory = lib.memory
    assert memory is not None
    ptr = lib.exports.alloc(3)
    memory.write(ptr, b"aXa")
    assert lib.exports.count_byte(ptr, 3, ord("a")) == 2
    lib.exports.dealloc(ptr, 3)


def test_str_without_allocator_is_a_type_error() -> None:
    module = pinnace_host.load(wat("numbers"))
    with pytest.raises(TypeError, match=r"sum\(\): passing str/bytes needs the module to export"):
        module.exports.sum("abc")


def test_str_where_a_number_is_expected(lib: pinnace_host.Module) -> None:
    with pytest.raises(
        TypeError, match=r"add\(\) expects \(i32, i32\) -> i32: takes 2 wasm arguments, got 3"
    ):
        lib.exports.add(1, "x")
    with pytest.raises(TypeError, match=r"half\(\) expects.*takes 1 wasm arguments, got 2"):
        lib.exports.half("x")


def test_bad_returns(lib: pinnace_host.Module) -> None:
    with pytest.raises(TypeError, match="returns must be str or bytes"):
        lib.exports.upper("x", returns=int)
    with pytest.raises(
        TypeError,
        match=r"count_byte\(\) expects \(i32, i32, i32\) -> i32: returns=str needs the export to return an i64",
    ):
        lib.exports.count_byte("abc", 1, returns=str)
