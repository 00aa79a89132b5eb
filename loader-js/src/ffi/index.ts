// The FFI's JS side, attached to the Emscripten module as Module._ffi before Python starts.
import { Bridge } from "./bridge.js";
import type { FfiModule } from "./exports.js";
import { jsOps } from "./jsops.js";
import type { Jspi } from "../jspi.js";

export function installFfi(mod: FfiModule, jspi?: Jspi): Bridge {
  const bridge = new Bridge(mod, jspi);
  mod._ffi = jsOps(bridge);
  return bridge;
}

export { Bridge } from "./bridge.js";
export { proxyState, destroyProxy } from "./pyproxy.js";
export type { ToJsOptions } from "./convert.js";
