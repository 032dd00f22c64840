import type { Candle } from '../../schemas/records.js';
import type { IndicatorKernel, IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';

/**
 * ATR(n): true range against the previous existing candle's close (a gap in
 * time is just the next candle), the first candle's true range being
 * high - low; seeded with the mean of the first n true ranges, then Wilder's
 * `(atr * (n - 1) + tr) / n`. Unlike TA-Lib, which has no true range for the
 * first candle and so starts one candle later, the first value is at candle n.
 * One slot.
 */
export class Atr implements IndicatorKernel, IndicatorOutput {
  /** Slots used. */
  static readonly size = 1;

  constructor(
    private readonly at: number,
    private readonly period: number,
  ) {}

  push(s: IndicatorState, base: number, c: Candle, index: number, prevClose: number): void {
    let tr = c.high - c.low;
    if (index > 0) {
      const up = Math.abs(c.high - prevClose);
      const down = Math.abs(c.low - prevClose);
      if (up > tr) tr = up;
      if (down > tr) tr = down;
    }
    const n = this.period;
    const count = index + 1;
    const at = base + this.at;
    const v = s[at]!;
    if (count < n) s[at] = v + tr;
    else if (count === n) s[at] = (v + tr) / n;
    else s[at] = (v * (n - 1) + tr) / n;
  }

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    if (count < this.period) return false;
    out[at] = s[base + this.at]!;
    return true;
  }
}
