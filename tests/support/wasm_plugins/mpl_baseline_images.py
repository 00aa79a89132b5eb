"""A pytest plugin for matplotlib's own suite in the wasm build (`-p mpl_baseline_images`).

matplotlib's wheel leaves out the data of its tests (meson's `tests` install tag: 34 MB of
baseline images that no user of a page should download), and `matplotlib.tests` refuses to be
imported without its `baseline_images` directory.  This copies, before pytest collects, the
baseline images of the test modules on the command line (and the shared ones) from matplotlib's
sdist (extracted on
the host, named by the PINNACE_MPL_BASELINE environment variable, which `pinnace python` passes
on and whose files it sees) into the installed `matplotlib/tests`."""

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any


def pytest_configure(config: Any) -> None:
    source = Path(os.environ["PINNACE_MPL_BASELINE"])
    spec = importlib.util.find_spec("matplotlib")  # installs matplotlib, imports nothing of it
    assert spec is not None and spec.origin is not None
    target = Path(spec.origin).parent / "tests" / "baseline_images"
    target.mkdir(exist_ok=True)
    modules = {arg.rsplit(".", 1)[-1] for arg in config.args}
    for d in sorted(source.iterdir()):
        # a module's own images, and the shared ones (pngsuite/, which test_image reads)
        if d.is_dir() and (d.name in modules or not d.name.startswith("test_")):
            if not (target / d.name).exists():
                shutil.copytree(d, target / d.name)
