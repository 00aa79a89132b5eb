"""CPython for WASI (`pinnace build cpython-wasi`): the real python.wasm run under wasmtime
through pinnace_host, with its stdlib granted read-only."""

from __future__ import annotations

import decimal
import json
import re
from pathlib import Path

import pytest

import pinnace_host
from pinnace_build import cpython_wasi, versions
from pinnace_build.paths import REPO
from pinnace_host import Completed, Wasi


@pytest.fixture(scope="session")
def wasi_build() -> Path:
    """The build's output: cached by `make dist` (`pinnace build cpython-wasi`), else built."""
    return cpython_wasi.build()


def python(
    built: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None,
    home: str = cpython_wasi.PREFIX,
) -> Completed:  # fmt: skip
    """Run ``python.wasm args`` with ``lib/`` granted (read-only) at ``<home>/lib``."""
    return pinnace_host.run(
        built / "python.wasm", list(args),
        wasi=Wasi(dirs={f"{home}/lib": built / "lib"}, env=env or {}, stdin=stdin),
    )  # fmt: skip


def out(done: Completed) -> str:
    assert done.exit_code == 0, (done.stdout, done.stderr)
    assert done.stderr == b"", done.stderr
    assert done.stdout is not None
    return done.stdout.decode()


def test_hello_world(wasi_build: Path) -> None:
    done = python(wasi_build, "-c", "print('hello from', 'wasi')")
    assert done == Completed(0, b"hello from wasi\n", b"")


def test_platform_and_version(wasi_build: Path) -> None:
    code = "import sys; print(sys.platform, '.'.join(map(str, sys.version_info[:3])))"
    assert out(python(wasi_build, "-c", code)).split() == ["wasi", versions.PYTHON_VERSION]


def test_stdlib_modules_work(wasi_build: Path) -> None:
    code = """if True:
        import json, re, decimal
        print(json.dumps({"b": [1, 2.5, None], "a": "\u00e9"}, sort_keys=True))
        print(re.findall(r"(\\w+)=(\\d+)", "x=1, yy=22, z=c"))
        print(decimal.Decimal("1.1") + decimal.Decimal("2.2"), decimal.getcontext().prec)
    """
    expected = [
        json.dumps({"b": [1, 2.5, None], "a": "\u00e9"}, sort_keys=True),
        str(re.findall(r"(\w+)=(\d+)", "x=1, yy=22, z=c")),
        f"{decimal.Decimal('1.1') + decimal.Decimal('2.2')} {decimal.getcontext().prec}",
    ]
    assert out(python(wasi_build, "-c", code)).splitlines() == expected


def test_zlib_is_built_in(wasi_build: Path) -> None:
    code = "import zlib; d = b'pinnace ' * 1000; c = zlib.compress(d); " \
           "print(len(c) < 100, zlib.decompress(c) == d, zlib.crc32(d))"  # fmt: skip
    import zlib

    assert out(python(wasi_build, "-c", code)).split() == [
        "True", "True", str(zlib.crc32(b"pinnace " * 1000))
    ]  # fmt: skip


def test_exception_gives_traceback_and_exit_code_1(wasi_build: Path) -> None:
    done = python(wasi_build, "-c", "def f():\n    return 1 / 0\nf()")
    assert done.exit_code == 1
    assert done.stdout == b""
    err = (done.stderr or b"").decode()
    assert err.startswith("Traceback (most recent call last):\n"), err
    assert 'File "<string>", line 2, in f' in err
    assert err.endswith("ZeroDivisionError: division by zero\n"), err


def test_sys_exit_code(wasi_build: Path) -> None:
    assert python(wasi_build, "-c", "import sys; sys.exit(3)") == Completed(3, b"", b"")
    done = python(wasi_build, "-c", "raise SystemExit('bye')")
    assert done == Completed(1, b"", b"bye\n")


def test_script_from_stdin(wasi_build: Path) -> None:
    assert out(python(wasi_build, "-", stdin=b"print(6 * 7)\n")) == "42\n"


def test_stdlib_found_under_another_prefix_with_pythonhome(wasi_build: Path) -> None:
    code = "import sys, os; print(sys.prefix, os.__file__)"
    done = python(wasi_build, "-c", code, home="/opt/py", env={"PYTHONHOME": "/opt/py"})
    assert out(done).split() == [
        "/opt/py", f"/opt/py/{cpython_wasi.STDLIB_DIR}/os.py"
    ]  # fmt: skip
    # and without PYTHONHOME the stdlib is looked for only at the build's prefix
    assert python(wasi_build, "-c", "1", home="/opt/py").exit_code != 0


def test_stdlib_is_read_only_and_bytecode_is_used(wasi_build: Path) -> None:
    code = """if True:
        import json, os
        print(json.__spec__.cached, os.path.exists(json.__spec__.cached))
        try:
            open(os.path.join(os.path.dirname(json.__file__), "x"), "w")
        except OSError as e:
            print(type(e).__name__)
    """
    cached, exists, error = out(python(wasi_build, "-c", code)).split()
    assert cached.endswith(
        f"json/__pycache__/__init__.cpython-{versions.PYTHON_MAJOR_MINOR.replace('.', '')}.pyc"
    )
    assert exists == "True"
    assert error == "PermissionError"


def test_left_out_parts_are_absent(wasi_build: Path) -> None:
    lib = wasi_build / cpython_wasi.STDLIB_DIR
    assert (lib / "os.py").is_file() and (lib / "json" / "__init__.py").is_file()
    assert not (lib / "test").exists() and not (lib / "idlelib").exists()
    assert not list(lib.rglob("tests"))
    assert len(list(lib.glob("_sysconfigdata_*wasi*.py"))) == 1


def test_the_docs_example_runs_as_written(
    wasi_build: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/build.md's example, run in a folder whose dist/wasi is this build; it prints what
    its last line's comment says."""
    section = (REPO / "docs" / "build.md").read_text().split("## CPython for WASI", 1)[1]
    (example,) = re.findall(r"^```python\n(.*?)^```", section.split("\n## ", 1)[0], re.S | re.M)
    expected = example.rstrip().rsplit("# ", 1)[1]
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "wasi").symlink_to(wasi_build)
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "docs/build.md", "exec"), {})
    assert capsys.readouterr().out == expected + "\n"
