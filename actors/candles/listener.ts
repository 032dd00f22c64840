import type { Candle } from '../../schemas/records.js';

/**
 * Receives a candle book's closed, revised and final candles. Calls are
 * synchronous, from inside addTrade / onTimer / closeAll; a listener may read
 * the book (`retained`, `openCandle`) but must not feed it (no addTrade,
 * onTimer or closeAll from inside a callback).
 */
export interface CandleListener {
  /** A candle closed (revision 0) or was revised (revision > 0). Fresh object; the listener may keep it. */
  onClosed(c: Candle): void;
  /** A closed candle left the revision horizon; it never changes again. Once per candle, start order per interval. */
  onFinal(c: Candle): void;
}
