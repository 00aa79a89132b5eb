// The versions this loader was built for, injected at build time (esbuild `define`, see
// loader-js/buildinfo.mjs) from build/pinnace_build/versions.py, the one place they are written.

interface BuildInfo {
  /** Pinnace's version, e.g. "0.1.0". */
  version: string;
  /** CPython's version, e.g. "3.13.5". */
  python: string;
  /** CPython's X.Y, e.g. "3.13". */
  python_major_minor: string;
  /** The wheel platform tag of packages built for this runtime. */
  platform: string;
}

declare const __PINNACE_BUILD__: BuildInfo;

export const BUILD: BuildInfo = __PINNACE_BUILD__;
export const VERSION = BUILD.version;
const XY = BUILD.python_major_minor;
/** The stdlib archive in indexURL, and its path in the Emscripten FS under /lib. */
export const STDLIB_ZIP = `python${XY.replace(".", "")}.zip`;
export const SITE_PACKAGES = `/lib/python${XY}/site-packages`;
