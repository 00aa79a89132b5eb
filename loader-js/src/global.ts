// Pinnace's JS loader as a classic script: <script src=".../pinnace.js"> defines the globals
// loadPinnace, PythonError and LoadError.
import { loadPinnace } from "./pinnace.js";
import { LoadError, PythonError } from "./errors.js";
import { PackageError } from "./packages.js";

Object.assign(globalThis, { loadPinnace, PythonError, LoadError, PackageError });
