"""Files beyond memory (docs/files.md): host folders mounted with loadPinnace({mounts}) in Node
(read-write and read-only), a persistent folder in Chromium that survives a real page reload
(IndexedDB), and archives unpacked from JS and from Python."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pinnace_build.serve import StaticServer
from support.api_server import archive
from support.hosts import Node
from support.runners import PY_ATTEMPT, PageRunner, last_json

WRITES = ["write", "append", "remove", "mkdir", "chmod", "utime", "rename", "truncate"]

MOUNTED = """
import os, json
out = {}
with open("/data/new.txt", "w") as f:
    f.write("from python")
os.makedirs("/data/sub/deeper")
out["listed"] = sorted(os.listdir("/data"))
out["read"] = open("/ref/a.txt").read()
""" + PY_ATTEMPT + """attempt("write", lambda: open("/ref/b.txt", "w"))
attempt("append", lambda: open("/ref/a.txt", "a"))
attempt("remove", lambda: os.remove("/ref/a.txt"))
attempt("mkdir", lambda: os.mkdir("/ref/d"))
attempt("chmod", lambda: os.chmod("/ref/a.txt", 0o600))
attempt("utime", lambda: os.utime("/ref/a.txt", (1, 1)))
attempt("rename", lambda: os.rename("/ref/a.txt", "/ref/c.txt"))
attempt("truncate", lambda: os.truncate("/ref/a.txt", 0))
json.dumps(out)
"""


def test_host_folders_read_write_and_read_only(node: Node, tmp_path: Path) -> None:
    rw, ro = tmp_path / "rw", tmp_path / "ro"
    rw.mkdir()
    ro.mkdir()
    (ro / "a.txt").write_text("hello")
    before = (ro / "a.txt").stat()
    mounts = {"/data": str(rw), "/ref": {"path": str(ro), "readOnly": True}}
    out = last_json(node.run(f"""
const py = await loadPinnace({{ mounts: {json.dumps(mounts)} }});
console.log(py.runPython({json.dumps(MOUNTED)}));
"""))
    assert out.pop("listed") == ["new.txt", "sub"]
    assert out.pop("read") == "hello"
    for name in WRITES:
        assert out.pop(name) == "OSError 69 Read-only file system", name
    assert out == {}
    assert (rw / "new.txt").read_text() == "from python" and (rw / "sub" / "deeper").is_dir()
    # nothing of the read-only folder changed on the host
    assert sorted(p.name for p in ro.iterdir()) == ["a.txt"]
    after = (ro / "a.txt").stat()
    assert (after.st_mode, after.st_mtime, after.st_size) == (before.st_mode, before.st_mtime, 5)


def test_a_mount_that_cannot_be_made_is_a_start_error(node: Node, tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    cases = [{"/x": str(tmp_path / "missing")}, {"/x": str(tmp_path / "file.txt")},
             {"relative": str(tmp_path)}, {"/x": {"persist": "indexeddb"}},
             {"/x": {"persist": "somewhere"}}, {"/x": {"persist": "opfs"}}]  # fmt: skip
    out = node.run(f"""
for (const mounts of {json.dumps(cases)}) {{
  try {{ await loadPinnace({{ mounts }}); console.log("no error"); }}
  catch (e) {{ console.log(e.name + ": " + e.message); }}
}}
""").splitlines()
    assert out == [
        f"StartError: Pinnace: mounts: /x: {tmp_path}/missing: ENOENT: no such file or directory, "
        f"stat '{tmp_path}/missing'",
        f"StartError: Pinnace: mounts: /x: {tmp_path}/file.txt is not a folder",
        'StartError: Pinnace: mounts: "relative" must be an absolute path below /',
        "StartError: Pinnace: mounts: /x: persist \"indexeddb\" needs a browser's IndexedDB, which "
        "node does not have; mount a host folder instead: { path }",
        'StartError: Pinnace: mounts: /x: persist "somewhere" is not known; use persist: "indexeddb" '
        'or "opfs"',
        "StartError: Pinnace: mounts: /x: persist \"opfs\" needs a browser's origin-private file "
        "system, which node does not have; mount a host folder instead: { path }",
    ]


# Whether the browser's store of the folder holds `path` (/home/user/...), read straight from it.
STORED = {
    # IDBFS: a database named after the mount point, its files in FILE_DATA by path
    "indexeddb": """(path) => new Promise((resolve, reject) => {
        const open = indexedDB.open("/home/user");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains("FILE_DATA")) return resolve(false);
            const get = db.transaction("FILE_DATA").objectStore("FILE_DATA").getKey(path);
            get.onsuccess = () => { resolve(get.result !== undefined); db.close(); };
            get.onerror = () => reject(get.error);
        };
    })""",
    # OPFS: pinnace/<mount point>/<path>
    "opfs": """async (path) => {
        let dir = await navigator.storage.getDirectory();
        const parts = ["pinnace", ...path.split("/").filter(Boolean)];
        try {
            for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
            await dir.getFileHandle(parts[parts.length - 1]);
            return true;
        } catch (e) {
            if (e.name === "NotFoundError") return false;
            throw e;
        }
    }""",
}


@pytest.mark.chromium
@pytest.mark.parametrize("store", ["indexeddb", "opfs"])
def test_a_persistent_folder_survives_a_page_reload(page: Any, server: StaticServer, store: str) -> None:
    persist = f'{{ mounts: {{ "/home/user": {{ persist: "{store}" }} }} }}'
    runner = PageRunner(page, server)
    first = last_json(runner.run(f"""
const py = await loadPinnace({persist});
py.runPython(`
import os
os.makedirs("/home/user/notes/old", exist_ok=True)
with open("/home/user/notes/a.txt", "w") as f:
    f.write("kept")
with open("/home/user/data.bin", "wb") as f:
    f.write(bytes(range(256)) * 100)
with open("/home/user/gone.txt", "w") as f:
    f.write("removed before the reload")
`);
await py.syncFiles();
py.runPython("os.remove('/home/user/gone.txt'); os.rmdir('/home/user/notes/old')");
// written back by itself after that run (no syncFiles): wait until IndexedDB has lost gone.txt
const stored = {STORED[store]};
for (let i = 0; i < 100 && await stored("/home/user/gone.txt"); i++) await new Promise((r) => setTimeout(r, 50));
py.runPython("open('/home/user/later.txt', 'w').write('auto')");
for (let i = 0; i < 100 && !(await stored("/home/user/later.txt")); i++) await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({{ gone: await stored("/home/user/gone.txt"), later: await stored("/home/user/later.txt") }}));
"""))
    assert first == {"gone": False, "later": True}
    page.reload()
    after = last_json(PageRunner(page, server).run(f"""
const py = await loadPinnace({persist});
console.log(py.runPython(`
import json, os
json.dumps({{"tree": sorted(os.path.relpath(os.path.join(d, f), "/home/user")
                            for d, dirs, files in os.walk("/home/user") for f in files + dirs),
            "a": open("/home/user/notes/a.txt").read(),
            "data": open("/home/user/data.bin", "rb").read() == bytes(range(256)) * 100,
            "later": open("/home/user/later.txt").read()}})
`));
"""))
    assert after == {"tree": ["data.bin", "later.txt", "notes", "notes/a.txt"], "a": "kept",
                     "data": True, "later": "auto"}  # fmt: skip


def test_unpack_archives_from_js_and_python(node: Node, api: str) -> None:
    zipped = base64.b64encode(archive("zip")).decode()
    tgz = base64.b64encode(archive("tar.gz")).decode()
    evil_tar = base64.b64encode(archive("tar.gz", {"../evil.txt": b"x", "ok.txt": b"y"})).decode()
    evil_zip = base64.b64encode(archive("zip", {"../evil.txt": b"x", "ok.txt": b"y"})).decode()
    code = f"""
import json, os, pinnace
from pinnace.http import fetch_sync
def tree(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
out = {{"zip": tree("/x/zip"), "tgz": tree("/x/tgz"), "zip-b": open("/x/zip/dir/b.txt").read()}}
fetch_sync("{api}/archive.tar.gz").unpack_archive("/x/fetched")
pinnace.unpack_archive(fetch_sync("{api}/archive.zip").content, "/x/bytes", "zip")
out["fetched"], out["bytes"] = tree("/x/fetched"), tree("/x/bytes")
out["evil-zip"] = tree("/x/evil-zip") + (["LEAKED"] if os.path.exists("/x/evil.txt") else [])
json.dumps(out)
"""
    out = last_json(node.run(f"""
const py = await loadPinnace();
const bytes = (b64) => Uint8Array.from(Buffer.from(b64, "base64"));
py.unpackArchive(bytes({zipped!r}), "zip", {{ extractDir: "/x/zip" }});
py.unpackArchive(bytes({tgz!r}).buffer, "tar.gz", {{ extractDir: "/x/tgz" }});
py.unpackArchive(bytes({evil_zip!r}), "zip", {{ extractDir: "/x/evil-zip" }});
let refused;
try {{ py.unpackArchive(bytes({evil_tar!r}), "tgz", {{ extractDir: "/x/evil-tar" }}); }}
catch (e) {{ refused = e.type + ": " + e.message.trim().split("\\n").pop(); }}
let unknown;
try {{ py.unpackArchive(bytes({zipped!r}), "rar"); }}
catch (e) {{ unknown = e.message.trim().split("\\n").pop(); }}
const out = JSON.parse(py.runPython({json.dumps(code)}));
console.log(JSON.stringify({{ ...out, refused, unknown }}));
"""))
    assert out["zip"] == out["tgz"] == out["fetched"] == out["bytes"] == ["a.txt", "dir/b.txt"]
    assert out["zip-b"] == "beta"
    assert out["evil-zip"] == ["ok.txt"]  # the member that would leave the folder is skipped
    assert out["refused"].startswith("OutsideDestinationError:")
    assert out["unknown"].startswith("ValueError: unknown archive format 'rar'")
