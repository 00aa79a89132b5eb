// Which directory caches package files: the one given (packageCacheDir), else none for a file:
// index (read in place), Electron's user-data directory in Electron's main process,
// ~/.cache/pinnace-packages in Node; none in Electron's other contexts.  Never inside an ASAR
// archive (read-only).
import { PackageError } from "../errors.js";
import { isInsideAsar, nodeModule, type Host } from "../environment.js";
import type { NodeModules } from "./node.js";

export async function chooseCacheDir(given: string | null | undefined, indexURL: string, host: Host,
                                     n: NodeModules): Promise<string | undefined> {
  let dir: string;
  if (given) dir = n.path.resolve(given);
  else if (given === null || indexURL.startsWith("file:")) return undefined;
  else if (host.environment === "electron-main") dir = n.path.join(await electronUserData(host), "pinnace-packages");
  else if (host.environment === "node") dir = n.path.join(n.os.homedir(), ".cache", "pinnace-packages");
  // Electron's other contexts cannot ask `app` (main-process only) for the user-data
  // directory: renderers use the Cache API, utility processes cache nothing, unless given.
  else return undefined;
  if (isInsideAsar(dir)) {
    throw new PackageError(
      `packageCacheDir ${dir} is inside an ASAR archive, which is read-only; ` +
        `use a writable directory such as app.getPath("userData")`,
    );
  }
  return dir;
}

/** packageCacheDir where nothing can write files (no Node): an error saying what to do. */
export function noFilesHere(given: string, host: Host): PackageError {
  return new PackageError(
    `packageCacheDir ${given} was given, but this context (${host.environment}) cannot write ` +
      "files: it has no Node. In an Electron renderer without nodeIntegration, downloads are " +
      "cached with the Cache API",
  );
}

/** Electron's user-data directory, from the main process's `electron` module. */
async function electronUserData(host: Host): Promise<string> {
  const { createRequire } = await nodeModule<typeof import("node:module")>("module");
  const { pathToFileURL } = await nodeModule<typeof import("node:url")>("url");
  const base = (import.meta as { url?: string }).url ?? pathToFileURL(process.cwd() + "/").href;
  const electron = createRequire(base)("electron") as { app?: { getPath(name: string): string } };
  const advice = "pass loadPinnace({ packageCacheDir }) or packageCacheDir: null";
  if (!electron.app) {
    throw new PackageError(
      `Electron (${host.environment}) has no \`app\` here to ask for the user-data directory; ${advice}`,
    );
  }
  try {
    return electron.app.getPath("userData");
  } catch (e) {
    throw new PackageError(`Electron's app.getPath("userData") failed (${(e as Error)?.message ?? e}); ${advice}`);
  }
}
