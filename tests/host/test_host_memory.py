"""Module.memory: read, write, the zero-copy view, size and grow."""

from __future__ import annotations

import pytest

import pinnace_host
from pinnace_host import PAGE_SIZE

from .host_helpers import wat


@pytest.fixture
def numbers() -> pinnace_host.Module:
    return pinnace_host.load(wat("numbers"))


def test_read_write(numbers: pinnace_host.Module) -> None:
    memory = numbers.memory
    assert memory is not None
    memory.write(100, b"\x01\x02\x03")
    assert memory.read(100, 3) == b"\x01\x02\x03"
    assert numbers.exports.sum(100, 3) == 6
    memory.write(200, bytearray(b"ab"))
    memory.write(202, memoryview(b"cd"))
    assert memory.read(200, 4) == b"abcd"
    assert memory.read(0, 0) == b""


def test_out_of_bounds(numbers: pinnace_host.Module) -> None:
    memory = numbers.memory
    assert memory is not None
    with pytest.raises(IndexError, match="out of bounds"):
        memory.read(PAGE_SIZE - 1, 2)
    with pytest.raises(IndexError, match="out of bounds"):
        memory.write(PAGE_SIZE, b"x")
    with pytest.raises(IndexError):
        memory.read(-1, 1)


def test_view_is_zero_copy(numbers: pinnace_host.Module) -> None:
    memory = numbers.memory
    assert memory is not None
    view = memory.view
    assert view.format == "B" and not view.readonly and len(view) == PAGE_SIZE
    view[10:13] = b"\x05\x06\x07"  # written through the view, seen by wasm
    assert numbers.exports.sum(10, 3) == 18
    memory.write(20, b"\x09")  # written by the host, seen through the same view
    assert view[20] == 9
    assert memory.view is view  # unchanged memory: the same view


def test_view_refreshes_after_growth(numbers: pinnace_host.Module) -> None:
    memory = numbers.memory
    assert memory is not None
    before = memory.view
    assert memory.size == PAGE_SIZE and memory.pages == 1 and len(memory) == PAGE_SIZE
    assert numbers.exports.grow(1) == 1  # grown by the guest
    after = memory.view
    assert after is not before and len(after) == 2 * PAGE_SIZE
    assert memory.grow(1) == 2  # grown by the host; returns the previous size in pages
    assert memory.pages == 3 and memory.size == 3 * PAGE_SIZE
    assert len(memory.view) == 3 * PAGE_SIZE
    memory.write(3 * PAGE_SIZE - 1, b"z")
    assert memory.read(3 * PAGE_SIZE - 1, 1) == b"z"


def test_grow_past_module_maximum(numbers: pinnace_host.Module) -> None:
    memory = numbers.memory
    assert memory is not None
    with pytest.raises(
        pinnace_host.MemoryLimitExceeded, match="cannot grow memory from 1 by 10 pages"
    ):
        memory.grow(10)  # the module declares at most 4 pages
    assert memory.pages == 1
    with pytest.raises(ValueError):
        memory.grow(-1)


def test_read_cstring(numbers: pinnace_host.Module) -> None:
    memory = numbers.memory
    assert memory is not None
    memory.write(50, b"hi\0there")
    assert memory.read_cstring(50) == b"hi"
    with pytest.raises(ValueError, match="no NUL"):
        memory.read_cstring(53, limit=3)


def test_module_without_memory() -> None:
    module = pinnace_host.load('(module (func (export "f")))')
    assert module.memory is None
