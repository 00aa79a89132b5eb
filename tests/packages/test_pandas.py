"""pandas in wasm (issue 12): a plain `import pandas` with nothing declared first fetches pandas,
numpy, libopenblas, python-dateutil, six, tzdata and pytz; data frames read and write CSV and JSON on
the virtual file system and in memory; time zones work from the tzdata package (wasm has no
system zoneinfo); a malformed CSV is pandas' own clear error; and a named part of pandas' own
test suite passes inside the wasm build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.hosts import Node
from support.pkgdist import dist_with
from support.wasm_suite import chosen, run_suite

CHAIN = {"pandas", "numpy", "libopenblas", "python-dateutil", "six", "tzdata", "pytz"}

WORK = """
import io, os, sys, zoneinfo
import pandas as pd
csv = "city,temp,day\\nParis,12.5,2026-01-01\\nLyon,9.0,2026-01-01\\nParis,14.5,2026-01-02\\n"
df = pd.read_csv(io.StringIO(csv), parse_dates=["day"])
means = df.groupby("city")["temp"].mean().to_dict()
df.to_csv("/tmp/cities.csv", index=False)
back = pd.read_csv("/tmp/cities.csv", parse_dates=["day"])
paris = pd.Timestamp("2026-07-01 12:00", tz="Europe/Paris")
as_json = df.assign(day=df["day"].dt.strftime("%Y-%m-%d")).to_json(orient="records")
merged = pd.DataFrame({"city": ["Paris", "Lyon"], "pop": [2.1, 0.5]}).merge(df, on="city")
result = {
    "means": means,
    "roundtrip": back.equals(df),
    "utc": str(paris.tz_convert("UTC")),
    "range": [str(t) for t in pd.date_range("2026-03-29", periods=2, freq="D", tz="Europe/Paris")],
    "zoneinfo": str(zoneinfo.ZoneInfo("America/New_York").utcoffset(pd.Timestamp("2026-01-15").to_pydatetime())),
    "json": pd.read_json(io.StringIO(as_json)).shape,
    "html": "<td>Lyon</td>" in df.to_html(),
    "merged": merged.groupby("city")["pop"].first().to_dict(),
    "pivot": df.pivot_table(index="city", columns=df["day"].dt.day, values="temp").shape,
    "modules": sorted(m for m in ("numpy", "dateutil", "pytz") if m in sys.modules),
}
"""

EXPECTED = {
    "means": {"Lyon": 9.0, "Paris": 13.5},
    "roundtrip": True,
    "utc": "2026-07-01 10:00:00+00:00",
    "range": ["2026-03-29 00:00:00+01:00", "2026-03-30 00:00:00+02:00"],
    "zoneinfo": "-1 day, 19:00:00",
    "json": (3, 3),
    "html": True,
    "merged": {"Lyon": 0.5, "Paris": 2.1},
    "pivot": (2, 2),
    "modules": ["dateutil", "numpy", "pytz"],
}


@pytest.fixture
def pandas_dist(dist: Path) -> Path:
    return dist_with(dist, CHAIN)


def test_plain_import_reads_groups_writes_and_knows_time_zones(node: Node, pandas_dist: Path) -> None:
    out = node.run(
        """
        const py = await loadPinnace({ packageCacheDir: null });
        py.runPython(__CODE__);
        console.log(py.runPython("import json\\njson.dumps(result)"));
        """.replace("__CODE__", json.dumps(WORK))
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got == json.loads(json.dumps(EXPECTED))


def test_load_package_fetches_the_chain(node: Node, pandas_dist: Path) -> None:
    out = node.run(
        """
        const py = await loadPinnace({ packageCacheDir: null });
        console.log(JSON.stringify((await py.loadPackage("pandas")).sort()));
        """
    )
    assert json.loads(out.strip().splitlines()[-1]) == sorted(CHAIN)


def test_a_malformed_csv_is_pandas_own_error(node: Node, pandas_dist: Path) -> None:
    out = node.run(
        """
        const py = await loadPinnace({ packageCacheDir: null });
        try {
          py.runPython("import io, pandas as pd\\npd.read_csv(io.StringIO('a,b\\\\n1,2\\\\n3,4,5,6\\\\n'))");
        } catch (e) { console.log(e.type); console.log(e.message.trim().split("\\n").pop()); }
        console.log(py.runPython("import io, pandas as pd\\nint(pd.read_csv(io.StringIO('a,b\\\\n1,2\\\\n')).sum().sum())"));
        """
    )
    lines = out.strip().splitlines()
    assert lines[0] == "ParserError"
    assert lines[1] == (
        "pandas.errors.ParserError: Error tokenizing data. C error: Expected 2 fields in line 3, saw 4"
    )
    assert lines[2] == "3"  # the interpreter and pandas go on


# pandas' own tests, run inside the wasm build: PANDAS_TESTS in `make test`, PANDAS_TESTS_FULL in
# `make test-full`.  Lists and counts: docs/pandas.md.
PANDAS_TESTS = [
    "pandas.tests.frame.test_arithmetic",
    "pandas.tests.groupby.test_groupby",
    "pandas.tests.reshape.test_pivot",
    "pandas.tests.io.parser.test_read_fwf",
    "pandas.tests.io.json.test_normalize",
    "pandas.tests.tslibs",
    "pandas.tests.tseries.offsets.test_offsets",
]
PANDAS_TESTS_FULL = [
    "pandas.tests.frame",
    "pandas.tests.groupby",
    "pandas.tests.reshape",
    "pandas.tests.io.parser",
    "pandas.tests.io.json",
    "pandas.tests.tseries",
    "pandas.tests.tslibs",
    "pandas.tests.arithmetic",
]
PANDAS_SKIPS = {
    "thread or Thread or TestReadCsvParallel": "no threads in this build (CPython without pthreads)",
    "subprocess or test_no_timezone_data": "no subprocesses on emscripten (test_no_timezone_data runs Python in one)",
    "test_categorical_dtype_high_cardinality_numeric": (
        "its expected frame takes numpy's default integer, 32-bit on wasm32 as on every 32-bit "
        "platform, while read_csv gives int64"),
    "test_to_records_with_Mapping_type": (
        "uses email.message after a bare `import email`: natively another module has imported "
        "email.message by then"),
}  # fmt: skip
# pandas' own markers: `network` needs the internet, `db` database servers, neither here;
# `slow` ones run in `make test-full` only.
PANDAS_MARKERS = "not network and not db"


@pytest.mark.slow
def test_pandas_test_suite(pandas_dist: Path) -> None:
    markers = chosen(f"{PANDAS_MARKERS} and not slow", PANDAS_MARKERS)
    # pandas_data_files: pandas' sdist ships its tests without their data files; the tests
    # that read one skip ("Could not find file"), as with pandas' --no-strict-data-files
    run_suite(chosen(PANDAS_TESTS, PANDAS_TESTS_FULL), PANDAS_SKIPS, ("-m", markers),
              plugins=("pandas_data_files",))  # fmt: skip
