import type { IndicatorState } from './state.js';

/**
 * The head of every indicator state: candle count, previous close, the length
 * of the current run of equal closes, the ring position of the newest close, and a ring of the most recent closes
 * shared by every windowed indicator (one ring serves sma, bollinger and
 * volatility of any periods it is long enough for).
 */

/** Slot: number of candles pushed. */
export const HISTORY_COUNT = 0;
/** Slot: close of the last pushed candle. */
export const HISTORY_PREV_CLOSE = 1;
/**
 * Slot: how many of the last candles, including the newest, have the same close.
 * Windowed indicators use it to make a flat window exactly flat (zero variance)
 * whatever rounding their sliding sums carried in from earlier prices.
 */
export const HISTORY_RUN = 2;
/** Slot: ring position of the newest close (kept so no push needs a modulo). */
export const HISTORY_HEAD = 3;
/** First slot of the close ring. */
export const HISTORY_RING = 4;
/** Slots before the ring. */
export const HISTORY_SIZE = HISTORY_RING;

/** Close of the candle `ago` candles before the newest (0: the newest), for ago < ringLength; `base` starts the state. */
export function closeAgo(s: IndicatorState, base: number, ringLength: number, ago: number): number {
  let pos = s[base + HISTORY_HEAD]! - ago;
  if (pos < 0) pos += ringLength;
  return s[base + HISTORY_RING + pos]!;
}
