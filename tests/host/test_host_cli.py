"""``pinnace host call|run|exports`` through pinnace_host.cli.main and python -m pinnace_host."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pinnace_host
from pinnace_host.cli import main

from .host_helpers import MODULES


def test_call_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    numbers = str(MODULES / "numbers.wat")
    assert main(["call", numbers, "add", "2", "40"]) == 0
    assert capsys.readouterr().out == "42\n"
    assert main(["call", numbers, "divmod", "17", "5"]) == 0
    assert capsys.readouterr().out == "3 2\n"
    assert main(["call", numbers, "ident32", "-5"]) == 0
    assert capsys.readouterr().out == "-5\n"
    assert main(["call", numbers, "swap", "0x10", "1.5"]) == 0
    assert capsys.readouterr().out == "1.5 16\n"


def test_call_strings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", str(MODULES / "bump.wat"), "echo", "some text", "--returns", "str"]) == 0
    assert capsys.readouterr().out == "some text\n"


def test_call_errors(capsys: pytest.CaptureFixture[str], lib_wasm: Path) -> None:
    numbers = str(MODULES / "numbers.wat")
    assert main(["call", numbers, "add", "1"]) == 2
    assert "add() expects (i32, i32) -> i32" in capsys.readouterr().err
    assert main(["call", numbers, "nope"]) == 2
    assert "no function export 'nope'" in capsys.readouterr().err
    assert main(["call", str(lib_wasm), "add", "1", "2"]) == 1
    assert "LinkError" in capsys.readouterr().err
    assert main(["call", str(MODULES / "limits.wat"), "loop_forever", "--fuel", "1000"]) == 1
    assert "OutOfFuel" in capsys.readouterr().err
    assert main(["call", str(MODULES / "limits.wat"), "loop_forever", "--timeout", "0.05"]) == 1
    assert "Timeout" in capsys.readouterr().err
    assert main(["bogus"]) == 2


def test_run(capfd: pytest.CaptureFixture[str], cmd_wasm: Path, tmp_path: Path) -> None:
    assert main(["run", str(cmd_wasm), "--", "echo", "from", "cli"]) == 0
    assert capfd.readouterr().out == "from\ncli\n"
    assert main(["run", str(cmd_wasm), "--", "exit", "4"]) == 4
    assert main(["run", "--env", "K=v", str(cmd_wasm), "--", "env", "K"]) == 0
    assert capfd.readouterr().out == "v\n"
    (tmp_path / "in.txt").write_text("granted")
    assert main(["run", "--dir", f"/in={tmp_path}", str(cmd_wasm), "--", "read", "/in/in.txt"]) == 0
    assert capfd.readouterr().out == "granted"
    assert (
        main(["run", "--dir", f"/in={tmp_path}", str(cmd_wasm), "--", "write", "/in/o", "x"]) == 2
    )
    assert (
        main(["run", "--dir", f"/in={tmp_path}:rw", str(cmd_wasm), "--", "write", "/in/o", "x"])
        == 0
    )
    assert (tmp_path / "o").read_text() == "x"
    assert main(["run", "--backend", "wasmer", str(cmd_wasm), "--", "echo", "w"]) == 0
    assert capfd.readouterr().out.endswith("w\n")


def test_exports(capsys: pytest.CaptureFixture[str], lib_wasm: Path) -> None:
    assert main(["exports", str(lib_wasm)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "add(i32, i32) -> (i32)" in out and "imports env.log" in out
    assert main(["exports", str(MODULES / "numbers.wat")]) == 0
    assert "splat(i32) -> (v128 or reference)" in capsys.readouterr().out


def test_python_dash_m(cmd_wasm: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(pinnace_host.__file__).parents[1]))
    done = subprocess.run(
        [sys.executable, "-m", "pinnace_host", "run", str(cmd_wasm), "--", "exit", "3"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 3, done.stderr
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pinnace_host",
            "call",
            str(MODULES / "numbers.wat"),
            "add",
            "1",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert (done.returncode, done.stdout) == (0, "3\n")
