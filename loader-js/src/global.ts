// Pinnace's JS loader as a classic script: <script src=".../pinnace.js"> defines the globals
// loadPinnace, detectEnvironment and the error classes (PinnaceError, PythonError, LoadError,
// PackageError, ...; see errors.ts).
import { loadPinnace } from "./pinnace.js";
import {
  DestroyedProxyError, FetchError, InternalError, LoadError, PackageError, PinnaceError, PythonError,
  StartError, SuspendedError,
} from "./errors.js";
import { detectEnvironment } from "./environment.js";

Object.assign(globalThis, {
  loadPinnace, detectEnvironment, DestroyedProxyError, FetchError, InternalError, LoadError,
  PackageError, PinnaceError, PythonError, StartError, SuspendedError,
});
