"""WASI: run() for commands, grants (nothing unless granted, read-only unless writable)."""

from __future__ import annotations

from pathlib import Path

import pytest

import pinnace_host
from pinnace_host import Dir, Limits, Wasi


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "hello.txt").write_text("hello from the host\n")
    (tmp_path / "secret.txt").write_text("outside the grant\n")
    return data


def test_args_and_output(cmd_wasm: Path) -> None:
    done = pinnace_host.run(cmd_wasm, ["echo", "one", "two words"])
    assert done == pinnace_host.Completed(0, b"one\ntwo words\n", b"")


def test_exit_code_and_stderr(cmd_wasm: Path) -> None:
    assert pinnace_host.run(cmd_wasm, ["exit", "7"]).exit_code == 7
    done = pinnace_host.run(cmd_wasm, ["bogus"])
    assert done.exit_code == 64 and done.stderr == b"unknown mode bogus\n"


def test_env_is_only_what_is_given(cmd_wasm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST_ONLY", "leak")
    assert pinnace_host.run(cmd_wasm, ["env", "HOST_ONLY"]).stdout == b"<unset>\n"
    done = pinnace_host.run(cmd_wasm, ["env", "GREETING"], wasi=Wasi(env={"GREETING": "hi"}))
    assert done.stdout == b"hi\n"


def test_stdin(cmd_wasm: Path) -> None:
    assert (
        pinnace_host.run(cmd_wasm, ["cat"], wasi=Wasi(stdin=b"piped\x00bytes")).stdout
        == b"piped\x00bytes"
    )
    assert pinnace_host.run(cmd_wasm, ["cat"]).stdout == b""  # empty unless given


def test_args_replace_wasi_args(cmd_wasm: Path) -> None:
    wasi = Wasi(args=["echo", "from-wasi"], env={"A": "1"})
    assert pinnace_host.run(cmd_wasm, wasi=wasi).stdout == b"from-wasi\n"
    assert pinnace_host.run(cmd_wasm, ["echo", "from-args"], wasi=wasi).stdout == b"from-args\n"
    with pytest.raises(TypeError, match="list of strings"):
        pinnace_host.run(cmd_wasm, "echo")  # type: ignore[arg-type]


def test_pass_through_output(cmd_wasm: Path, capfd: pytest.CaptureFixture[str]) -> None:
    done = pinnace_host.run(cmd_wasm, ["echo", "to the terminal"], wasi=Wasi(capture_output=False))
    assert done == pinnace_host.Completed(0, None, None)
    assert capfd.readouterr().out == "to the terminal\n"


def test_no_file_access_without_a_grant(cmd_wasm: Path, data_dir: Path) -> None:
    done = pinnace_host.run(cmd_wasm, ["read", str(data_dir / "hello.txt")])
    assert done.exit_code == 2 and b"open" in done.stderr


def test_granted_directory_is_readable(cmd_wasm: Path, data_dir: Path) -> None:
    done = pinnace_host.run(
        cmd_wasm, ["read", "/data/hello.txt"], wasi=Wasi(dirs={"/data": data_dir})
    )
    assert done == pinnace_host.Completed(0, b"hello from the host\n", b"")


def test_path_outside_the_grant_is_refused(cmd_wasm: Path, data_dir: Path) -> None:
    wasi = Wasi(dirs={"/data": str(data_dir)})
    for path in (
        "/data/../secret.txt",
        "/secret.txt",
        "/etc/passwd",
        str(data_dir.parent / "secret.txt"),
    ):
        done = pinnace_host.run(cmd_wasm, ["read", path], wasi=wasi)
        assert done.exit_code == 2, path
        assert done.stdout == b"" and b"open" in done.stderr


def test_grants_are_read_only_unless_writable(cmd_wasm: Path, data_dir: Path) -> None:
    done = pinnace_host.run(
        cmd_wasm, ["write", "/data/new.txt", "x"], wasi=Wasi(dirs={"/data": data_dir})
    )
    assert done.exit_code == 2 and not (data_dir / "new.txt").exists()
    writable = Wasi(dirs={"/data": Dir(data_dir, writable=True)})
    done = pinnace_host.run(cmd_wasm, ["write", "/data/new.txt", "written"], wasi=writable)
    assert done.exit_code == 0 and (data_dir / "new.txt").read_text() == "written"


def test_grant_must_exist(cmd_wasm: Path, tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        pinnace_host.run(cmd_wasm, ["echo"], wasi=Wasi(dirs={"/x": tmp_path / "missing"}))
    with pytest.raises(ValueError, match="must be absolute"):
        pinnace_host.run(cmd_wasm, ["echo"], wasi=Wasi(dirs={"x": tmp_path}))


def test_command_limits(cmd_wasm: Path) -> None:
    with pytest.raises(pinnace_host.Timeout):
        pinnace_host.run(cmd_wasm, ["spin"], limits=Limits(timeout=0.1))
    with pytest.raises(pinnace_host.OutOfFuel):
        pinnace_host.run(cmd_wasm, ["spin"], limits=Limits(fuel=1_000_000))


def test_load_a_command_and_call_start(cmd_wasm: Path) -> None:
    module = pinnace_host.load(cmd_wasm, wasi=Wasi(args=["exit", "3"]))
    with pytest.raises(pinnace_host.Exit) as info:
        module.exports._start()
    assert info.value.exit_code == 3
    module = pinnace_host.load(cmd_wasm, wasi=Wasi(args=["echo", "captured"]))
    module.exports._start()
    assert module.stdout == b"captured\n" and module.stderr == b""


def test_run_needs_a_command() -> None:
    with pytest.raises(pinnace_host.InvalidModule, match="no _start export"):
        pinnace_host.run('(module (func (export "f")))')


def test_trap_in_a_command() -> None:
    with pytest.raises(pinnace_host.Trap) as info:
        pinnace_host.run(
            '(module (memory (export "memory") 1) (func (export "_start") unreachable))'
        )
    assert info.value.code == "unreachable"
