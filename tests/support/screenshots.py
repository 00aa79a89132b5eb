"""What the demo tests look at: screenshots, decoded (Pillow), and the colours in them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

RGB = tuple[int, int, int]


def screenshot(target: Any, path: Path) -> Image.Image:
    """Save a screenshot of `target` (a Playwright page or locator) to `path`; the image, RGB."""
    target.screenshot(path=str(path))
    return Image.open(path).convert("RGB")


def hex_rgb(color: str) -> RGB:
    value = int(color.lstrip("#"), 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF)


def pixels_like(image: Image.Image, color: str, tolerance: int = 48) -> list[tuple[int, int]]:
    """(x, y) of every pixel within `tolerance` of `color` (#rrggbb) in each channel."""
    r, g, b = hex_rgb(color)
    width = image.width
    return [
        (i % width, i // width)
        for i, got in enumerate(pixels(image))
        if abs(got[0] - r) <= tolerance and abs(got[1] - g) <= tolerance
        and abs(got[2] - b) <= tolerance
    ]  # fmt: skip


def pixels(image: Image.Image) -> list[RGB]:
    data = image.tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def color_count(image: Image.Image) -> int:
    """How many distinct colours the image has (1 for a blank one)."""
    return len(set(pixels(image)))


def luminance(p: RGB) -> float:
    return 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]
