"""The JS loader under node: loadPinnace, runPython, results, errors and tracebacks."""

from __future__ import annotations

import json

from pinnace_build import versions
from support.hosts import Node


def test_run_python_converts_results(node: Node) -> None:
    out = node.run(
        """
        const py = await loadPinnace();
        const r = (code) => py.runPython(code);
        const results = {
          int: r("6 * 7"), float: r("1 / 4"), str: r("'héllo ' + 'wörld'"),
          true: r("1 < 2"), false: r("1 > 2"), none: r("None"), noexpr: r("x = 5"),
          big: String(r("2 ** 70")), bigType: typeof r("2 ** 70"), neg: r("-(2 ** 53) + 1"),
          nan: String(r("float('nan')")), inf: r("float('inf')"), repr: String(r("[1, (2, 'a')]")),
          persisted: r("x + 1"), version: py.version, pythonVersion: py.pythonVersion,
        };
        console.log(JSON.stringify(results));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["int"] == 42
    assert got["float"] == 0.25
    assert got["str"] == "héllo wörld"
    assert got["true"] is True and got["false"] is False
    assert "none" not in got and "noexpr" not in got  # undefined is dropped by JSON
    assert got["big"] == str(2**70) and got["bigType"] == "bigint"
    assert got["neg"] == -(2**53) + 1
    assert got["nan"] == "NaN" and got["inf"] is None  # JSON has no Infinity
    assert got["repr"] == "[1, (2, 'a')]"
    assert got["persisted"] == 6
    assert got["version"] == versions.PINNACE_VERSION
    assert got["pythonVersion"] == versions.PYTHON_VERSION


def test_stdout_and_stderr_go_to_callbacks_by_line(node: Node) -> None:
    out = node.run(
        """
        const lines = [];
        const py = await loadPinnace({
          stdout: (l) => lines.push(["out", l]), stderr: (l) => lines.push(["err", l]),
        });
        py.runPython("import sys\\nprint('a'); print('b\\\\nc'); print('partial', end='')");
        py.runPython("print('x', file=sys.stderr)");
        console.log(JSON.stringify(lines));
        """
    )
    assert json.loads(out.strip().splitlines()[-1]) == [
        ["out", "a"], ["out", "b"], ["out", "c"], ["out", "partial"], ["err", "x"],
    ]  # fmt: skip


def test_env_and_args_reach_python(node: Node) -> None:
    out = node.run(
        """
        const py = await loadPinnace({ env: { GREETING: "ahoy" }, args: ["one", "two"] });
        console.log(py.runPython("import os, sys; f'{os.environ[\\"GREETING\\"]} {sys.argv}'"));
        """
    )
    assert out.strip() == "ahoy ['', 'one', 'two']"


def test_python_error_has_user_frames_only(node: Node) -> None:
    out = node.run(
        """
        const py = await loadPinnace();
        py.runPython("def inner():\\n    return 1 / 0\\ndef outer():\\n    return inner()\\n");
        try {
          py.runPython("outer()", { filename: "my_script.py" });
          console.log("no error");
        } catch (e) {
          console.log(JSON.stringify({ isPythonError: e instanceof PythonError, name: e.name,
                                       type: e.type, message: e.message }));
        }
        // the interpreter stays usable
        console.log(JSON.stringify(py.runPython("'still alive'")));
        """
    )
    *_, err_line, alive = out.strip().splitlines()
    err = json.loads(err_line)
    assert err["isPythonError"] and err["name"] == "PythonError"
    assert err["type"] == "ZeroDivisionError"
    tb = err["message"]
    assert tb.startswith("Traceback (most recent call last):")
    assert 'File "my_script.py", line 1, in <module>' in tb
    assert "in outer" in tb and "in inner" in tb
    assert tb.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "_run.py" not in tb and "pinnace" not in tb  # no runtime frames
    assert json.loads(alive) == "still alive"


def test_syntax_error_and_system_exit_are_python_errors(node: Node) -> None:
    out = node.run(
        """
        const py = await loadPinnace();
        for (const code of ["1 +", "import sys; sys.exit(3)", "raise KeyError('k')"]) {
          try { py.runPython(code); } catch (e) { console.log(e.type); }
        }
        console.log(py.runPython("2 + 2"));
        """
    )
    assert out.split() == ["SyntaxError", "SystemExit", "KeyError", "4"]


def test_wrong_index_url_names_the_url(node: Node, tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nowhere"
    out = node.run(
        f"""
        try {{
          await loadPinnace({{ indexURL: {str(missing)!r} }});
          console.log("loaded?!");
        }} catch (e) {{
          console.log(e.name + ": " + e.message);
        }}
        """
    )
    assert out.startswith("LoadError: Pinnace could not load file://")
    assert str(missing) in out and "indexURL" in out


def test_stdlib_modules_work(node: Node) -> None:
    out = node.run(
        """
        const py = await loadPinnace();
        console.log(py.runPython(`
        import json, zlib, bz2, lzma, sqlite3, hashlib, decimal, ctypes, datetime
        data = b"pinnace" * 100
        checks = [
            json.loads(json.dumps({"a": [1, 2]}))["a"][1] == 2,
            zlib.decompress(zlib.compress(data)) == data,
            bz2.decompress(bz2.compress(data)) == data,
            lzma.decompress(lzma.compress(data)) == data,
            sqlite3.connect(":memory:").execute("select 6*7").fetchone()[0] == 42,
            hashlib.sha256(b"").hexdigest().startswith("e3b0c442"),
            str(decimal.Decimal(1) / decimal.Decimal(7))[:6] == "0.1428",
            ctypes.sizeof(ctypes.c_void_p) == 4,
        ]
        " ".join(map(str, checks))
        `));
        """
    )
    assert out.split() == ["True"] * 8
