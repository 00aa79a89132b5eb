// The part of the Emscripten module (dist/pinnace.asm.mjs) the loader uses.
import type { PackageOps } from "./packages/ops.js";

export interface EmFS {
  mkdir(path: string): void;
  mkdirTree(path: string): void;
  writeFile(path: string, data: Uint8Array | string): void;
  unlink(path: string): void;
  readFile(path: string, opts?: { encoding?: string }): Uint8Array;
  analyzePath(path: string): { exists: boolean };
  mount(type: unknown, opts: object, mountpoint: string): void;
  chdir(path: string): void;
  open(path: string, flags: string): unknown;
  close(stream: unknown): void;
  streams: unknown[];
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: DeviceOps): void;
  mkdev(path: string, mode: number, dev?: number): void;
  filesystems: Record<string, unknown>;
  ErrnoError: new (errno: number) => Error;
}

export interface DeviceOps {
  open?(stream: unknown): void;
  close?(stream: unknown): void;
  read?(stream: unknown, buffer: Uint8Array, offset: number, length: number, pos: number): number;
  write?(stream: unknown, buffer: Uint8Array, offset: number, length: number, pos: number): number;
}

export interface EmModule {
  FS: EmFS;
  ENV: Record<string, string>;
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  callMain(args: string[]): number;
  UTF8ToString(ptr: number, maxBytes?: number): string;
  stringToNewUTF8(s: string): number;
  _malloc(n: number): number;
  _free(ptr: number): void;
  _pinnace_init(argc: number, argv: number): number;
  _pinnace_set_signal_polling(on: number): void;
  _pinnace_set_recursion_budget(budget: number): number;
  /** The package operations Python reaches (set by loadPinnace; runtime/src/packages.c reads it). */
  pinnacePackages?: PackageOps;
}

export type ModuleFactory = (opts: object) => Promise<EmModule>;

/** Where the loader writes temporary files for Python (downloads, HTTP bodies, archives): not
 * under /tmp, which `pinnace python` mounts from the host.  runtime/pinnace/_loader.py names it
 * too (DOWNLOADS_DIR). */
export const DOWNLOADS_DIR = "/lib/pinnace-downloads";
