"""A figure-rendering workload run unchanged in wasm (`pinnace python`) and natively by
bench/stacks.py: Agg draws a line plot with 10,000 points and text, a scatter of 5,000 points,
an image with a colour bar, a filled contour and a constrained-layout grid of four axes, and
writes PNG and SVG.  Prints one JSON line: operation -> best of 5, in ms."""

import io
import json

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
from best_of import best

rng = np.random.default_rng(0)
x = np.linspace(0, 20, 10_000)


def line() -> None:
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    ax.plot(x, np.sin(x) * np.exp(-x / 10), label="damped")
    ax.set_title("A damped sine: e^(-x/10) sin x")
    ax.legend()
    fig.canvas.draw()
    plt.close(fig)


def scatter() -> None:
    fig, ax = plt.subplots()
    ax.scatter(rng.random(5000), rng.random(5000), c=rng.random(5000), s=4)
    fig.canvas.draw()
    plt.close(fig)


def image() -> None:
    fig, ax = plt.subplots()
    fig.colorbar(ax.imshow(rng.random((256, 256))))
    fig.canvas.draw()
    plt.close(fig)


def contour() -> None:
    gx, gy = np.meshgrid(np.linspace(-3, 3, 200), np.linspace(-3, 3, 200))
    fig, ax = plt.subplots()
    ax.contourf(gx, gy, np.exp(-(gx**2 + gy**2)) * np.cos(3 * gx), levels=20)
    fig.canvas.draw()
    plt.close(fig)


def grid() -> None:
    fig, axes = plt.subplots(2, 2, layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.plot(x[:500], np.cos(x[:500] * (i + 1)))
        ax.set_title(f"panel {i + 1}")
    fig.canvas.draw()
    plt.close(fig)


def save(fmt: str) -> bytes:
    fig, ax = plt.subplots()
    ax.plot(x[:2000], np.sin(x[:2000]))
    out = io.BytesIO()
    fig.savefig(out, format=fmt)
    plt.close(fig)
    return out.getvalue()


# The answers, checked before anything is timed.
assert save("png").startswith(b"\x89PNG") and b"<svg" in save("svg")
fig, ax = plt.subplots()
ax.plot(x, np.sin(x))
fig.canvas.draw()
rgba = np.asarray(fig.canvas.buffer_rgba())
assert rgba.shape == (480, 640, 4) and (rgba[..., :3] < 128).any()  # something dark was drawn
plt.close(fig)


print(
    json.dumps(
        {
            "line, 10k points + text": best(line),
            "scatter, 5k points": best(scatter),
            "image + colour bar": best(image),
            "contourf 200x200": best(contour),
            "constrained 2x2 grid": best(grid),
            "savefig png": best(lambda: save("png")),
            "savefig svg": best(lambda: save("svg")),
        }
    )
)
