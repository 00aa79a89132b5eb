// Pinnace's JS loader as a classic script: <script src=".../pinnace.js"> defines the globals
// loadPinnace, PythonError, LoadError, PackageError and detectEnvironment.
import { loadPinnace } from "./pinnace.js";
import { LoadError, PythonError } from "./errors.js";
import { PackageError } from "./packages.js";
import { detectEnvironment } from "./environment.js";

Object.assign(globalThis, { loadPinnace, PythonError, LoadError, PackageError, detectEnvironment });
