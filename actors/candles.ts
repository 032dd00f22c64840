/**
 * Multi-interval candle aggregation for one (venue, symbol): the public API of
 * actors/candles/. Pure: no I/O, no timers; event time comes from trades and
 * wall-clock time from `onTimer(now)`.
 */
export type { TradeOutcome } from './candles/book.js';
export { CandleBook, TRADE_APPLIED, TRADE_LATE, TRADE_REVISED } from './candles/book.js';
export type { CandleErrorCode } from './candles/errors.js';
export { CANDLE_ERROR_CODES, CandleError } from './candles/errors.js';
export { LIMB, readLimbs, splitLimbs, UNIT } from './candles/exact-sum.js';
export type { CandleListener } from './candles/listener.js';
export type { CandleBookOptions } from './candles/options.js';
export { DEFAULT_CANDLE_OPTIONS, validateCandleOptions } from './candles/options.js';
export type { CandleBookSnapshot } from './candles/snapshot.js';
export { CANDLE_SNAPSHOT_VERSION } from './candles/snapshot.js';
