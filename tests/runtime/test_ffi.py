"""The FFI: JsProxy (Python side), PyProxy (JS side), conversions, errors, memory.

Tests taking the `js` fixture run twice: under node and in Chromium.
"""

from __future__ import annotations

import json

import pytest

from support.hosts import Node
from support.runners import PARAMS, PageRunner, runner


@pytest.fixture(params=PARAMS)
def js(request: pytest.FixtureRequest, node: Node) -> Node | PageRunner:
    return runner(request, node)


def py_lines(node: Node | PageRunner, code: str, setup: str = "") -> list[str]:
    """Run Python code (given as a JS template literal body) and return its printed lines."""
    out = node.run(
        f"""
        const lines = [];
        const py = await loadPinnace({{ stdout: (l) => lines.push(l) }});
        {setup}
        py.runPython(String.raw`{code}`);
        console.log(JSON.stringify(lines));
        """
    )
    return json.loads(out.strip().splitlines()[-1])


def test_jsproxy_attributes_calls_and_new(js: Node | PageRunner) -> None:
    lines = py_lines(
        js,
        """
import js
from js import Math, JSON
o = js.Object.new()
o.x = 5
print(o.x, hasattr(o, 'y'), 'x' in dir(o))
del o.x
print(hasattr(o, 'x'))
print(Math.max(1, 5, 3), js.Date.new(0).getTime(), js.Array.new(3).length)
f = js.eval('(function (a, opts) { return a + opts.b; })')
print(f(1, b=2))
print(Math.typeof, Math.max.typeof, repr(js.Array.of(1, 2)))
""",
    )
    assert lines == ["5 False True", "False", "5 0 3", "3", "object function 1,2"]


def test_js_names_with_underscores_are_the_js_objects(js: Node | PageRunner) -> None:
    """Names of JsProxy's own type stay Python's; any other name, dunder-shaped or not, is the
    JS object's (``window.__NEXT_DATA__``, ``__REDUX_DEVTOOLS_EXTENSION__``, ``__acc``)."""
    lines = py_lines(
        js,
        """
import js
js.globalThis.__NEXT_DATA__ = js.JSON.parse('{"page": "/"}')
o = js.eval('({ __acc: 1, __proto_like__: 2 })')
print(js.__NEXT_DATA__.page, o.__acc, o.__proto_like__, hasattr(o, '__missing__'))
o.__acc = 5
print(o.__acc, o.__class__.__name__)
print(repr(js.Array.of(1)) == js.Array.of(1).__repr__(), '__len__' in dir(type(o)))
""",
    )
    assert lines == ["/ 1 2 False", "5 JsProxy", "True True"]


def test_jsproxy_containers(js: Node | PageRunner) -> None:
    lines = py_lines(
        js,
        """
import js
from pinnace.ffi import to_js
a = js.Array.of(1, 2, 3)
print(len(a), a[0], a[-1], 2 in a, 7 in a, list(a), bool(a), bool(js.Array.new()))
a[0] = 10
del a[1]
print(list(a))
try:
    a[10]
except IndexError as e:
    print("IndexError")
m = js.Map.new(to_js([["k", 1]]))
print(m["k"], "k" in m, list(m), len(m), bool(js.Map.new()))
m["j"] = 2
del m["k"]
print(list(m))
try:
    m["zz"]
except KeyError as e:
    print("KeyError", e)
s = js.Set.new(to_js([1, 2]))
print(1 in s, 5 in s, len(s), sorted(s))
print([x * 2 for x in js.eval('(function* () { yield 1; yield 2; })()')])
try:
    len(js.Object.new())
except TypeError as e:
    print("TypeError", e)
""",
    )
    assert lines == [
        "3 1 3 True False [1, 2, 3] True False",
        "[10, 3]",
        "IndexError",
        "1 True ['k'] 1 False",
        "['j']",
        "KeyError 'zz'",
        "True False 2 [1, 2]",
        "[2, 4]",
        "TypeError JS object has no length or size",
    ]


def test_identity_typeof_instanceof(js: Node | PageRunner) -> None:
    lines = py_lines(
        js,
        """
import js
a = js.Array.of(1)
print(js.Math == js.Math, js.Math != js.Object, hash(js.Math) == hash(js.Math), {js.Math: 1}[js.Math])
print(isinstance(a, js.Array), a.instanceof(js.Object), isinstance(js.Object.new(), js.Array))
print(js.eval('(x) => x')(a) == a, js.Array.isArray(a))
pl = [1]
print(js.eval('(x) => x')(pl) is pl)
""",
    )
    assert lines == ["True True True 1", "True True False", "True True", "True"]


def test_immutable_conversions(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        const r = (c) => py.runPython(c);
        py.runPython("import js\nfrom pinnace.ffi import jsnull");
        const res = {
          pyTypes: r("[type(js.eval(e)).__name__ for e in ['1', '1.5', '2n**70n', '\"s\"', 'true', 'undefined', 'null']]").toJs(),
          big: r("js.eval('2n**70n') == 2**70 and js.eval('-(2n**64n)') == -2**64"),
          nullIs: r("js.JSON.parse('null') is jsnull"),
          toJs: [r("2**70"), r("-(2**53)+1"), r("1.5"), r("'héllo\\x00x'"), r("True"), r("None"), r("jsnull")],
        };
        console.log(JSON.stringify(res, (k, v) => typeof v === "bigint" ? `${v}n` : v === undefined ? "undef" : v));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["pyTypes"] == ["int", "float", "int", "str", "bool", "NoneType", "JsNull"]
    assert got["big"] is True and got["nullIs"] is True
    assert got["toJs"] == [f"{2**70}n", -(2**53) + 1, 1.5, "héllo\x00x", True, "undef", None]


def test_deep_conversions_and_buffers(js: Node | PageRunner) -> None:
    lines = py_lines(
        js,
        """
import js
from pinnace.ffi import to_js
d = js.JSON.parse('{"a": [1, {"b": null}], "c": "x"}').to_py()
print(d)
print(type(js.JSON.parse('{"a": [1]}').to_py(depth=1)["a"]).__name__)
print(js.Set.new(to_js([1, 2])).to_py(), js.Map.new(to_js([[1, 2]])).to_py())
u8 = js.Uint8Array.new(to_js([1, 2, 3]))
print(u8.to_bytes(), u8.to_py(), bytes(u8.to_memoryview()), js.Float64Array.new(2).to_bytes())
u8.assign(b"xyz")
print(list(u8))
t = to_js([1, (2, 3), {"a": 4}, b"ab", None, {5}])
print(js.JSON.stringify(t), t[2].get("a"), t[3].constructor.name, t[5].has(5))
print(js.JSON.stringify(to_js({"a": {"b": 1}}, dict_converter=js.Object.fromEntries)))
print(to_js([[1]], depth=1)[0].__class__.__name__)
print(js.JSON.stringify(to_js([object()], default_converter=lambda v, convert: "conv")))
cyclic = [1]
cyclic.append(cyclic)
c = to_js(cyclic)
print(c[1] == c)
""",
    )
    assert lines == [
        "{'a': [1, {'b': jsnull}], 'c': 'x'}",
        "JsProxy",
        "{1, 2} {1: 2}",
        "b'\\x01\\x02\\x03' b'\\x01\\x02\\x03' b'\\x01\\x02\\x03' " + repr(bytes(16)),
        "[120, 121, 122]",
        '[1,[2,3],{},{"0":97,"1":98},null,{}] 4 Uint8Array True',
        '{"a":{"b":1}}',
        "list",
        '["conv"]',
        "True",
    ]


def test_callbacks_create_proxy_and_once(js: Node | PageRunner) -> None:
    lines = py_lines(
        js,
        """
import js
from pinnace.ffi import create_proxy, create_once_callable, destroy_proxies
def double(x):
    return x * 2
print(js.eval('(f) => f(21)')(double))
keep = js.eval('(f) => { globalThis.kept = f; }')
keep(double)
try:
    js.eval('() => kept(1)')()
except Exception as e:
    print(type(e).__name__, "destroyed" in str(e))
p = create_proxy(double)
keep(p)
print(js.eval('() => kept(5)')())
destroy_proxies([p])
oc = create_once_callable(double)
print(js.eval('(f) => { const a = f(1); try { f(2) } catch (e) { return [a, e.message] } }')(oc).to_py())
""",
    )
    assert lines == [
        "42",
        "JsException True",
        "10",
        "[2, 'This once-callable PyProxy was already called']",
    ]


def test_pyproxy_from_js(js: Node | PageRunner) -> None:
    out = js.run(
        """
        const py = await loadPinnace();
        const res = {};
        const l = py.runPython("[1, 2, 3]");
        res.list = [[...l], l.length, l.has(2), l.get(0), l.type(), String(l), typeof l];
        const d = py.runPython("{'a': 1}");
        d.set("b", 2);
        d.delete("a");
        res.dict = [d.get("b"), d.has("a"), Object.fromEntries(d.toJs()), d.toJs({ dictConverter: Object.fromEntries })];
        const ns = py.runPython("import types\\ntypes.SimpleNamespace(x=1)");
        ns.y = 5;
        res.attrs = [ns.x, "x" in ns, "zz" in ns, ns.zz, Object.keys(ns).includes("y"), py.runPython("_ = None"), ns.y];
        delete ns.y;
        res.deleted = "y" in ns;
        py.runPython("def f(x, y=2):\\n    return x * y");
        const f = py.globals.get("f");
        res.calls = [f(21), f.callKwargs(3, { y: 5 }), typeof f];
        l.destroy();
        try { l.length; } catch (e) { res.destroyed = e.message; }
        const u = py.runPython("[1]");
        u[Symbol.dispose ?? Symbol.for("Symbol.dispose")]();
        try { u.length; } catch (e) { res.disposed = true; }
        res.toPy = [String(py.toPy([1, { a: 2 }])), String(py.toPy(new Uint8Array([1, 2]))), py.toPy(3)];
        py.registerJsModule("mymod", { hello: (n) => `hi ${n}`, value: 42 });
        res.jsmod = py.runPython("import mymod\\nfrom mymod import hello\\nhello('x') + str(mymod.value)");
        res.pyimport = py.pyimport("math").sqrt(16);
        const arr = py.runPython("import array\\na = array.array('d', [1.5, 2.5])\\na");
        const buf = arr.getBuffer();
        res.buffer = [Array.from(buf.data), buf.format, buf.shape, buf.readonly, buf.data.constructor.name];
        buf.data[0] = 9;  // zero-copy: Python sees the write
        buf.release();
        res.afterWrite = py.runPython("a[0]");
        const jo = {};
        py.globals.set("jo", jo);
        res.identity = [py.runPython("jo") === jo, py.runPython("jo is jo")];
        const g = py.runPython("def gen():\\n    yield 1\\n    yield 2\\ngen()");
        res.gen = [...g];
        console.log(JSON.stringify(res));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["list"] == [[1, 2, 3], 3, True, 1, "list", "[1, 2, 3]", "object"]
    assert got["dict"] == [2, False, {"b": 2}, {"b": 2}]
    assert got["attrs"] == [1, True, False, None, True, None, 5]
    assert got["deleted"] is False
    assert got["calls"] == [42, 15, "function"]
    assert "destroyed" in got["destroyed"] and got["disposed"] is True
    assert got["toPy"] == ["[1, {'a': 2}]", "b'\\x01\\x02'", 3]
    assert got["jsmod"] == "hi x42" and got["pyimport"] == 4
    assert got["buffer"] == [[1.5, 2.5], "d", [2], False, "Float64Array"]
    assert got["afterWrite"] == 9.0
    assert got["identity"] == [True, True]
    assert got["gen"] == [1, 2]


def test_errors_cross_boundaries_and_keep_the_original(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        const res = {};
        // Python -> JS -> Python: the same Python exception object, with its traceback.
        res.py = py.runPython(`
import js
class MyErr(Exception): pass
def inner():
    raise MyErr("deep")
err = None
try:
    js.eval('(f) => f()')(inner)
except MyErr as e:
    err = e
[type(err).__name__, err.args[0], err.__traceback__.tb_next is not None]
`).toJs();
        // JS -> Python -> JS: the same JS error object.
        const jsErr = new RangeError("orig");
        py.globals.set("thrower", () => { throw jsErr; });
        const relay = py.runPython("def relay():\n    thrower()\nrelay");
        try { relay(); } catch (e) { res.sameJs = e === jsErr; }
        // JS error as seen in Python.
        res.jsExc = py.runPython(`
from pinnace.ffi import JsException
try:
    js.eval('(() => { throw new TypeError("nope") })')()
except JsException as e:
    r = [type(e).__name__, e.name, e.message, 'nope' in e.stack, str(e)]
r`).toJs();
        // Python exception seen from JS: PythonError, user frames only, exception reachable.
        try {
          py.runPython("def bad():\n    raise ValueError('v')\nbad()", { filename: "app.py" });
        } catch (e) {
          res.pyErr = [e.name, e.type, e.message, e.pyException.type(), e.pyException.args.get(0)];
        }
        // A PythonError raised from a PyProxy call.
        const f = py.runPython("def f():\n    return 1 / 0\nf");
        try { f(); } catch (e) { res.callErr = [e.type, e.message.includes("File \"<exec>\", line 2, in f")]; }
        // Bad input: a clear error, and the runtime stays usable.
        try { py.runPython("js.eval('no_such_function()')"); } catch (e) { res.bad = [e.constructor.name, e.message.includes("not defined")]; }
        try { py.globals.get("no_such_name"); } catch (e) { res.bad.push(e.type); }
        try { py.runPython("[]").set("k", 1); } catch (e) { res.bad.push(e.type); }
        res.alive = py.runPython("1 + 1");
        console.log(JSON.stringify(res));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["py"] == ["MyErr", "deep", True]
    assert got["sameJs"] is True
    assert got["jsExc"] == ["JsException", "TypeError", "nope", True, "TypeError: nope"]
    assert got["pyErr"] == [
        "PythonError",
        "ValueError",
        'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    bad()\n'
        "    ~~~^^\n  File \"app.py\", line 2, in bad\n    raise ValueError('v')\n"
        "ValueError: v\n",
        "ValueError",
        "v",
    ]
    assert got["callErr"] == ["ZeroDivisionError", True]
    assert got["alive"] == 2
    assert got["bad"] == ["ReferenceError", True, "KeyError", "TypeError"]


def test_memory_is_bounded_over_10000_round_trips(js: Node | PageRunner) -> None:
    """The memory check: after a warm-up, 10,000 proxy round trips (Python object -> JS ->
    Python, JS object -> Python -> JS, JS -> Python calls) and 10,000 runPython calls grow the
    wasm heap by less than 1 MiB and leave the handle table where it was."""
    out = js.run(
        r"""
        const py = await loadPinnace();
        const m = py._module;
        const ident = (x) => x;
        py.globals.set("ident", ident);
        py.runPython("import js\nlst = [1, 2]\ndef f(x):\n    return x");
        const f = py.globals.get("f");
        const round = (n) => {
          for (let i = 0; i < n; i++) {
            py.runPython("assert ident(lst) is lst\nassert ident(js.Math) == js.Math");
            const obj = { i };
            if (f(obj) !== obj) throw new Error("identity lost");
            const p = py.runPython("lst");
            p.destroy();
          }
        };
        round(500);  // warm-up: caches, interned strings, the heap's first growth
        const handles = py.runPython("import _pinnace_ffi\n_pinnace_ffi.handle_count()");
        const before = m.HEAPU8.length;
        round(10000);
        const after = m.HEAPU8.length;
        const handlesAfter = py.runPython("_pinnace_ffi.handle_count()");
        console.log(JSON.stringify({ before, after, handles, handlesAfter }));
        """,
        timeout=300,
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["after"] - got["before"] < 1 << 20, got
    assert got["handlesAfter"] == got["handles"], got


def test_streams_can_be_replaced_while_python_runs(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace({ stdout: () => {} });
        const lines = [], raw = [], errs = [];
        py.setStdout((l) => lines.push(l));
        py.runPython("print('one')\nprint('two', end='')");
        py.setStdout({ write: (b) => raw.push(...b) });
        py.runPython("import sys\nsys.stdout.write('r\\n')");
        py.setStderr((l) => errs.push(l));
        py.runPython("print('e', file=sys.stderr)");
        const chunks = ["first line\n", "second"];
        py.setStdin(() => chunks.shift() ?? null);
        const read = py.runPython("sys.stdin.read()");
        console.log(JSON.stringify({ lines, raw: new TextDecoder().decode(new Uint8Array(raw)), errs, read }));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got == {"lines": ["one", "two"], "raw": "r\n", "errs": ["e"],
                   "read": "first line\nsecond"}  # fmt: skip


def test_finalization_registry_releases_forgotten_pyproxies(node: Node) -> None:
    out = node.run(
        r"""
        import v8 from "node:v8";
        import vm from "node:vm";
        v8.setFlagsFromString("--expose-gc");
        const gc = vm.runInNewContext("gc");
        const py = await loadPinnace();
        py.runPython("import sys\nobj = object()");
        const count = () => py.runPython("sys.getrefcount(obj)");
        const base = count();
        (() => { for (let i = 0; i < 100; i++) py.runPython("obj"); })();  // 100 proxies, dropped
        const held = count();
        for (let i = 0; i < 20 && count() > base; i++) {
          gc();
          await new Promise((r) => setTimeout(r, 10));
        }
        console.log(JSON.stringify({ base, held, after: count() }));
        """
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["held"] == got["base"] + 100
    assert got["after"] == got["base"]


def test_run_python_with_globals_and_filename(js: Node | PageRunner) -> None:
    out = js.run(
        r"""
        const py = await loadPinnace();
        const ns = py.toPy({ x: 20 });
        const r1 = py.runPython("y = x + 1\ny * 2", { globals: ns });
        const r2 = await py.runPythonAsync("import asyncio\nawait asyncio.sleep(0)\ny", { globals: ns });
        let missing;
        try { py.runPython("y"); } catch (e) { missing = e.type; }
        console.log(JSON.stringify([r1, r2, ns.get("y"), missing]));
        """
    )
    assert json.loads(out.strip().splitlines()[-1]) == [42, 21, 21, "NameError"]
