"""HTTP from Python (pinnace.http, urllib.request, http.client) against a real HTTP API served by
another process on 127.0.0.1 (support/api_server.py), in every host: `pinnace python` and
loadPinnace under node, a Chromium page (awaited; waiting through JSPI), a Web Worker
(synchronous XMLHttpRequest); and sockets, which fail with an OSError that says why and never
take the process down."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.hosts import Node, run_pinnace_python, run_worker
from support.runners import PARAMS, PY_ATTEMPT, PageRunner, last_json, runner

TEN_MB = 10 * 1024 * 1024


def pattern_sha256(n: int) -> str:
    return hashlib.sha256((bytes(range(251)) * (n // 251 + 1))[:n]).hexdigest()


def run_script(tmp_path: Path, code: str) -> Any:
    """Run ``code`` with `pinnace python`; the JSON it printed last."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(code))
    res = run_pinnace_python([str(script)])
    assert res.returncode == 0, res.stderr.decode()
    return json.loads(res.stdout.decode().strip().splitlines()[-1])


# What one failed request raised: type names (own and OSError/TimeoutError), kind, message.
FAILURE = """
def failure(call):
    try:
        call()
    except Exception as e:
        return {"type": type(e).__name__, "oserror": isinstance(e, OSError),
                "timeout": isinstance(e, TimeoutError), "kind": getattr(e, "kind", None),
                "message": str(e)}
    return None
"""


@pytest.mark.usefixtures("dist")
def test_fetch_sync_in_pinnace_python(tmp_path: Path, api: str, closed_port: int) -> None:
    out = run_script(tmp_path, FAILURE + f"""
import hashlib, json
from pinnace.http import fetch_sync, HTTPStatusError
U = {api!r}
out = {{}}
r = fetch_sync(U + "/json")
out["json"] = [r.status, r.ok, r.json(), r.headers["Content-Type"], r.headers["content-type"]]
big = fetch_sync(U + "/bytes/{TEN_MB}").bytes()
out["big"] = [len(big), hashlib.sha256(big).hexdigest()]
r = fetch_sync(U + "/redirect-twice")
out["redirect"] = [r.status, r.url, r.redirected, r.text()]
r = fetch_sync(U + "/status/404")
out["404"] = [r.status, r.ok, r.status_text, r.text(), failure(r.raise_for_status)]
r = fetch_sync(U + "/echo", method="put", body="héllo", headers={{"X-Custom": "yes"}})
e = r.json()
out["echo"] = [e["method"], e["body"], e["length"], e["headers"]["x-custom"]]
out["gzip"] = fetch_sync(U + "/gzip").json()
h = fetch_sync(U + "/headers").headers
out["headers"] = [h["x-answer"], h["X-MANY"], "x-answer" in h]
out["refused"] = failure(lambda: fetch_sync("http://127.0.0.1:{closed_port}/"))
out["slow"] = failure(lambda: fetch_sync(U + "/slow/5", timeout=0.5))
out["stall"] = failure(lambda: fetch_sync(U + "/stall/5", timeout=0.5))
out["bad_body"] = failure(lambda: fetch_sync(U + "/echo", method="POST", body=42))
print(json.dumps(out))
""")
    assert out["json"] == [200, True, {"hello": "world", "n": 1}, "application/json", "application/json"]
    assert out["big"] == [TEN_MB, pattern_sha256(TEN_MB)]
    assert out["redirect"] == [200, api + "/json", True, '{"hello": "world", "n": 1}']
    status_404, ok, reason, text, error = out["404"]
    assert (status_404, ok, reason, text) == (404, False, "Not Found", "status 404")
    assert error["type"] == "HTTPStatusError" and error["oserror"]
    assert error["message"] == f"HTTP 404 Not Found for {api}/status/404"
    assert out["echo"] == ["PUT", "héllo", 6, "yes"]
    assert out["gzip"] == {"hello": "world", "n": 1}  # decoded by the host
    assert out["headers"] == ["42", "a, b", True]
    refused = out["refused"]
    assert refused["type"] == "RequestError" and refused["oserror"] and refused["kind"] == "refused"
    assert refused["message"].startswith(f"could not fetch http://127.0.0.1:{closed_port}/: connection refused")
    for case in ("slow", "stall"):  # before the headers; in the middle of the body
        t = out[case]
        assert (t["type"], t["timeout"], t["kind"]) == ("Timeout", True, "timeout"), t
        assert "timed out: nothing received for 0.5 s" in t["message"]
    assert out["bad_body"]["type"] == "TypeError"


@pytest.mark.usefixtures("dist")
def test_urllib_and_http_client_in_pinnace_python(tmp_path: Path, api: str, closed_port: int) -> None:
    out = run_script(tmp_path, FAILURE + f"""
import http.client, json, urllib.error, urllib.request
U = {api!r}
host, port = U.removeprefix("http://").split(":")
out = {{}}
with urllib.request.urlopen(U + "/json") as f:
    out["urlopen"] = [f.status, f.headers["Content-Type"], json.load(f)]
with urllib.request.urlopen(U + "/redirect") as f:
    out["redirect"] = [f.status, f.geturl(), f.read().decode()]
req = urllib.request.Request(U + "/echo", data=b"x=1", headers={{"X-Custom": "yes"}})
with urllib.request.urlopen(req) as f:
    e = json.load(f)
    out["post"] = [e["method"], e["body"], e["headers"]["x-custom"], e["headers"]["content-type"]]
try:
    urllib.request.urlopen(U + "/status/500")
except urllib.error.HTTPError as e:
    out["500"] = [e.code, e.read().decode()]
for name, url in [("refused", "http://127.0.0.1:{closed_port}/"), ("https", "https://127.0.0.1:{closed_port}/")]:
    try:
        urllib.request.urlopen(url)
    except urllib.error.URLError as e:
        out[name] = [type(e).__name__, getattr(e.reason, "kind", None), str(e.reason)]
try:
    urllib.request.urlopen(U + "/slow/5", timeout=0.5)
except urllib.error.URLError as e:
    out["timeout"] = isinstance(e.reason, TimeoutError)
conn = http.client.HTTPConnection(host, int(port), timeout=10)
conn.request("POST", "/echo", body=b"abc", headers={{"X-Custom": "direct"}})
r = conn.getresponse()
e = json.loads(r.read())
out["http.client"] = [r.status, r.reason, e["method"], e["body"], e["headers"]["x-custom"]]
conn.putrequest("PATCH", "/echo")
conn.putheader("Content-Length", "3")
conn.endheaders()
conn.send(b"xyz")
r = conn.getresponse()
out["low-level"] = [r.status, json.loads(r.read())["body"]]
conn.request("HEAD", "/json")
r = conn.getresponse()
out["head"] = [r.status, r.getheader("Content-Length"), r.read().decode()]
conn.close()
out["https-class"] = [hasattr(http.client, "HTTPSConnection"), hasattr(urllib.request, "HTTPSHandler")]
print(json.dumps(out))
""")
    assert out["urlopen"] == [200, "application/json", {"hello": "world", "n": 1}]
    assert out["redirect"] == [200, api + "/json", '{"hello": "world", "n": 1}']
    assert out["post"] == ["POST", "x=1", "yes", "application/x-www-form-urlencoded"]
    assert out["500"] == [500, "status 500"]
    for case in ("refused", "https"):
        kind, reason_kind, reason = out[case]
        assert (kind, reason_kind) == ("URLError", "refused") and "connection refused" in reason
    assert out["timeout"] is True
    assert out["http.client"] == [200, "OK", "POST", "abc", "direct"]
    assert out["low-level"] == [200, "xyz"]
    assert out["head"] == [200, "26", ""]
    assert out["https-class"] == [True, True]


SOCKETS = """
import socket
out = {}
""" + PY_ATTEMPT + """attempt("socketpair", socket.socketpair)
attempt("connect", lambda: socket.socket().connect(("127.0.0.1", 80)))
attempt("listen", lambda: socket.socket().listen())
attempt("sendto", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 53)))
attempt("create_connection", lambda: socket.create_connection(("example.org", 80), timeout=1))
s = socket.socket()
s.bind(("127.0.0.1", 0))  # in memory: works
out["bind"] = s.getsockname()[0]
"""


def check_sockets(out: dict[str, str]) -> None:
    assert out.pop("bind") == "127.0.0.1"
    for name, text in out.items():
        assert text.startswith("OSError "), (name, text)
        assert "sockets cannot connect, listen or send to addresses in WebAssembly" in text, (name, text)
        assert "pinnace.http" in text


@pytest.mark.usefixtures("dist")
def test_sockets_fail_with_a_reason_and_pinnace_python_goes_on(tmp_path: Path) -> None:
    check_sockets(run_script(tmp_path, SOCKETS + "import json; print(json.dumps(out))"))


@pytest.fixture(params=PARAMS)
def js(request: pytest.FixtureRequest, node: Node) -> Node | PageRunner:
    return runner(request, node)


def test_await_fetch_and_sockets_from_run_python_async(js: Node | PageRunner, api: str) -> None:
    """runPythonAsync under node and on a page (cross-origin: the API allows any origin)."""
    code = FAILURE + SOCKETS + f"""
import asyncio, hashlib
from pinnace.http import fetch
U = {api!r}
r = await fetch(U + "/json")
out["json"] = [r.status, await r.json()]
rs = await asyncio.gather(*(fetch(f"{{U}}/bytes/{{n}}") for n in (1, 1000, 1_000_000)))
out["gather"] = [len(await r.bytes()) for r in rs]
out["hash"] = hashlib.sha256(await rs[2].bytes()).hexdigest()
r = await fetch(U + "/echo", method="POST", body=b"abc", headers={{"X-Custom": "yes"}})
e = await r.json()
out["echo"] = [e["method"], e["body"], e["headers"]["x-custom"]]
try:
    r = await fetch(U + "/nocors")
    out["nocors"] = [r.status, r.ok]
except OSError as e:
    out["nocors"] = e.kind
json.dumps(out)
"""
    source = json.dumps("import json\n" + code)
    out = last_json(js.run(f"""
const py = await loadPinnace();
let out;
try {{ out = await py.runPythonAsync({source}); }}
catch (e) {{ out = JSON.stringify({{ failed: e.message }}); }}
console.log(out);
"""))
    assert "failed" not in out, out["failed"]
    assert out.pop("json") == [200, {"hello": "world", "n": 1}]
    assert out.pop("gather") == [1, 1000, 1_000_000]
    assert out.pop("hash") == pattern_sha256(1_000_000)
    assert out.pop("echo") == ["POST", "abc", "yes"]
    # CORS is a browser's rule
    assert out.pop("nocors") == ([200, True] if isinstance(js, Node) else "cors")
    check_sockets(out)


@pytest.mark.chromium
def test_cors_and_waiting_on_a_page(page: Any, server: StaticServer, api: str) -> None:
    """A page: a CORS refusal is said as CORS; fetch_sync and urllib wait through JSPI in code
    the event loop runs, and say what to do instead in runPython."""
    setup = f"""
import json, urllib.request
from pinnace.http import fetch, fetch_sync
U = {api!r}
"""
    run_async = """
out = {}
try:
    await fetch(U + "/nocors")
except OSError as e:
    out["cors"] = [type(e).__name__, e.kind, str(e)]
out["sync"] = fetch_sync(U + "/json").json()
with urllib.request.urlopen(U + "/redirect") as f:
    out["urllib"] = [f.status, f.geturl(), json.load(f)]
json.dumps(out)
"""
    out = last_json(PageRunner(page, server).run(f"""
const py = await loadPinnace();
py.runPython({json.dumps(setup)});
let out;
try {{ out = JSON.parse(await py.runPythonAsync({json.dumps(run_async)})); }}
catch (e) {{ out = {{ failed: e.message }}; }}
out.mode = py.lazyImports;
try {{ py.runPython("fetch_sync(U + '/json')"); }}
catch (e) {{ out.runPython = e.message.trim().split("\\n").pop(); }}
console.log(JSON.stringify(out));
"""))
    assert "failed" not in out, out["failed"]
    assert out["mode"] == "jspi"
    kind_name, kind, text = out["cors"]
    assert (kind_name, kind) == ("RequestError", "cors")
    assert text.startswith(f"could not fetch {api}/nocors: blocked by CORS")
    assert out["sync"] == {"hello": "world", "n": 1}
    assert out["urllib"] == [200, api + "/json", {"hello": "world", "n": 1}]
    assert out["runPython"].startswith("RuntimeError: cannot wait for")
    assert "use `await pinnace.http.fetch(...)`" in out["runPython"]


@pytest.mark.chromium
def test_fetch_sync_and_urllib_in_a_web_worker(page: Any, server: StaticServer, api: str,
                                               closed_port: int) -> None:  # fmt: skip
    code = FAILURE + SOCKETS + f"""
import hashlib, json, urllib.request
from pinnace.http import fetch_sync
U = {api!r}
out_sockets = dict(out)
r = fetch_sync(U + "/bytes/1000000")
result = {{"bytes": hashlib.sha256(r.bytes()).hexdigest(), "sockets": out_sockets}}
with urllib.request.urlopen(U + "/json") as f:
    result["urllib"] = json.load(f)
result["echo"] = fetch_sync(U + "/echo", method="POST", body="abc").json()["body"]
result["refused"] = failure(lambda: fetch_sync("http://127.0.0.1:{closed_port}/"))
result["nocors"] = failure(lambda: fetch_sync(U + "/nocors"))
json.dumps(result)
"""
    source = ('import { loadPinnace } from "%(base)sdist/pinnace.mjs";\n'
              "const py = await loadPinnace();\n"
              f"postMessage({{ value: JSON.parse(py.runPython({json.dumps(code)})) }});")  # fmt: skip
    assert "%" not in code
    out = run_worker(page, server, source, "module")[-1]["value"]
    assert out["bytes"] == pattern_sha256(1_000_000)
    assert out["urllib"] == {"hello": "world", "n": 1}
    assert out["echo"] == "abc"
    for case in ("refused", "nocors"):  # XMLHttpRequest tells neither apart
        assert out[case]["type"] == "RequestError" and out[case]["kind"] == "network", out[case]
        assert "CORS" in out[case]["message"]
    check_sockets(out["sockets"])


REQUESTS = """
import json
import requests, urllib3
U = {api!r}
out = {{}}
r = requests.get(U + "/json")
out["json"] = [r.status_code, r.json(), r.headers["Content-Type"]]
r = requests.get(U + "/redirect-twice")
out["redirect"] = [r.status_code, r.url, [h.status_code for h in r.history]]
r = requests.post(U + "/echo", json={{"a": 1}}, headers={{"X-Custom": "yes"}})
out["post"] = [r.json()["body"], r.json()["headers"]["content-type"], r.json()["headers"]["x-custom"]]
r = requests.get(U + "/status/404")
try:
    r.raise_for_status()
except requests.HTTPError as e:
    out["404"] = [r.status_code, r.ok, str(e)]
r = requests.get(U + "/bytes/{size}", stream=True)
out["stream"] = sum(len(c) for c in r.iter_content(65536))
out["gzip"] = requests.get(U + "/gzip").json()
for name, call in [("refused", lambda: requests.get("http://127.0.0.1:{closed_port}/")),
                   ("timeout", lambda: requests.get(U + "/slow/5", timeout=0.5))]:
    try:
        call()
    except requests.RequestException as e:
        out[name] = [type(e).__name__, isinstance(e, requests.ConnectionError), isinstance(e, requests.Timeout)]
with requests.Session() as s:
    out["session"] = s.get(U + "/json").json()
r = urllib3.request("GET", U + "/json")
out["urllib3"] = [r.status, r.json()]
"""


def check_requests(out: dict[str, Any], api: str, size: int, browser: bool = False) -> None:
    assert out["json"] == [200, {"hello": "world", "n": 1}, "application/json"]
    # a browser follows redirects itself: requests sees the last answer only (and gives the
    # URL it asked for, as in Pyodide)
    assert out["redirect"] == ([200, api + "/redirect-twice", []] if browser else [200, api + "/json", [301, 302]])
    assert out["post"] == ['{"a": 1}', "application/json", "yes"]
    assert out["404"][:2] == [404, False] and out["404"][2].startswith("404 Client Error")
    assert out["stream"] == size
    assert out["gzip"] == {"hello": "world", "n": 1}
    assert out["refused"] == ["ConnectionError", True, False]
    assert out["timeout"] == ["ReadTimeout", False, True]
    assert out["session"] == {"hello": "world", "n": 1}
    assert out["urllib3"] == [200, {"hello": "world", "n": 1}]


@pytest.mark.usefixtures("dist")
def test_requests_in_pinnace_python(tmp_path: Path, api: str, closed_port: int) -> None:
    """A plain `import requests` fetches requests, urllib3, certifi, charset-normalizer and idna
    from the lock; requests' redirects, errors and timeouts are its own."""
    code = REQUESTS.format(api=api, closed_port=closed_port, size=TEN_MB)
    check_requests(run_script(tmp_path, code + "print(json.dumps(out))"), api, TEN_MB)


@pytest.mark.chromium
def test_requests_on_a_page_and_in_a_worker(page: Any, server: StaticServer, api: str,
                                            closed_port: int) -> None:  # fmt: skip
    """On a page (runPythonAsync: the import and every request wait through JSPI) and in a
    Web Worker (synchronous XMLHttpRequest; a refused connection is a network error there)."""
    code = REQUESTS.format(api=api, closed_port=closed_port, size=1_000_000) + "json.dumps(out)"
    assert "%" not in code
    on_page = last_json(PageRunner(page, server).run(f"""
const py = await loadPinnace();
console.log(await py.runPythonAsync({json.dumps(code)}));
"""))
    check_requests(on_page, api, 1_000_000, browser=True)
    source = ('import { loadPinnace } from "%(base)sdist/pinnace.mjs";\n'
              "const py = await loadPinnace();\n"
              f"postMessage({{ value: JSON.parse(py.runPython({json.dumps(code)})) }});")  # fmt: skip
    in_worker = run_worker(page, server, source, "module")[-1]["value"]
    # XMLHttpRequest cannot tell a refused connection from CORS: a network error, requests'
    # ConnectionError all the same
    check_requests(in_worker, api, 1_000_000, browser=True)


PYODIDE_STYLE = """
import js, json
from pyodide.ffi import create_proxy, create_once_callable, to_js, JsArray, JsProxy, JsException, JsPromise
from pyodide.http import pyfetch, open_url
from pyodide.code import eval_code, find_imports, run_js
U = {api!r}
out = {{}}
r = await pyfetch(U + "/echo", method="POST", body=json.dumps({{"x": 1}}), headers={{"X-Custom": "yes"}})
out["pyfetch"] = [r.status, r.ok, (await r.json())["body"], r.headers["content-type"]]
out["string"] = await (await pyfetch(U + "/json")).string()
calls = []
proxy = create_proxy(lambda value, index, array: calls.append(value))
js.Array.new(1, 2, 3).forEach(proxy)
proxy.destroy()
out["proxy"] = calls
out["kinds"] = [isinstance(to_js([1, 2]), JsArray), isinstance(js.Object.new(), JsArray),
                isinstance(js.Promise.resolve(1), JsPromise), isinstance(js.Array.new(), JsProxy)]
try:
    js.JSON.parse("{{")
except JsException as e:
    out["error"] = e.name
out["eval_code"] = [eval_code("a = 2\\na * 21"), eval_code("a * 21;"), find_imports("import numpy as np\\nfrom scipy import linalg")]
out["run_js"] = run_js("6 * 7")
json.dumps(out)
"""


def test_pyodide_style_code_runs_unchanged(js: Node | PageRunner, api: str) -> None:
    """Code written for Pyodide: pyodide.ffi, pyodide.http and pyodide.code."""
    code = json.dumps(PYODIDE_STYLE.format(api=api))
    out = last_json(js.run(f"""
const py = await loadPinnace();
try {{ console.log(await py.runPythonAsync({code})); }}
catch (e) {{ console.log(JSON.stringify({{ failed: e.message }})); }}
"""))
    assert "failed" not in out, out["failed"]
    assert out["pyfetch"] == [200, True, '{"x": 1}', "application/json"]
    assert json.loads(out["string"]) == {"hello": "world", "n": 1}
    assert out["proxy"] == [1, 2, 3]
    assert out["kinds"] == [True, False, True, True]
    assert out["error"] == "SyntaxError"
    assert out["eval_code"] == [42, None, ["numpy", "scipy"]]
    assert out["run_js"] == 42


HTTPX = """
import json
import httpx
U = {api!r}
out = {{}}
r = {wait}client.get(U + "/json")
out["json"] = [r.status_code, r.json()]
r = {wait}client.get(U + "/redirect-twice")
out["redirect"] = [r.status_code, r.is_redirect]
r = {wait}client.get(U + "/redirect-twice", follow_redirects=True)
out["followed"] = [r.status_code, str(r.url), [h.status_code for h in r.history]]
r = {wait}client.post(U + "/echo", json={{"a": 1}})
out["post"] = r.json()["body"]
out["gzip"] = ({wait}client.get(U + "/gzip")).json()
r = {wait}client.get(U + "/status/404")
try:
    r.raise_for_status()
except httpx.HTTPStatusError as e:
    out["404"] = e.response.status_code
for name, url, timeout in [("refused", "http://127.0.0.1:{closed_port}/", None),
                           ("timeout", U + "/slow/5", 0.5)]:
    try:
        {wait}client.get(url, timeout=timeout)
    except httpx.HTTPError as e:
        out[name] = type(e).__name__
"""


def check_httpx(out: dict[str, Any], api: str, browser: bool = False) -> None:
    assert out["json"] == [200, {"hello": "world", "n": 1}]
    # httpx follows redirects only when asked; a browser follows them itself
    assert out["redirect"] == ([200, False] if browser else [301, True])
    assert out["followed"] == ([200, api + "/redirect-twice", []] if browser
                               else [200, api + "/json", [301, 302]])  # fmt: skip
    assert out["post"] == '{"a":1}'
    assert out["gzip"] == {"hello": "world", "n": 1}
    assert out["404"] == 404
    assert out["refused"] == "ConnectError" and out["timeout"] == "ReadTimeout"


@pytest.mark.usefixtures("dist")
def test_httpx_in_pinnace_python(tmp_path: Path, api: str, closed_port: int) -> None:
    code = "client = __import__('httpx').Client()\n" + HTTPX.format(api=api, closed_port=closed_port, wait="")
    check_httpx(run_script(tmp_path, code + "print(json.dumps(out))"), api)


def test_async_httpx(js: Node | PageRunner, api: str, closed_port: int) -> None:
    """httpx.AsyncClient in runPythonAsync, in node and on a page: awaited, in every host."""
    code = ("import httpx\nclient = httpx.AsyncClient()\n"
            + HTTPX.format(api=api, closed_port=closed_port, wait="await ") + "json.dumps(out)")  # fmt: skip
    out = last_json(js.run(f"""
const py = await loadPinnace();
try {{ console.log(await py.runPythonAsync({json.dumps(code)})); }}
catch (e) {{ console.log(JSON.stringify({{ failed: e.message }})); }}
"""))
    assert "failed" not in out, out["failed"]
    check_httpx(out, api, browser=isinstance(js, PageRunner))
