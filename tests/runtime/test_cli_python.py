"""`pinnace python`: the wasm interpreter under node as a command-line Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.hosts import run_pinnace_python as run


@pytest.mark.usefixtures("dist")
class TestCommandLine:
    def test_dash_c_argv_and_exit_code(self) -> None:
        res = run(["-c", "import sys; print(sys.argv[1:]); sys.exit(7)", "a", "b c"])
        assert res.stdout == b"['a', 'b c']\n"
        assert res.returncode == 7

    def test_platform_is_emscripten(self) -> None:
        res = run(["-c", "import sys; print(sys.platform, sys.version_info[:3])"])
        assert res.stdout == b"emscripten (3, 13, 5)\n", res.stderr

    def test_script_file_reads_host_files_and_stdin(self, tmp_path: Path) -> None:
        data = tmp_path / "data.txt"
        data.write_text("from the host\n")
        script = tmp_path / "script.py"
        script.write_text(
            "import sys\n"
            "print(open(sys.argv[1]).read().strip())\n"
            "print(sys.stdin.read().upper(), end='')\n"
            "open(sys.argv[1] + '.out', 'w').write('written by wasm')\n"
        )
        res = run([str(script), str(data)], input=b"piped input\n", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        assert res.stdout == b"from the host\nPIPED INPUT\n"
        assert (tmp_path / "data.txt.out").read_text() == "written by wasm"

    def test_binary_stdout_is_byte_exact(self) -> None:
        res = run(["-c", "import sys; sys.stdout.buffer.write(bytes(range(256)))"])
        assert res.stdout == bytes(range(256))

    def test_uncaught_exception_prints_traceback_exit_1(self, tmp_path: Path) -> None:
        script = tmp_path / "boom.py"
        script.write_text("def f():\n    raise ValueError('boom')\nf()\n")
        res = run([str(script)])
        assert res.returncode == 1
        err = res.stderr.decode()
        assert f'File "{script}", line 3, in <module>' in err
        assert err.rstrip().endswith("ValueError: boom")

    def test_dash_m_runs_a_module(self) -> None:
        res = run(["-m", "json.tool"], input=b'{"b": 1, "a": [1, 2]}')
        assert res.returncode == 0, res.stderr
        assert res.stdout.decode().split() == ["{", '"b":', "1,", '"a":', "[", "1,", "2", "]", "}"]


@pytest.mark.usefixtures("dist")
def test_asyncio_run_in_a_program(tmp_path: Path) -> None:
    """asyncio.run in a `pinnace python` script: its loop needs no self-pipe (socketpair, which
    WebAssembly does not have, ended the node process before, then raised OSError)."""
    script = tmp_path / "prog.py"
    script.write_text(
        "import asyncio\n"
        "async def square(n):\n"
        "    await asyncio.sleep(0.02 * n)\n"
        "    return n * n\n"
        "async def main():\n"
        "    async with asyncio.timeout(5):\n"
        "        return await asyncio.gather(*(square(i) for i in range(4)))\n"
        "print(asyncio.run(main()))\n"
        "loop = asyncio.new_event_loop()\n"
        "print(loop.run_until_complete(square(3)))\n"
        "loop.close()\n"
        "from pinnace.http import fetch\n"
        "try:\n"
        "    asyncio.run(fetch('http://127.0.0.1:1/'))\n"
        "except RuntimeError as e:\n"
        "    print(str(e).split(';')[0])\n"
    )
    res = run([str(script)])
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode().splitlines() == [
        "[0, 1, 4, 9]", "9",
        # a host operation would never finish: an error, not a hang
        "await of a JS promise: the host's event loop does not run while a `pinnace python` program does",
    ]
