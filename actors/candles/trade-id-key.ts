import { compareTradeIds } from '../../schemas/records.js';

/**
 * Trade ids as numbers, so a candle row can keep the ids of its open and
 * close trades in a Float64Array for tie-breaking without holding strings.
 *
 * Ids of 1 to 15 decimal digits map to their integer value (exact below 2^53,
 * and numeric order is `compareTradeIds` order for such ids); every other id
 * maps to -1 and the caller keeps the string itself.
 */
export function tradeIdKey(id: string): number {
  const n = id.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Orders two ids given as (key, string) pairs, where the string is only
 * consulted when a key is -1. Same order as `compareTradeIds`.
 */
export function compareIdKeys(aKey: number, aId: string, bKey: number, bId: string): number {
  if (aKey >= 0 && bKey >= 0) return aKey < bKey ? -1 : aKey > bKey ? 1 : 0;
  return compareTradeIds(aKey >= 0 ? String(aKey) : aId, bKey >= 0 ? String(bKey) : bId);
}
