"""Looking at screenshots without Pillow: decode a PNG (8-bit, non-interlaced, as Chromium
writes them) into rows of pixels, to check that what a person sees is not blank."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

CHANNELS = {2: 3, 6: 4}  # PNG colour type -> channels (RGB, RGBA)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def decode_png(path: Path) -> tuple[list[bytes], int]:
    """The image's rows, each ``width * channels`` bytes, and the channels per pixel."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in CHANNELS or interlace:
                raise ValueError(f"{path}: unsupported PNG (depth {depth}, type {ctype})")
            channels = CHANNELS[ctype]
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            line[i] = (line[i] + (0, a, b, (a + b) // 2, _paeth(a, b, c))[ftype]) & 0xFF
        rows.append(bytes(line))
        prev = line
    return rows, channels


def distinct_colours(path: Path) -> int:
    """How many different pixel values the screenshot has (a blank page has one)."""
    rows, channels = decode_png(path)
    seen = set()
    for row in rows:
        for x in range(0, len(row), channels):
            seen.add(row[x : x + 3])
    return len(seen)
