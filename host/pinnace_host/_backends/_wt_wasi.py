"""A wasmtime ``WasiConfig`` from a ``Wasi``: only what is granted, nothing inherited but
(optionally) the output streams."""

from __future__ import annotations

import ctypes

import wasmtime
from wasmtime import _bindings as ffi

from .._wasi import Wasi

WASI_MODULES = ("wasi_snapshot_preview1", "wasi_unstable")


def wasi_config(
    wasi: Wasi, program: str
) -> tuple[wasmtime.WasiConfig, tuple[bytearray, bytearray] | None]:
    """Return the config and, when output is captured, the (stdout, stderr) buffers it fills."""
    config = wasmtime.WasiConfig()
    config.argv = [program, *wasi.args]
    config.env = [(key, value) for key, value in wasi.env.items()]
    stdin = ffi.wasm_byte_vec_t()
    data = bytes(wasi.stdin)
    buffer = (ffi.wasm_byte_t * len(data)).from_buffer_copy(data)
    ffi.wasm_byte_vec_new(ctypes.byref(stdin), len(data), buffer)
    ffi.wasi_config_set_stdin_bytes(config.ptr(), ctypes.byref(stdin))  # takes ownership
    captured: tuple[bytearray, bytearray] | None = None
    if wasi.capture_output:
        out, err = bytearray(), bytearray()
        config.stdout_custom = out.extend
        config.stderr_custom = err.extend
        captured = (out, err)
    else:
        config.inherit_stdout()
        config.inherit_stderr()
    for guest, host, writable in wasi.grants():
        config.preopen_dir(str(host), guest, writable)
    return config, captured
