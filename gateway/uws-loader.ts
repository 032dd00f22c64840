/**
 * Loads uWebSockets.js from `@trufflesuite/uws-js-unofficial` and finds out
 * which implementation it gave us. That package silently falls back to a
 * JavaScript shim over `ws` when its native binary does not load (or when
 * UWS_USE_FALLBACK is set); the shim exports only App and a few helpers,
 * while the native addon also exports SSLApp and getParts. The gateway logs
 * the fallback loudly and exposes it as `tickflow_gateway_native{impl}`.
 */

import uws from '@trufflesuite/uws-js-unofficial';
import type { UwsImpl } from './metrics.js';

/** The loaded module and its implementation. */
export interface LoadedUws {
  uws: typeof uws;
  impl: UwsImpl;
}

/** Which implementation a loaded module is: the native addon has `getParts` and `SSLApp`. */
export function detectUwsImpl(mod: object): UwsImpl {
  const m = mod as Record<string, unknown>;
  return typeof m['getParts'] === 'function' && typeof m['SSLApp'] === 'function' ? 'uws' : 'fallback';
}

/** The module as loaded once by this process. */
export function loadUws(): LoadedUws {
  return { uws, impl: detectUwsImpl(uws) };
}
