// matplotlib figures that Python in a Web Worker shows: the worker's backend
// (runtime/pinnace/matplotlib_backend.py) posts each drawing as a message, and showFigures
// draws it on this page, one <canvas> per figure, redrawn in place when the figure is drawn again.

/** What the worker posts for one drawing of one figure. */
export interface FigureMessage {
  type: "pinnace:figure";
  /** The figure's number (or label), unique within its worker. */
  figure: string;
  /** The id of the page element to show it in (matplotlib_backend.set_target), or null. */
  target: string | null;
  /** Size in device pixels, and the device pixel ratio it was drawn at. */
  width: number;
  height: number;
  ratio: number;
  /** RGBA, width * height * 4 bytes. */
  pixels: Uint8ClampedArray<ArrayBuffer>;
}

export interface ShowFiguresOptions {
  /** Where a figure without a target of its own goes: an element or its id (default: the end of
   * the document's body). */
  target?: HTMLElement | string;
}

/** Whether a worker's message is a figure to show. */
export function isFigureMessage(data: unknown): data is FigureMessage {
  const d = data as Partial<FigureMessage> | null;
  return (
    typeof d === "object" && d !== null && d.type === "pinnace:figure" &&
    typeof d.figure === "string" && d.pixels instanceof Uint8ClampedArray &&
    Number.isInteger(d.width) && Number.isInteger(d.height) &&
    d.pixels.length === (d.width as number) * (d.height as number) * 4
  );
}

function element(target: HTMLElement | string | null | undefined): HTMLElement | null {
  if (target === null || target === undefined) return null;
  return typeof target === "string" ? document.getElementById(target) : target;
}

/** Draw on this page the matplotlib figures that Python in `worker` shows.  Returns a function
 * that stops listening (the canvases stay). */
export function showFigures(worker: Worker, options: ShowFiguresOptions = {}): () => void {
  const canvases = new Map<string, HTMLCanvasElement>();
  const listener = (event: MessageEvent): void => {
    const m = event.data;
    if (!isFigureMessage(m)) return;
    let canvas = canvases.get(m.figure);
    if (canvas === undefined) {
      canvas = document.createElement("canvas");
      canvas.className = "pinnace-figure";
      canvas.setAttribute("aria-label", `Figure ${m.figure}`);
      (element(m.target) ?? element(options.target) ?? document.body).appendChild(canvas);
      canvases.set(m.figure, canvas);
    }
    const ratio = m.ratio > 0 ? m.ratio : 1;
    canvas.width = m.width;
    canvas.height = m.height;
    canvas.style.width = `${m.width / ratio}px`;
    canvas.style.height = `${m.height / ratio}px`;
    canvas.getContext("2d")?.putImageData(new ImageData(m.pixels, m.width, m.height), 0, 0);
  };
  worker.addEventListener("message", listener);
  return () => worker.removeEventListener("message", listener);
}
