import type { Candle } from '../../schemas/records.js';
import { closeAgo, HISTORY_RUN } from './close-history.js';
import type { IndicatorKernel, IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';
import { MOMENTS_SIZE, momentsFlat, momentsM2, momentsPush } from './window-moments.js';

/** ln(b / a), or 0 when either close is not positive (validated trades cannot produce one). */
export function logReturn(a: number, b: number): number {
  return a > 0 && b > 0 ? Math.log(b / a) : 0;
}

/**
 * volatility(n): sample standard deviation (divisor n - 1) of the last n log
 * returns ln(c_i / c_{i-1}), not annualized; null until n returns (n + 1
 * candles). Returns are not stored: the leaving one is recomputed from the
 * close ring, which therefore holds n + 2 closes. A window of equal closes is
 * exactly 0. Four slots (see window-moments).
 */
export class Volatility implements IndicatorKernel, IndicatorOutput {
  /** Slots used. */
  static readonly size = MOMENTS_SIZE;

  /**
   * @param ringLength length of the close ring, at least period + 2
   */
  constructor(
    private readonly at: number,
    private readonly period: number,
    private readonly ringLength: number,
  ) {}

  push(s: IndicatorState, base: number, c: Candle, index: number, prevClose: number): void {
    // Once c is in there are `index` returns, r_1 .. r_index.
    if (index === 0) return;
    const n = this.period;
    const ring = this.ringLength;
    const leaving = index > n ? logReturn(closeAgo(s, base, ring, n + 1), closeAgo(s, base, ring, n)) : 0;
    const at = base + this.at;
    momentsPush(s, at, logReturn(prevClose, c.close), leaving, index, n);
    if (s[base + HISTORY_RUN]! > Math.min(index, n)) momentsFlat(s, at, 0);
  }

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    const n = this.period;
    if (count <= n) return false;
    out[at] = Math.sqrt(momentsM2(s, base + this.at) / (n - 1));
    return true;
  }
}
