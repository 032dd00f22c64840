/**
 * Who is connected and what they may do: a {@link Principal} comes from an
 * API key or a JWT and carries its channel grants, connection limit and
 * message rate. {@link ConnectionCounter} enforces the connection limit per
 * principal across the gateway process.
 */

import { CHANNEL_KINDS, type ChannelKind } from '../channels.js';

/** An authenticated client identity and its limits. */
export interface Principal {
  /** Stable id for logs and limits: `key:<name>`, `jwt:<sub>` or `anonymous`. */
  id: string;
  kind: 'api_key' | 'jwt' | 'anonymous';
  channels: ReadonlySet<ChannelKind>;
  /** Most simultaneous WebSocket connections. */
  maxConnections: number;
  /** Client messages per second (token-bucket refill rate). */
  ratePerSecond: number;
  /** Token-bucket capacity: messages allowed in a burst. */
  burst: number;
}

/** True when the principal was granted the channel kind. */
export function mayUse(p: Principal, kind: ChannelKind): boolean {
  return p.channels.has(kind);
}

/** The principal used when auth is off: every channel, the given limits. */
export function anonymousPrincipal(maxConnections: number, ratePerSecond: number, burst: number): Principal {
  return {
    id: 'anonymous',
    kind: 'anonymous',
    channels: new Set(CHANNEL_KINDS),
    maxConnections,
    ratePerSecond,
    burst,
  };
}

/** Parses a list of channel kinds (from a keys file or a JWT claim); null when any entry is unknown. */
export function parseChannelGrants(x: unknown): Set<ChannelKind> | null {
  if (!Array.isArray(x)) return null;
  const out = new Set<ChannelKind>();
  for (let i = 0; i < x.length; i++) {
    const c = x[i];
    if (c === '*') {
      for (const k of CHANNEL_KINDS) out.add(k);
      continue;
    }
    if (!(CHANNEL_KINDS as readonly unknown[]).includes(c)) return null;
    out.add(c as ChannelKind);
  }
  return out;
}

/** Open connections per principal id. */
export class ConnectionCounter {
  readonly #open = new Map<string, number>();

  /** Takes a connection slot; false when the principal is at its limit. */
  acquire(p: Principal): boolean {
    const n = this.#open.get(p.id) ?? 0;
    if (n >= p.maxConnections) return false;
    this.#open.set(p.id, n + 1);
    return true;
  }

  /** Gives a slot back when a connection closes. */
  release(p: Principal): void {
    const n = this.#open.get(p.id) ?? 0;
    if (n <= 1) this.#open.delete(p.id);
    else this.#open.set(p.id, n - 1);
  }

  /** Connections the principal holds now. */
  count(id: string): number {
    return this.#open.get(id) ?? 0;
  }
}
