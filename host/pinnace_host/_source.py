"""Turn what the user passed to ``load``/``run`` (a path, wasm bytes or WAT text) into wasm bytes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ._errors import InvalidModule

Source = str | bytes | bytearray | memoryview | os.PathLike[str]
WASM_MAGIC = b"\0asm"


@dataclass(frozen=True)
class ModuleBytes:
    wasm: bytes
    name: str  # a name for argv[0] and messages: the file name, or "module.wasm"


def looks_like_wat(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith(("(", ";;"))


def _wat_to_wasm(text: str) -> bytes:
    import wasmtime

    try:
        return bytes(wasmtime.wat2wasm(text))
    except wasmtime.WasmtimeError as exc:
        raise InvalidModule(f"invalid WAT text: {exc}") from None


def read_source(source: Source) -> ModuleBytes:
    """Return the wasm bytes of ``source``.

    ``bytes`` starting with the wasm magic number are a binary module; other ``bytes`` and a
    ``str`` whose first non-blank character is ``(`` (or a ``;;`` comment) are WAT text;
    any other ``str`` and every ``os.PathLike`` is a path to a ``.wasm`` or ``.wat`` file.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if data.startswith(WASM_MAGIC):
            return ModuleBytes(data, "module.wasm")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidModule(
                "bytes are neither a wasm binary (no \\0asm magic number) nor UTF-8 WAT text"
            ) from None
        if not looks_like_wat(text):
            raise InvalidModule("bytes are neither a wasm binary nor WAT text")
        return ModuleBytes(_wat_to_wasm(text), "module.wasm")
    if isinstance(source, str) and looks_like_wat(source):
        return ModuleBytes(_wat_to_wasm(source), "module.wat")
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"source must be a path, wasm bytes or WAT text, not {type(source).__name__}"
        )
    path = Path(source)
    data = path.read_bytes()
    if data.startswith(WASM_MAGIC):
        return ModuleBytes(data, path.name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidModule(f"{path}: not a wasm binary (no \\0asm magic number)") from None
    if not looks_like_wat(text):
        raise InvalidModule(f"{path}: not a wasm binary (no \\0asm magic number) nor WAT text")
    return ModuleBytes(_wat_to_wasm(text), path.name)
