"""What the runtime's modules share: the bottom layer, importing nothing of Pinnace's.

* :data:`RUNTIME_DIR` and :data:`STDLIB_DIR`: where the runtime's and the core stdlib's code
  objects say they come from ("/lib/python313.zip/pinnace/", "/lib/python313.zip/"); frames
  from these files are the runtime's machinery.
* :data:`HOST_LOOP`: whether a host event loop (a page, a worker, a Node program) runs Python,
  so that nothing may block waiting for it; False in ``pinnace python``, whose program is the
  main one.  Set once, by ``pinnace._run.start``.
* :func:`in_trio_task`: whether the running code is a Trio task.
* :data:`page_output`: where output of the running ``<script type="py">`` goes on the page (a
  function giving the element, or None when no page script runs); set by ``pinnace.web``, used
  by the matplotlib backend too.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# co_filename, not __file__: the runtime is loaded from the stdlib zip, where __file__ names
# the .pyc while code objects name the .py inside the archive.
RUNTIME_DIR = (lambda: None).__code__.co_filename.rpartition("/")[0] + "/"
STDLIB_DIR = RUNTIME_DIR[:-1].rpartition("/")[0] + "/"

HOST_LOOP = False

page_output: Callable[[], Any] = lambda: None  # noqa: E731  (pinnace.web replaces it)


def in_trio_task() -> bool:
    """Whether the running code is a Trio task (of pinnace.trio.run or a blocking trio.run)."""
    run = sys.modules.get("trio._core._run")
    return run is not None and hasattr(run.GLOBAL_RUN_CONTEXT, "task")
