// The lock file, pinnace-lock.json (pyodide-lock's schema, see docs/packages.md): what the
// loader needs of it to fetch packages.  Deciding what to install is Python's job
// (runtime/pinnace/_packages.py), which reads the same text.
import { PackageError } from "../errors.js";

export const LOCK_NAME = "pinnace-lock.json";

/** One package of the lock file (the fields the loader reads). */
export interface LockEntry {
  name: string;
  version: string;
  file_name: string;
  sha256: string;
  /** bytes, for progress totals */
  size?: number;
  /** the wheel's .so files, relative to site-packages */
  shared_libraries?: string[];
}

export interface Lock {
  /** The lock file's text ("" when the distribution has none), as Python reads it. */
  text: string;
  packages: Record<string, LockEntry>;
}

/** Parse the lock file's bytes (null: the distribution has no lock, so no packages). */
export function parseLock(bytes: Uint8Array | null, url: string): Lock {
  const text = bytes ? new TextDecoder().decode(bytes) : "";
  if (!text) return { text, packages: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PackageError(`${url} is not valid JSON (${(e as Error).message})`, undefined, url);
  }
  const packages = (data as { packages?: unknown } | null)?.packages;
  if (typeof packages !== "object" || packages === null || Array.isArray(packages)) {
    throw new PackageError(`${url} has no "packages" object: is it a ${LOCK_NAME}?`, undefined, url);
  }
  const all = packages as Record<string, unknown>;
  for (const [name, e] of Object.entries(all)) {
    const problem = entryProblem(e, all);
    if (problem) throw new PackageError(`${url}: the entry of package ${name} ${problem}`, name, url);
  }
  return { text, packages: packages as Record<string, LockEntry> };
}

const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");

/** What is wrong with one entry of the lock, or undefined: every field the loader and the
 * runtime (runtime/pinnace/_packages.py) read has its type, the sha256 is one, dependencies
 * name packages of the lock, and shared libraries are bare file names. */
function entryProblem(e: unknown, all: Record<string, unknown>): string | undefined {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return "is not an object";
  const x = e as Record<string, unknown>;
  if (typeof x.file_name !== "string" || !x.file_name || typeof x.sha256 !== "string") return "has no file_name or sha256";
  if (!/^[0-9a-f]{64}$/.test(x.sha256)) return "has a sha256 that is not 64 hex digits";
  if (typeof x.version !== "string" || !x.version) return "has no version";
  for (const key of ["imports", "depends", "shared_libraries", "imported_by"]) {
    if (x[key] !== undefined && !isStrings(x[key])) return `has a ${key} that is not a list of strings`;
  }
  if (x.size !== undefined && !(Number.isSafeInteger(x.size) && (x.size as number) >= 0)) return "has a size that is not a byte count";
  if (x.install_dir !== undefined && x.install_dir !== "site" && x.install_dir !== "dynlib") {
    return `has an unknown install_dir ${JSON.stringify(x.install_dir)}`;
  }
  const missing = ((x.depends as string[] | undefined) ?? []).filter((d) => !Object.hasOwn(all, d));
  if (missing.length) return `depends on ${missing.join(", ")}, which the lock does not have`;
  if (x.install_dir === "dynlib") {
    const libs = (x.shared_libraries as string[] | undefined) ?? [];
    if (!libs.length) return "is a shared library package that names no shared_libraries";
    if (libs.some((f) => !/^[\w.+-]+$/.test(f) || f.startsWith("."))) return "names a shared library that is not a plain file name";
  }
  return undefined;
}

/** The lock entry of a package Python asked for by name. */
export function entryOf(lock: Lock, name: string): LockEntry {
  const entry = lock.packages[name];
  if (!entry) throw new PackageError(`no package ${JSON.stringify(name)} in ${LOCK_NAME}`, name);
  return entry;
}

/** Where a package's file is: where `fileURLs` says, else its file_name relative to the package index. */
export function entryURL(entry: LockEntry, indexURL: string, fileURLs: Record<string, string> = {}): string {
  return fileURLs[entry.file_name] ?? new URL(entry.file_name, indexURL).href;
}
