"""The numpy demo's plot: numpy computes, the page's canvas (reached through `import js`) draws.

Left: sin and cos over one period. Right: a histogram of 10,000 normally distributed samples.
"""

import js
import numpy as np

canvas = js.document.getElementById("plot")
ctx = canvas.getContext("2d")
PAD = 30
PANEL_W = (canvas.width - 3 * PAD) / 2
PANEL_H = canvas.height - 2 * PAD


def frame(left: float) -> None:
    ctx.strokeStyle = "#8c959f"
    ctx.lineWidth = 1
    ctx.strokeRect(left, PAD, PANEL_W, PANEL_H)


def polyline(xs: np.ndarray, ys: np.ndarray, color: str) -> None:
    ctx.strokeStyle = color
    ctx.lineWidth = 2.5
    ctx.beginPath()
    ctx.moveTo(xs[0], ys[0])
    for x, y in zip(xs[1:].tolist(), ys[1:].tolist()):
        ctx.lineTo(x, y)
    ctx.stroke()


ctx.clearRect(0, 0, canvas.width, canvas.height)

# sin and cos: map [0, 2π] x [-1, 1] onto the left panel
frame(PAD)
t = np.linspace(0, 2 * np.pi, 400)
px = PAD + t / (2 * np.pi) * PANEL_W
middle, scale = PAD + PANEL_H / 2, PANEL_H / 2 - 8
polyline(px, middle - np.sin(t) * scale, "#1f6feb")
polyline(px, middle - np.cos(t) * scale, "#d1242f")

# the histogram: 40 bins over [-4, 4], the tallest bar reaching the panel's top
left = 2 * PAD + PANEL_W
frame(left)
samples = np.random.default_rng(2024).normal(size=10_000)
counts, edges = np.histogram(samples, bins=40, range=(-4, 4))
bar_w = PANEL_W / counts.size
heights = counts / counts.max() * (PANEL_H - 8)
ctx.fillStyle = "#2da44e"
for i, h in enumerate(heights.tolist()):
    ctx.fillRect(left + i * bar_w + 1, PAD + PANEL_H - h, bar_w - 2, h)

js.document.getElementById("summary").textContent = (
    f"{samples.size} samples: mean {samples.mean():.3f}, std {samples.std():.3f}; "
    f"the fullest bin [{edges[counts.argmax()]:.1f}, {edges[counts.argmax() + 1]:.1f}) "
    f"holds {counts.max()}."
)
np.__version__  # noqa: B018 -- the value runPythonAsync returns to the page
