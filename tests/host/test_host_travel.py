"""Modules that travel: a pinnace_host.Module pickled to worker processes (a process pool, a
Dask LocalCluster with real worker processes) and `.wasm` files imported like extension modules
(docs/host.md#modules-that-travel, #wasm-as-an-import)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import wasmtime

import pinnace_host
from pinnace_host import importer

from .host_helpers import wat

LIMITED = pinnace_host.Limits(fuel=1_000_000)


def call(module: pinnace_host.Module, name: str, *args: object) -> tuple[object, str]:
    """In a worker process: call an export of the module it was sent; the result and where
    the module's compiled code came from."""
    return module.call(name, *args), module.cache_status


def bump_twice(module: pinnace_host.Module) -> int:
    module.exports.alloc(8)
    return int(module.exports.alloc(8))


@pytest.fixture
def numbers_file(tmp_path: Path) -> Path:
    path = tmp_path / "numbers.wasm"
    path.write_bytes(bytes(wasmtime.wat2wasm(wat("numbers"))))
    return path


def test_a_module_pickles_as_its_code_and_settings_not_its_state() -> None:
    bump = pinnace_host.load(wat("bump"), limits=LIMITED)
    first = bump_twice(bump)
    copy = pickle.loads(pickle.dumps(bump))
    assert bump_twice(copy) == first  # a fresh instance: the allocator starts over
    assert bump_twice(bump) > first
    assert copy.cache_status == "memory"  # compiled once in this process
    with pytest.raises(pinnace_host.OutOfFuel):
        pickle.loads(pickle.dumps(pinnace_host.load(wat("limits"), limits=LIMITED))).exports.loop_forever()


def test_a_module_from_a_file_pickles_as_its_path_and_digest(numbers_file: Path) -> None:
    module = pinnace_host.load(numbers_file)
    data = pickle.dumps(module)
    assert len(data) < numbers_file.stat().st_size + 200 and str(numbers_file) .encode() in data
    assert pickle.loads(data).exports.add(2, 3) == 5
    numbers_file.write_bytes(bytes(wasmtime.wat2wasm(wat("bump"))))
    with pytest.raises(pinnace_host.InvalidModule, match="has changed since it was loaded"):
        pickle.loads(data)
    numbers_file.unlink()
    with pytest.raises(pinnace_host.InvalidModule, match="cannot be read here"):
        pickle.loads(data)


def test_an_import_that_is_a_lambda_cannot_travel() -> None:
    module = pinnace_host.load('(module (import "env" "f" (func (param i32))) (func (export "g")))',
                               imports={"env": {"f": (lambda x: None, "i32 -> ")}})  # fmt: skip
    with pytest.raises((pickle.PicklingError, AttributeError), match="lambda"):
        pickle.dumps(module)


@pytest.fixture(scope="module")
def pool() -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    # spawn: fresh interpreters, as on macOS and Windows and as a cluster's workers are
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as p:
        yield p


def test_modules_go_to_a_process_pool_and_limits_hold_there(pool: concurrent.futures.ProcessPoolExecutor,
                                                             numbers_file: Path) -> None:  # fmt: skip
    numbers = pinnace_host.load(wat("numbers"))
    results = list(pool.map(call, [numbers] * 20, ["add"] * 20, range(20), range(20)))
    assert [r for r, _ in results] == [2 * i for i in range(20)]
    # compiled by this process first: the workers read the compiled code from the disk cache
    assert {status for _, status in results} <= {"disk", "memory"}
    assert pool.submit(call, pinnace_host.load(numbers_file), "add", 40, 2).result()[0] == 42
    limited = pinnace_host.load(wat("limits"), limits=LIMITED)
    with pytest.raises(pinnace_host.OutOfFuel):
        pool.submit(call, limited, "loop_forever").result()
    trap = pool.submit(call, limited, "grow_until_refused").exception()
    assert isinstance(trap, pinnace_host.Trap) and trap.code == "unreachable" and trap.frames


def test_modules_go_to_a_dask_cluster() -> None:
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is in the dev extras")
    numbers = pinnace_host.load(wat("numbers"))
    limited = pinnace_host.load(wat("limits"), limits=LIMITED)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        futures = client.map(call, [numbers] * 200, ["add"] * 200, range(200), [1] * 200, pure=False)
        assert [r for r, _ in client.gather(futures)] == [i + 1 for i in range(200)]
        workers = client.run(lambda: __import__("os").getpid())
        assert len(set(workers.values())) == 2  # two real processes
        with pytest.raises(pinnace_host.OutOfFuel):
            client.submit(call, limited, "loop_forever", pure=False).result()


@pytest.fixture
def on_path(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    before = set(sys.modules)
    try:
        yield tmp_path
    finally:
        importer.uninstall()
        sys.path.remove(str(tmp_path))
        for name in set(sys.modules) - before:
            del sys.modules[name]


def test_import_finds_a_wasm_file_on_sys_path(on_path: Path) -> None:
    (on_path / "fastmath.wasm").write_bytes(bytes(wasmtime.wat2wasm(wat("numbers"))))
    (on_path / "pkg").mkdir()
    (on_path / "pkg" / "__init__.py").write_text("")
    (on_path / "pkg" / "bumper.wasm").write_bytes(bytes(wasmtime.wat2wasm(wat("bump"))))
    (on_path / "broken.wasm").write_bytes(b"\0asm\x01\0\0\0garbage")
    with pytest.raises(ModuleNotFoundError):
        import fastmath
    importer.install(limits=LIMITED)
    import fastmath

    assert fastmath.add(2, 3) == 5 and fastmath.divmod(17, 5) == (3, 2)
    assert isinstance(fastmath.__wasm__, pinnace_host.Module) and fastmath.memory is not None
    assert "add" in fastmath.__all__ and fastmath.__file__ == str(on_path / "fastmath.wasm")
    from pkg import bumper

    assert bumper.echo("text", returns=str) == "text"
    with pytest.raises(pinnace_host.InvalidModule):
        import broken  # noqa: F401
    importer.uninstall()
    (on_path / "later.wasm").write_bytes(bytes(wasmtime.wat2wasm(wat("numbers"))))
    with pytest.raises(ModuleNotFoundError):
        import later  # noqa: F401
