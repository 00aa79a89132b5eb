"""A pytest plugin for the packages' suites in the wasm build (`-p deselect_exact`): deselects
the tests whose names (with their parameters, ``test_figure[png]``) are listed, one per line, in
the PINNACE_DESELECT environment variable (support.wasm_suite.run_suite's ``exact``, each with
its reason there).  A name that matches no collected test is an error: the list stays true."""

import os
from typing import Any


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    names = {n for n in os.environ.get("PINNACE_DESELECT", "").splitlines() if n}
    if not names:
        return
    found = {item.name for item in items} & names
    if found != names:
        raise ValueError(f"PINNACE_DESELECT names tests that were not collected: "
                         f"{sorted(names - found)}")  # fmt: skip
    deselected = [item for item in items if item.name in names]
    items[:] = [item for item in items if item.name not in names]
    config.hook.pytest_deselected(items=deselected)
