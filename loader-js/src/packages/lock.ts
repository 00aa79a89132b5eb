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
  for (const [name, e] of Object.entries(packages as Record<string, Partial<LockEntry>>)) {
    if (typeof e?.file_name !== "string" || typeof e.sha256 !== "string") {
      throw new PackageError(`${url}: the entry of package ${name} has no file_name or sha256`, name, url);
    }
  }
  return { text, packages: packages as Record<string, LockEntry> };
}

/** The lock entry of a package Python asked for by name. */
export function entryOf(lock: Lock, name: string): LockEntry {
  const entry = lock.packages[name];
  if (!entry) throw new PackageError(`no package ${JSON.stringify(name)} in ${LOCK_NAME}`, name);
  return entry;
}

/** Where a package's file is: its file_name relative to the package index. */
export function entryURL(entry: LockEntry, indexURL: string): string {
  return new URL(entry.file_name, indexURL).href;
}
