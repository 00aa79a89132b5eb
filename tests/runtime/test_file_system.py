"""The virtual file system keeps files right through the write-then-rename pattern (the way
programs save a file safely): after a rename onto an existing file, removing the result and
creating the name again gives a real file in its directory, in the in-memory file system of
every host and in the host folders of `pinnace python` (loader-js/src/fs-rename.ts)."""

from __future__ import annotations

import json
from pathlib import Path

from support.hosts import Node, run_pinnace_python

SAVE_REMOVE_CREATE = """
import json, os, sys
d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fs-rename"
os.makedirs(d, exist_ok=True)
p = lambda name: os.path.join(d, name)
open(p("new.tmp"), "w").write("second")
open(p("data.txt"), "w").write("first")
os.replace(p("new.tmp"), p("data.txt"))          # a safe save: write, then rename over
saved = open(p("data.txt")).read()
os.remove(p("data.txt"))
open(p("data.txt"), "w").write("third")          # the name again, as a new file
os.mkdir(p("old.d")); os.mkdir(p("empty.d"))
os.rename(p("old.d"), p("empty.d"))              # a directory onto an empty one
os.rmdir(p("empty.d"))
os.mkdir(p("empty.d"))
os.rename(p("data.txt"), p("data.txt"))          # onto itself: nothing happens
result = {"saved": saved, "listing": sorted(os.listdir(d)),
          "read": open(p("data.txt")).read(), "isdir": os.path.isdir(p("empty.d"))}
print(json.dumps(result))
"""
EXPECTED = {"saved": "second", "listing": ["data.txt", "empty.d"], "read": "third", "isdir": True}


def test_in_memory_file_system(node: Node) -> None:
    out = node.run(
        f"""
        const py = await loadPinnace({{ packageCacheDir: null }});
        py.runPython({json.dumps(SAVE_REMOVE_CREATE)});
        """
    )
    assert json.loads(out.strip().splitlines()[-1]) == EXPECTED


def test_host_folders_of_pinnace_python(tmp_path: Path, dist: Path) -> None:
    res = run_pinnace_python(["-c", SAVE_REMOVE_CREATE, str(tmp_path)])
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    assert json.loads(res.stdout.decode().strip().splitlines()[-1]) == EXPECTED
    # and the host sees the same
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt", "empty.d"]
    assert (tmp_path / "data.txt").read_text() == "third"
