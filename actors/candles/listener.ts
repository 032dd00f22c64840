import type { Candle } from '../../schemas/records.js';

/**
 * Receives a candle book's closed, revised and final candles. Calls are
 * synchronous, from inside addTrade / onTimer / closeAll; a listener may read
 * the book (`retained`, `openCandle`) but must not feed it (no addTrade,
 * onTimer or closeAll from inside a callback).
 */
export interface CandleListener {
  /**
   * A candle closed (revision 0) or was revised (revision > 0). Fresh object;
   * the listener may keep it. `i` is its interval index in the book's options.
   */
  onClosed(c: Candle, i: number): void;
  /**
   * A closed candle left the revision horizon; it never changes again. Once
   * per candle, start order per interval; `i` is its interval index.
   */
  onFinal(c: Candle, i: number): void;
  /**
   * Optional: whether final candles of interval index i are wanted at all.
   * When it returns false the book neither builds them nor calls onFinal for
   * them (a final is otherwise one more fresh object per candle).
   */
  needsFinal?(i: number): boolean;
  /** Optional: receives `flushOpen()`'s open candles when it is called without a callback. */
  onOpen?(c: Candle, i: number): void;
}
