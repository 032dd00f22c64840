import type { Candle } from '../../schemas/records.js';
import { closeAgo, HISTORY_RUN } from './close-history.js';
import type { IndicatorKernel } from './kernel.js';
import type { IndicatorState } from './state.js';
import { MOMENTS_SIZE, momentsFlat, momentsPush } from './window-moments.js';

/**
 * Moments (mean, M2) of the last `period` closes, shared by every sma and
 * bollinger of that period. A window of equal closes is set to exactly
 * (close, 0), whatever rounding the sliding sums carried from earlier prices.
 */
export class CloseWindow implements IndicatorKernel {
  /** Slots used. */
  static readonly size = MOMENTS_SIZE;

  /**
   * @param at first slot of the moments
   * @param period window length
   * @param ringLength length of the close ring, at least period + 1
   */
  constructor(
    readonly at: number,
    readonly period: number,
    private readonly ringLength: number,
  ) {}

  push(s: IndicatorState, base: number, c: Candle, index: number): void {
    const n = this.period;
    const x = c.close;
    const count = index + 1;
    const leaving = count > n ? closeAgo(s, base, this.ringLength, n) : 0;
    const at = base + this.at;
    momentsPush(s, at, x, leaving, count, n);
    if (s[base + HISTORY_RUN]! >= Math.min(count, n)) momentsFlat(s, at, x);
  }
}
