"""The wasmer backend: wasmer-sdk for WASI commands; the old wasmer package where importable."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

import pinnace_host
from pinnace_host import Limits, Wasi

from .host_helpers import wat


def _old_wasmer_importable() -> bool:
    if importlib.util.find_spec("wasmer") is None:
        return False
    try:
        import wasmer  # noqa: F401
    except ImportError:
        return False
    return True


OLD_WASMER = _old_wasmer_importable()
needs_old_wasmer = pytest.mark.skipif(
    not OLD_WASMER,
    reason="the old `wasmer` package has real wheels only up to Python 3.10; here it is absent "
    "or a placeholder that fails to import",
)


def test_run_command(cmd_wasm: Path) -> None:
    done = pinnace_host.run(cmd_wasm, ["echo", "via", "wasmer"], backend="wasmer")
    assert done == pinnace_host.Completed(0, b"via\nwasmer\n", b"")


def test_env_stdin_exit_code(cmd_wasm: Path) -> None:
    done = pinnace_host.run(cmd_wasm, ["env", "X"], backend="wasmer", wasi=Wasi(env={"X": "y"}))
    assert done.stdout == b"y\n"
    done = pinnace_host.run(cmd_wasm, ["cat"], backend="wasmer", wasi=Wasi(stdin=b"in"))
    assert done.stdout == b"in"
    assert pinnace_host.run(cmd_wasm, ["exit", "5"], backend="wasmer").exit_code == 5


def test_same_result_as_wasmtime(cmd_wasm: Path) -> None:
    for args in (["echo", "a", "b c"], ["exit", "9"], ["bogus"]):
        assert pinnace_host.run(cmd_wasm, args, backend="wasmer") == pinnace_host.run(
            cmd_wasm, args
        )


def test_no_file_access(cmd_wasm: Path, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("host file")
    done = pinnace_host.run(cmd_wasm, ["read", str(tmp_path / "f.txt")], backend="wasmer")
    assert done.exit_code == 2 and done.stdout == b""


def test_timeout(cmd_wasm: Path) -> None:
    with pytest.raises(pinnace_host.Timeout, match="wasmer"):
        pinnace_host.run(cmd_wasm, ["spin"], backend="wasmer", limits=Limits(timeout=0.2))


def test_invalid_module_and_trap() -> None:
    with pytest.raises(pinnace_host.InvalidModule, match="wasmer"):
        pinnace_host.run(b"\0asm\x01\0\0\0\x01", backend="wasmer")
    trapping = '(module (memory (export "memory") 1) (func (export "_start") unreachable))'
    with pytest.raises(pinnace_host.Trap, match="unreachable") as info:
        pinnace_host.run(trapping, backend="wasmer")
    assert info.value.code == "unreachable"


def test_arun(cmd_wasm: Path) -> None:
    async def main() -> pinnace_host.Completed:
        return await pinnace_host.arun(cmd_wasm, ["echo", "aio"], backend="wasmer")

    assert asyncio.run(main()).stdout == b"aio\n"


def test_run_inside_a_running_loop(cmd_wasm: Path) -> None:
    async def main() -> pinnace_host.Completed:
        return pinnace_host.run(cmd_wasm, ["echo", "nested"], backend="wasmer")

    assert asyncio.run(main()).stdout == b"nested\n"


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"wasi": Wasi(dirs={"/data": "."})}, "directory grants"),
        ({"limits": Limits(fuel=10)}, "Limits.fuel"),
        ({"limits": Limits(memory=1 << 20)}, "Limits.memory"),
        ({"imports": {"env": {"f": (print, "->")}}}, "Python imports"),
    ],
)
def test_unsupported_run_options(cmd_wasm: Path, kwargs: dict[str, object], what: str) -> None:
    with pytest.raises(
        pinnace_host.Unsupported, match=f"backend 'wasmer'.*{what}.*backend='wasmtime'"
    ):
        pinnace_host.run(cmd_wasm, ["echo"], backend="wasmer", **kwargs)  # type: ignore[arg-type]


@pytest.mark.skipif(OLD_WASMER, reason="the old wasmer package is importable here")
def test_load_needs_old_wasmer() -> None:
    with pytest.raises(pinnace_host.Unsupported) as info:
        pinnace_host.load(wat("numbers"), backend="wasmer")
    message = str(info.value)
    assert "old `wasmer` package" in message and "Python 3.10" in message
    assert "backend='wasmtime'" in message and "backend='wasmer'" in message


@needs_old_wasmer
def test_old_wasmer_exports_and_memory() -> None:
    module = pinnace_host.load(wat("numbers"), backend="wasmer")
    assert module.backend == "wasmer"
    assert module.exports.add(2, 3) == 5
    assert module.exports.divmod(17, 5) == (3, 2)
    memory = module.memory
    assert memory is not None
    memory.write(0, b"\x01\x02")
    assert module.exports.sum(0, 2) == 3
    with pytest.raises(TypeError, match="add"):
        module.exports.add(1)


@needs_old_wasmer
def test_old_wasmer_unsupported_limits() -> None:
    with pytest.raises(pinnace_host.Unsupported, match="backend='wasmtime'"):
        pinnace_host.load(wat("numbers"), backend="wasmer", limits=Limits(fuel=10))
