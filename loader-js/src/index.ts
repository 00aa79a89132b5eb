// Pinnace's JS loader, as an ES module: import { loadPinnace } from ".../pinnace.mjs".  On a
// page, importing it also runs the page's <script type="py"> (page.ts); `pinnace.ready` is the
// page's interpreter.  In a worker the page started for a <script type="py" worker>, it runs
// that script (worker-script.ts).
import { startPageScripts } from "./page.js";
import { startWorkerScript } from "./worker-script.js";
export { loadPinnace, Pinnace, VERSION as version } from "./pinnace.js";
export type { LoadOptions, RunOptions } from "./pinnace.js";
export type { PyBuffer, PyProxy } from "./ffi/types.js";
export type { ToJsOptions } from "./ffi/convert.js";
export {
  DestroyedProxyError, FetchError, InternalError, LoadError, PackageError, PinnaceError, PythonError,
  StartError, SuspendedError,
} from "./errors.js";
export type { FetchFailure } from "./errors.js";
export { detectEnvironment } from "./environment.js";
export { showFigures, isFigureMessage } from "./figures.js";
export type { FigureMessage, ShowFiguresOptions } from "./figures.js";
export type { Environment } from "./environment.js";
export type { OutputOption, InputOption } from "./streams.js";
export type { PackageOptions, PackageProgress } from "./packages/manager.js";
export { pinnace } from "./page.js";
export type { PageConfig } from "./page.js";

startPageScripts();
startWorkerScript();
