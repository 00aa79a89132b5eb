// Pinnace's JS loader as a classic script: <script src=".../pinnace.js"> defines the globals
// loadPinnace, detectEnvironment, showFigures and the error classes (PinnaceError, PythonError,
// LoadError, PackageError, ...; see errors.ts).
import { loadPinnace } from "./pinnace.js";
import {
  DestroyedProxyError, FetchError, InternalError, LoadError, PackageError, PinnaceError, PythonError,
  StartError, SuspendedError,
} from "./errors.js";
import { detectEnvironment } from "./environment.js";
import { showFigures } from "./figures.js";

Object.assign(globalThis, {
  loadPinnace, detectEnvironment, showFigures, DestroyedProxyError, FetchError, InternalError, LoadError,
  PackageError, PinnaceError, PythonError, StartError, SuspendedError,
});
