"""The virtual file system keeps files right (loader-js/src/fs-fixes.ts), in the in-memory file
system of every host and in the host folders of `pinnace python`: through the write-then-rename
pattern (the way programs save a file safely: after a rename onto an existing file, removing
the result and creating the name again gives a real file in its directory), and in its file
times (os.utime sets the modification time, chmod leaves it, shutil.copy2 copies it), and in
os.fstat of a file removed while open (tempfile.TemporaryFile) or of a pipe; /dev/null seeks;
symbolic links: readlink gives the link's text, a loop ends in ELOOP (pathlib's glob through
one finishes)."""

from __future__ import annotations

import json
from pathlib import Path

from support.hosts import Node, run_pinnace_python

SAVE_REMOVE_CREATE = """
import errno, json, os, shutil, stat, sys, tempfile
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
os.utime(p("data.txt"), (1_000_000_000, 1_500_000_000))
os.chmod(p("data.txt"), 0o600)                   # a mode change is no modification
shutil.copy2(p("data.txt"), p("copy.txt"))       # copies data, mode and times
shutil.copy2(p("copy.txt"), p("data.txt"))
open(p("times.txt"), "w").close()
os.utime(p("times.txt"), (1_000_000_000, 1_500_000_000))  # never read after: atime stays
t = tempfile.TemporaryFile(dir=d)                # removed at once, used by descriptor
t.write(b"abc"); t.flush()
u = open(p("gone.txt"), "wb"); u.write(b"12345"); u.flush(); os.remove(p("gone.txt"))
r, w = os.pipe()
fstats = [os.fstat(t.fileno()).st_size, os.fstat(u.fileno()).st_size,
          os.path.exists(p("gone.txt")), stat.S_ISFIFO(os.fstat(r).st_mode)]
with open(os.devnull, "wb") as null:             # seeks, as on Linux
    null.write(b"x" * 10)
    null_seek = [null.seek(0), null.seek(0, 2)]
os.mkdir(p("links")); open(p("links/f"), "w").write("q")
os.symlink("f", p("links/rel")); os.symlink("..", p("links/up"))   # "up" makes a loop
deep = "links/" + "up/links/" * 45 + "f"                           # 45 links in one path
try:
    os.stat(p(deep)); loop = "resolved"
except OSError as e:
    loop = e.errno == errno.ELOOP
import pathlib
globbed = sorted(str(q.relative_to(d)) for q in pathlib.Path(d).glob("links/**", recurse_symlinks=True)
                 if q.parts.count("up") <= 1)
try:
    open(p("links/f/under-a-file"), "w"); not_dir = "created"
except NotADirectoryError:
    not_dir = "NotADirectoryError"
links = [not_dir, os.readlink(p("links/rel")), open(p("links/rel")).read(), loop, len(globbed) > 3]
result = {"links": links, "null": null_seek, "fstat": fstats, "saved": saved, "listing": sorted(os.listdir(d)),
          "read": open(p("data.txt")).read(), "isdir": os.path.isdir(p("empty.d")),
          "mtimes": [os.stat(p(n)).st_mtime for n in ("data.txt", "copy.txt")],
          "mode": oct(os.stat(p("copy.txt")).st_mode & 0o777)}
print(json.dumps(result))
"""
EXPECTED = {"links": ["NotADirectoryError", "f", "q", True, True], "null": [0, 0], "fstat": [3, 5, False, True],
            "saved": "second", "listing": ["copy.txt", "data.txt", "empty.d", "links", "times.txt"],
            "read": "third", "isdir": True, "mtimes": [1_500_000_000.0, 1_500_000_000.0],
            "mode": "0o600"}


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
    # and the host sees the same, both file times included
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.txt", "data.txt", "empty.d",
                                                          "links", "times.txt"]  # fmt: skip
    assert (tmp_path / "links" / "rel").readlink() == Path("f")
    assert (tmp_path / "data.txt").read_text() == "third"
    st = (tmp_path / "times.txt").stat()
    assert (st.st_atime, st.st_mtime) == (1_000_000_000, 1_500_000_000)


def test_a_host_link_keeps_its_mode(tmp_path: Path, dist: Path) -> None:
    # As on Linux, a symbolic link's own mode cannot change: NotImplementedError, which
    # tempfile's and shutil's clean-ups expect (node's chmod followed it: FileNotFoundError).
    (tmp_path / "dangling").symlink_to("nowhere")
    code = f"""
import os
try:
    os.chmod({str(tmp_path / "dangling")!r}, 0o600, follow_symlinks=False)
    print("changed")
except NotImplementedError:
    print("NotImplementedError")
"""
    res = run_pinnace_python(["-c", code])
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    assert res.stdout.decode().split() == ["NotImplementedError"]
