// The versions the loader is built for, from build/pinnace_build/versions.py (the one place
// they are written): PINNACE_BUILD_INFO (JSON, set by `pinnace build dist`) or, when the loader is
// bundled on its own, what `python3 versions.py` prints.  Used as esbuild's `define` by build.mjs
// and by the unit tests' runner (test/run.mjs).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));

export function buildInfo() {
  const given = process.env.PINNACE_BUILD_INFO;
  const text = given ?? execFileSync(process.env.PYTHON ?? "python3",
                                     [path.join(here, "..", "build", "pinnace_build", "versions.py")],
                                     { encoding: "utf8" });
  return JSON.parse(text);
}

/** esbuild's `define` for src/version.ts. */
export function buildDefine() {
  return { __PINNACE_BUILD__: JSON.stringify(buildInfo()) };
}
