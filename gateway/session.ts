/**
 * Per-connection state, kept as uWS user data. Plain fields updated in place;
 * the socket itself is only touched while `closed` is false.
 */

import type { Principal } from './auth/permissions.js';
import type { Channel } from './channels.js';
import type { TokenBucket } from './rate-limit.js';
import type { SymbolSelector } from './symbol-selector.js';
import type { WireFormat } from './topics.js';

/** One subscribed stream of a connection. */
export interface SessionStream {
  channel: Channel;
  selector: SymbolSelector;
  /** uWS topic in the session's current format. */
  topic: string;
  /** True while a cold-cache snapshot is being fetched; the topic is subscribed only after it is sent. */
  awaitingSnapshot: boolean;
}

/** A message kept for a slow client, to be sent on drain. */
export interface HeldMessage {
  bytes: Uint8Array;
  isBinary: boolean;
}

/** A connection's state. */
export interface Session {
  id: number;
  principal: Principal;
  remote: string;
  format: WireFormat;
  bucket: TokenBucket;
  /** Keyed by `<channel> <selector>`. */
  streams: Map<string, SessionStream>;
  closed: boolean;
  /** Set before the server closes the socket, for the disconnect metric. */
  closeReason: string | null;
  /** Client messages refused in a row by the rate limit. */
  limitedInARow: number;
  /** When the last `rate_limited` error was sent (ms), so refusals do not flood the client. */
  lastLimitErrorAt: number;
  /** Conflation state: see conflation.ts. */
  slow: boolean;
  slowSince: number;
  /** Latest message per candle/indicator stream while slow, keyed by `<channel> <venue:symbol>`. */
  held: Map<string, HeldMessage>;
  heldBytes: number;
  /** Alerts while slow, oldest first, bounded. */
  heldAlerts: HeldMessage[];
}

/** The key of a subscription in {@link Session.streams}. */
export function streamKey(channel: string, selector: string): string {
  return `${channel} ${selector}`;
}
