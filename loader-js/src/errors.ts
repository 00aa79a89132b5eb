// Errors the loader raises.

/** A Python exception seen from JS. `message` is the Python traceback (the user's frames). */
export class PythonError extends Error {
  /** The Python exception's type name, e.g. "ZeroDivisionError". */
  readonly type: string;
  /** The Python exception (a PyProxy), when the error came through the FFI. */
  declare readonly pyException?: any;

  constructor(type: string, traceback: string) {
    super(traceback);
    this.type = type;
  }

  override get name(): string {
    return "PythonError";
  }
}

/** A file of the distribution could not be loaded from indexURL. */
export class LoadError extends Error {
  readonly url: string;

  constructor(url: string, reason: string, indexURL: string, hint?: string) {
    hint ??= `indexURL is ${indexURL}; is it the directory holding pinnace.asm.wasm?`;
    super(`Pinnace could not load ${url}: ${reason} (${hint})`);
    this.url = url;
  }

  override get name(): string {
    return "LoadError";
  }
}
