"""A pytest plugin for pandas' own suite in the wasm build (`-p pandas_data_files`).

pandas' sdist, which Pinnace's wheel is built from, ships pandas' tests without their data
files (pandas/tests/io/data, io/parser/data).  pandas' `--no-strict-data-files` option makes the
tests that read them skip ("Could not find file ..."), but pandas/conftest.py registers that
option only after pytest has parsed a `--pyargs` command line, so it cannot be given there.
Setting the option's value before pandas registers it has the same effect: pytest keeps a value
that is already set when it adds an option's default."""

from typing import Any


def pytest_configure(config: Any) -> None:
    config.option.strict_data_files = False
