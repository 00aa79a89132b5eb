"""matplotlib's backend in Pinnace: figures drawn by Agg, shown on the page.

matplotlib as Pinnace builds it (recipes/matplotlib) names this module as its default backend
(``backend: module://pinnace.matplotlib_backend`` in its matplotlibrc); ``matplotlib.use(...)``
and ``MPLBACKEND`` still choose another.  Agg renders; where the pixels go depends on the host:

* a page: a ``<canvas>`` per figure, placed in the element whose id is the figure's target
  (``set_target``) or, without one (or without such an element), after the running
  ``<script type="py">`` (pinnace.web's output element) or else at the end of ``document.body``;
* a Web Worker: the pixels are posted to the page (``postMessage`` of a ``pinnace.figure``
  message, the buffer transferred); the page draws them with the loader's ``showFigures``;
* Node (no page): ``show()`` does nothing; ``savefig`` works as with Agg.

A shown figure is drawn again whenever it is drawn (``fig.canvas.draw()``, ``draw_idle()``,
``plt.show()`` again): the same canvas, new pixels.  Figures are drawn at the page's
``devicePixelRatio`` and shown at their size in CSS pixels, so that they are sharp.
"""

from __future__ import annotations

from typing import Any

import js  # type: ignore[import-not-found]
from matplotlib.backend_bases import FigureManagerBase, _Backend
from matplotlib.backends.backend_agg import FigureCanvasAgg

from . import _state
from .ffi import jsnull, to_js

MESSAGE_TYPE = "pinnace:figure"
_default_target: str | None = None


def set_target(element_id: str | None) -> None:
    """Show figures shown from now on in the page element with this id (None: at the end of
    the page's body).  A figure keeps the target it was first shown in."""
    global _default_target
    _default_target = element_id


def _host() -> str:
    """"page", "worker" or "none" (Node, Electron's main process)."""
    if getattr(js, "document", None) is not None:
        return "page"
    if getattr(js, "WorkerGlobalScope", None) is not None:  # defined in workers only
        return "worker"
    return "none"


class FigureCanvasPinnace(FigureCanvasAgg):
    manager: FigureManagerPinnace | None  # type: ignore[assignment]
    manager_class: type[FigureManagerPinnace]  # set below the manager's class

    def draw(self) -> None:
        super().draw()
        if self.manager is not None and self.manager.shown:
            self.manager.paint()


class FigureManagerPinnace(FigureManagerBase):
    def __init__(self, canvas: FigureCanvasPinnace, num: int | str) -> None:
        super().__init__(canvas, num)
        self.shown = False
        self.host = "none"  # where show() found itself: _host()
        self.target: str | None = None
        self._element: Any = None  # the page's <canvas> (pages only)

    def set_target(self, element_id: str | None) -> None:
        """Show this figure in the page element with this id."""
        self.target = element_id

    def show(self) -> None:
        if not self.shown:
            self.host = _host()
            if self.host == "none":
                return
            self.shown = True
            if self.target is None:
                self.target = _default_target
            if self.host == "page":
                ratio = float(getattr(js, "devicePixelRatio", 1) or 1)
                self.canvas._set_device_pixel_ratio(ratio)
        self.canvas.draw()  # draws, then paints (shown)

    def paint(self) -> None:
        """Send the pixels Agg drew to the page."""
        renderer = self.canvas.get_renderer()
        width, height = int(renderer.width), int(renderer.height)
        pixels = js.Uint8ClampedArray.new(width * height * 4)
        pixels.assign(renderer.buffer_rgba())
        ratio = self.canvas.device_pixel_ratio
        if self.host == "worker":
            message = to_js({
                "type": MESSAGE_TYPE, "figure": str(self.num), "target": self.target,
                "width": width, "height": height, "ratio": ratio, "pixels": pixels,
            }, dict_converter=js.Object.fromEntries)  # fmt: skip
            js.postMessage(message, to_js([pixels.buffer]))
            return
        if self._element is None:
            self._element = js.document.createElement("canvas")
            self._element.className = "pinnace-figure"
            self._element.setAttribute("aria-label", f"Figure {self.num}")
            parent = js.document.getElementById(self.target) if self.target else None
            if parent is None or parent is jsnull:  # no target, or no element with that id:
                # after the running <script type="py">, else at the end of the body
                parent = _state.page_output() or js.document.body
            parent.appendChild(self._element)
        element = self._element
        element.width, element.height = width, height
        element.style.width = f"{width / ratio}px"
        element.style.height = f"{height / ratio}px"
        element.getContext("2d").putImageData(js.ImageData.new(pixels, width, height), 0, 0)


FigureCanvasPinnace.manager_class = FigureManagerPinnace


@_Backend.export
class _BackendPinnace(_Backend):
    FigureCanvas = FigureCanvasPinnace
    FigureManager = FigureManagerPinnace
    mainloop = None  # nothing to run: show() paints and returns
