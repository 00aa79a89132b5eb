"""Pinnace's in-wasm runtime package.

This package runs inside the WebAssembly interpreter; it ships in the stdlib archive of dist/.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
