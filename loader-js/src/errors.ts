// Every error the loader throws: one base class, PinnaceError, and one subclass per kind of
// failure, each carrying what went wrong as fields (not only as text).  This module is a leaf:
// it imports nothing, so every layer can use it.

/** Why the bytes at a URL could not be had: what `FetchError`, `LoadError` and `PackageError`
 * carry in `failure`. */
export type FetchFailure =
  /** The server answered with a status other than 200. */
  | { kind: "http"; status: number; statusText: string }
  /** No answer, or the connection broke (`received`: bytes that had arrived by then). */
  | { kind: "network"; detail: string; received?: number }
  /** A local file (file: URL) that is not there, or not readable from this page. */
  | { kind: "missing"; detail?: string }
  /** Any other failure to read a local file (permissions, ...). */
  | { kind: "unreadable"; detail: string }
  /** The server stopped sending: nothing arrived for `ms` milliseconds (`received` bytes had). */
  | { kind: "timeout"; ms: number; received: number }
  /** Nothing listens at the address (Node tells this apart; browsers do not). */
  | { kind: "refused"; detail: string }
  /** A browser would not hand the answer to this page: the server answers, but not with an
   * Access-Control-Allow-Origin for the page's `origin`. */
  | { kind: "cors"; origin: string };

/** The text of a failure, e.g. "HTTP 404 Not Found" or "network error after 10 bytes (...)":
 * the one place these messages are made. */
export function describeFailure(f: FetchFailure): string {
  switch (f.kind) {
    case "http":
      return `HTTP ${f.status} ${f.statusText}`.trim();
    case "network":
      return f.received === undefined
        ? `network error (${f.detail})`
        : `network error after ${f.received} bytes (${f.detail})`;
    case "missing":
      return f.detail ?? "file not found";
    case "unreadable":
      return f.detail;
    case "timeout":
      return `timed out: nothing received for ${f.ms / 1000} s` + (f.received ? ` after ${f.received} bytes` : "");
    case "refused":
      return `connection refused (${f.detail})`;
    case "cors":
      return `blocked by CORS: the server did not allow this page's origin (${f.origin}) to read ` +
        "the answer (no Access-Control-Allow-Origin header for it)";
  }
}

/** Whether a failure means "there is no such file" (HTTP 404 or a missing local file). */
export function isNotFound(f: FetchFailure | undefined): boolean {
  return f?.kind === "missing" || (f?.kind === "http" && f.status === 404);
}

/** The base class of the loader's errors.  Each subclass says its `name` itself: bundlers
 * may rename classes. */
export class PinnaceError extends Error {
  override get name(): string {
    return "PinnaceError";
  }
}

/** A Python exception seen from JS. `message` is the Python traceback (the user's frames). */
export class PythonError extends PinnaceError {
  /** The Python exception's type name, e.g. "ZeroDivisionError". */
  readonly type: string;
  /** The Python exception (a PyProxy), when the error came through the FFI. */
  readonly pyException?: any;
  /**
   * For a SystemExit (`sys.exit(...)`, `raise SystemExit`, `exit()`): the exit status it stands
   * for, as CPython computes it (0 for no code, the code if it is an int, else 1). Undefined for
   * every other exception.
   */
  readonly exitCode?: number;

  constructor(type: string, traceback: string, pyException?: unknown, exitCode?: number) {
    super(traceback);
    this.type = type;
    if (exitCode !== undefined) this.exitCode = exitCode;
    // not enumerable: console.log of the error should not walk into Python
    if (pyException !== undefined) Object.defineProperty(this, "pyException", { value: pyException, enumerable: false });
  }

  override get name(): string {
    return "PythonError";
  }
}

/** The bytes at `url` could not be fetched; `failure` says why. */
export class FetchError extends PinnaceError {
  readonly url: string;
  readonly failure: FetchFailure;
  /** describeFailure(failure): the reason alone. */
  readonly reason: string;

  constructor(url: string, failure: FetchFailure) {
    const reason = describeFailure(failure);
    super(`could not fetch ${url}: ${reason}`);
    this.url = url;
    this.failure = failure;
    this.reason = reason;
  }

  override get name(): string {
    return "FetchError";
  }
}

/** A file of the distribution could not be loaded from indexURL. */
export class LoadError extends PinnaceError {
  readonly url: string;
  /** Why, as text (the same as the part of `message` after the URL). */
  readonly reason: string;
  /** Why, as data, when the file could not be fetched. */
  readonly failure?: FetchFailure;

  constructor(url: string, reason: string | FetchFailure, indexURL: string, hint?: string) {
    const text = typeof reason === "string" ? reason : describeFailure(reason);
    hint ??= typeof reason !== "string" && reason.kind === "cors"
      ? `the server of ${indexURL} must send Access-Control-Allow-Origin for this page, or the page ` +
        "be served from the same origin"
      : `indexURL is ${indexURL}; is it the directory holding pinnace.asm.wasm?`;
    super(`Pinnace could not load ${url}: ${text} (${hint})`);
    this.url = url;
    this.reason = text;
    if (typeof reason !== "string") this.failure = reason;
  }

  /** The LoadError for a FetchError of the distribution's file. */
  static fromFetch(e: FetchError, indexURL: string): LoadError {
    const error = new LoadError(e.url, e.failure, indexURL);
    (error as { cause?: unknown }).cause = e;
    return error;
  }

  override get name(): string {
    return "LoadError";
  }
}

/** Python could not be started (no indexURL to find it, or the interpreter's start failed). */
export class StartError extends PinnaceError {
  /** CPython's exit status when its initialisation failed. */
  readonly status?: number;

  constructor(message: string, status?: number) {
    super(`Pinnace: ${message}`);
    this.status = status;
  }

  override get name(): string {
    return "StartError";
  }
}

/** A package could not be resolved, fetched, verified or installed. */
export class PackageError extends PinnaceError {
  /** The package concerned, if known. */
  readonly package?: string;
  /** The URL that failed, if any. */
  readonly url?: string;
  /** Why the fetch failed, when it did. */
  readonly failure?: FetchFailure;

  constructor(message: string, pkg?: string, url?: string, failure?: FetchFailure) {
    super(message);
    this.package = pkg;
    this.url = url;
    this.failure = failure;
  }

  /** "package NAME: could not fetch URL: reason", from the FetchError of its file. */
  static fromFetch(pkg: string, e: FetchError): PackageError {
    return new PackageError(`package ${pkg}: ${e.message}`, pkg, e.url, e.failure);
  }

  override get name(): string {
    return "PackageError";
  }
}

/** Something entered Python while it was suspended on a lazy import (JSPI). */
export class SuspendedError extends PinnaceError {
  /** What Python waits for, e.g. "package numpy". */
  readonly waitingFor: string;

  constructor(waitingFor: string) {
    super(
      `Pinnace: Python is suspended while it fetches ${waitingFor} (a lazy import); it cannot run ` +
        "anything else until that import has finished: await the runPythonAsync call that imports it",
    );
    this.waitingFor = waitingFor;
  }

  override get name(): string {
    return "SuspendedError";
  }
}

/** A PyProxy was used after destroy() (or after the call that lent it returned). */
export class DestroyedProxyError extends PinnaceError {
  override get name(): string {
    return "DestroyedProxyError";
  }
}

/** A broken invariant of the loader or the runtime: a bug to report. */
export class InternalError extends PinnaceError {
  override get name(): string {
    return "InternalError";
  }
}
