"""Pyodide's Python API as thin aliases of Pinnace's own modules, so that code and libraries
written for Pyodide run unchanged: ``pyodide.ffi`` (pinnace.ffi), ``pyodide.http``
(pinnace.http), ``pyodide.code`` (pinnace's runPython).  docs/http.md lists what is covered and
what is not.

``pyodide`` is importable, not imported at start: a library that tests ``"pyodide" in
sys.modules`` to reach Pyodide's internals (``pyodide_js``) takes its other path, which is the
one that works here.
"""

#: The Pyodide release whose API these aliases follow.
__version__ = "0.29.0"

__all__ = ["__version__"]
