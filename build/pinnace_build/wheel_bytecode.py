"""Adds bytecode to a wheel.  Run by the *native* build python of Pinnace's CPython (the same
version as the wasm interpreter, so the same bytecode), not imported: see bytecode.py.

usage: python -I wheel_bytecode.py IN.whl OUT.whl SITE_PACKAGES

Every ``.py`` of the wheel outside ``tests`` and ``_tests`` directories and the ``.dist-info``/``.data``
folders gets ``__pycache__/<module>.cpython-3XX.pyc`` beside it, hash-based and unchecked: the
import system loads it without reading the source, and never compares the two.  The ``.py``
files stay (tracebacks show their lines).  RECORD lists the new files with their hashes.  A
module that does not compile gets no bytecode (importing it raises its SyntaxError as ever);
it is named on stderr.
"""

import base64
import hashlib
import importlib.util
import marshal
import sys
import zipfile

UNCHECKED_HASH = (0b01).to_bytes(4, "little")
DATE = (2000, 1, 1, 0, 0, 0)  # fixed: the same wheel in gives the same wheel out
TEST_DIRS = {"tests", "_tests"}  # a package's test suite: compiled when it runs, if ever


def wants_bytecode(name: str) -> bool:
    parts = name.split("/")
    return (name.endswith(".py") and not parts[0].endswith((".dist-info", ".data"))
            and not TEST_DIRS & set(parts[:-1]))  # fmt: skip


def bytecode(source: bytes, filename: str) -> bytes:
    code = compile(source, filename, "exec", dont_inherit=True)
    return (importlib.util.MAGIC_NUMBER + UNCHECKED_HASH + importlib.util.source_hash(source)
            + marshal.dumps(code))  # fmt: skip


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main(src: str, dst: str, site_packages: str) -> int:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        names = set(zin.namelist())
        records = [n for n in names if n.endswith(".dist-info/RECORD") and n.count("/") == 1]
        if len(records) != 1:
            print(f"{src}: expected one .dist-info/RECORD, found {records}", file=sys.stderr)
            return 2
        added: list[str] = []
        for info in zin.infolist():
            if info.filename == records[0]:
                continue  # written last, with the bytecode's lines
            data = zin.read(info)
            zout.writestr(info, data)
            pyc_name = importlib.util.cache_from_source(info.filename)
            if not wants_bytecode(info.filename) or pyc_name in names:
                continue
            try:
                pyc = bytecode(data, f"{site_packages}/{info.filename}")
            except (SyntaxError, ValueError) as e:
                print(f"{info.filename}: no bytecode ({type(e).__name__}: {e})", file=sys.stderr)
                continue
            entry = zipfile.ZipInfo(pyc_name, DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zout.writestr(entry, pyc, compresslevel=9)
            added.append(record_line(pyc_name, pyc))
        lines = zin.read(records[0]).decode().splitlines()
        zout.writestr(zin.getinfo(records[0]), "\n".join([*lines, *added]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
