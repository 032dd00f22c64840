/**
 * uWS topic names. Each stream (channel + venue + symbol) has two topics, one
 * per wire format, so a message is encoded once per format and published once;
 * uWS then copies the same bytes to every subscriber. Topic matching in uWS v20
 * is exact (no wildcards), so a venue wildcard subscription is its own topic
 * (`*` in the symbol slot) and each update is published to both.
 * Symbols enter topics escaped (schemas' escapeSymbol), so `/` cannot split them.
 */

import { escapeSymbol } from '../schemas/index.js';

/** Wire formats a client can choose. */
export const WIRE_FORMATS = ['json', 'msgpack'] as const;

/** One of {@link WIRE_FORMATS}. */
export type WireFormat = (typeof WIRE_FORMATS)[number];

/** `<j|m>/<channel>/<venue>/<escaped symbol or *>`. */
export function streamTopic(
  format: WireFormat,
  channel: string,
  venue: string,
  symbol: string | null,
): string {
  const f = format === 'json' ? 'j' : 'm';
  return `${f}/${channel}/${venue}/${symbol === null ? '*' : escapeSymbol(symbol)}`;
}

/** Topic of the once-a-second heartbeat for a format. */
export function heartbeatTopic(format: WireFormat): string {
  return format === 'json' ? 'j/heartbeat' : 'm/heartbeat';
}
