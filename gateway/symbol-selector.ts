/**
 * What a subscription names: `venue:symbol` for one instrument, or `venue:*`
 * for every symbol of a venue. The venue must be a valid venue code and the
 * symbol must pass the schemas' symbol rules, so every selector maps to a
 * subject-safe topic.
 */

import { isValidVenue, symbolProblem } from '../schemas/index.js';

/** A parsed selector; `symbol` is null for the venue wildcard. */
export interface SymbolSelector {
  /** Canonical text, e.g. `binance:BTC/USDT` or `sim:*`. */
  text: string;
  venue: string;
  symbol: string | null;
}

/** Parses `venue:symbol` or `venue:*`; null when either part is refused. */
export function parseSymbolSelector(text: unknown): SymbolSelector | null {
  if (typeof text !== 'string' || text.length > 100) return null;
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const venue = text.slice(0, colon);
  const symbol = text.slice(colon + 1);
  if (!isValidVenue(venue)) return null;
  if (symbol === '*') return { text, venue, symbol: null };
  if (symbolProblem(symbol) !== 'ok') return null;
  return { text, venue, symbol };
}

/** `venue:symbol`, the key clients see on every update. */
export function instrumentKey(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}
