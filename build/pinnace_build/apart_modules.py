"""Extension modules of CPython built apart from the interpreter, as wasm side modules for the
stdlib pieces (stdlib_pieces.py):

* ``TEST``: CPython's test extension modules (``_testcapi``, ``_testinternalcapi``,
  ``_testbuffer``, ...), for the ``test`` piece.  The interpreter is configured
  ``--disable-test-modules``: nothing of them in the main module or the core download.
* ``CJK``: the CJK codecs (``_multibytecodec`` and ``_codecs_cn``/``hk``/``iso2022``/``jp``/
  ``kr``/``tw``: 0.7 MB of mapping tables), for the ``cjkcodecs`` piece.  The cross build
  compiles them as builtins; the main module's link leaves them out (``MAIN_MODULE_LEAVES_OUT``,
  link.py) and its inittab with them.

Either way the cross build's own flags stay as they are: changing them would change the CPython
step's key and so rebuild every package.  This step compiles the modules apart, against the
finished cross build, exactly as CPython's Makefile would (makesetup's rules for a ``*shared*`` module): each source with
``$(PY_STDMODULE_CFLAGS) $(CCSHARED)`` in the build directory, the objects linked with
``$(BLDSHARED)`` into ``<name>$(EXT_SUFFIX)``.  Their sources are read from
``Modules/Setup.stdlib.in``, so they follow the pinned CPython.  They load like any side module:
what they call must be exported by the main module (tests/build/test_side_module_imports.py
checks that for every side module in dist/).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from .cache import BuildError, Step, log, run_logged
from .cpython import WasmBuild, make_vars
from .toolchain import Toolchain


@dataclass(frozen=True)
class Group:
    step_name: str
    modules: tuple[str, ...]


# Left out: _testexternalinspection (reads another process's memory: Linux and macOS only) and
# _xxtestfuzz (a fuzzing entry point, no test imports it).
TEST = Group("cpython-test-modules", (
    "_testcapi", "_testinternalcapi", "_testlimitedcapi", "_testbuffer", "_testclinic",
    "_testclinic_limited", "_testimportmultiple", "_testmultiphase", "_testsinglephase",
    "_ctypes_test", "xxsubtype",
))  # fmt: skip
# The codec modules import _multibytecodec by name (cjkcodecs.h) when they are first used.
CJK = Group("cpython-cjk-modules", (
    "_multibytecodec", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr",
    "_codecs_tw",
))  # fmt: skip


def sources(srcdir: Path, modules: tuple[str, ...]) -> dict[str, list[str]]:
    """Each module's sources (relative to Modules/), from Setup.stdlib.in's rules."""
    found: dict[str, list[str]] = {}
    for line in (srcdir / "Modules" / "Setup.stdlib.in").read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0].startswith("@MODULE_"):
            name = words[0].split("@")[-1]  # "@MODULE__TESTCAPI_TRUE@_testcapi" -> "_testcapi"
            if name in modules:
                found[name] = words[1:]
    missing = set(modules) - set(found)
    if missing:
        raise BuildError(f"Setup.stdlib.in has no rule for {sorted(missing)}")
    return found


def step(tc: Toolchain, cp: WasmBuild, group: Group) -> Step:
    return Step(group.step_name,
                {"cpython": cp.builddir.name, "toolchain": tc.config.parent.name,
                 "modules": group.modules, "v": 1})  # fmt: skip


def _build(tc: Toolchain, cp: WasmBuild, group: Group, out: Path) -> None:
    v = make_vars(cp.builddir, ["CC", "PY_STDMODULE_CFLAGS", "CCSHARED", "BLDSHARED",
                                "EXT_SUFFIX"])  # fmt: skip
    cc = shlex.split(v["CC"])
    cflags = shlex.split(v["PY_STDMODULE_CFLAGS"]) + shlex.split(v["CCSHARED"])
    env = tc.env()
    logfile = out / "build.log"
    for name, files in sources(cp.srcdir, group.modules).items():
        log(f"{group.step_name}: {name}")
        objects = []
        for rel in files:
            obj = out / "obj" / name / (rel.replace("/", "_") + ".o")
            obj.parent.mkdir(parents=True, exist_ok=True)
            src = cp.srcdir / "Modules" / rel
            run_logged([*cc, *cflags, "-c", str(src), "-o", str(obj)], logfile,
                       cwd=cp.builddir, env=env)  # fmt: skip
            objects.append(str(obj))
        run_logged([*shlex.split(v["BLDSHARED"]), *objects, "-o",
                    str(out / f"{name}{v['EXT_SUFFIX']}")], logfile, cwd=cp.builddir, env=env)  # fmt: skip


def build(tc: Toolchain, cp: WasmBuild, group: Group) -> dict[str, Path]:
    """The group's side modules, by module name (built if needed)."""
    out = step(tc, cp, group).ensure(lambda out: _build(tc, cp, group, out))
    suffix = cp.make_var("EXT_SUFFIX")
    return {name: out / f"{name}{suffix}" for name in group.modules}
