// Pinnace's JS loader as a classic script: <script src=".../pinnace.js"> defines the globals
// loadPinnace, detectEnvironment, showFigures, pinnace (`await pinnace.ready`: the page's
// interpreter) and the error classes (PinnaceError, PythonError, LoadError, PackageError, ...;
// see errors.ts), and runs the page's <script type="py"> (page.ts).
import { loadPinnace } from "./pinnace.js";
import {
  DestroyedProxyError, FetchError, InternalError, LoadError, PackageError, PinnaceError, PythonError,
  StartError, SuspendedError,
} from "./errors.js";
import { detectEnvironment } from "./environment.js";
import { showFigures } from "./figures.js";
import { pinnace, startPageScripts } from "./page.js";

Object.assign(globalThis, {
  loadPinnace, detectEnvironment, showFigures, pinnace, DestroyedProxyError, FetchError, InternalError, LoadError,
  PackageError, PinnaceError, PythonError, StartError, SuspendedError,
});
startPageScripts();
