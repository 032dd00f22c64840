import type { Candle } from '../../schemas/records.js';
import type { IndicatorKernel, IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';

/**
 * Wilder's RSI(n) as TA-Lib computes it: average gain and loss seeded with the
 * simple means of the first n changes, then `avg = (avg * (n - 1) + change) / n`;
 * value `100 * gain / (gain + loss)`, first defined after n + 1 closes.
 * Only losses give 0, only gains 100. A flat window (gain = loss = 0) gives 50,
 * the neutral reading, where TA-Lib gives 0 (which reads as oversold); and the
 * flat test is exact, where TA-Lib treats |gain + loss| < 1e-8 as flat, which would
 * misreport instruments priced below about 1e-6. Two slots: gain, loss.
 */
export class Rsi implements IndicatorKernel, IndicatorOutput {
  /** Slots used. */
  static readonly size = 2;

  constructor(
    private readonly at: number,
    private readonly period: number,
  ) {}

  push(s: IndicatorState, base: number, c: Candle, index: number, prevClose: number): void {
    if (index === 0) return;
    const at = base + this.at;
    const n = this.period;
    const d = c.close - prevClose;
    let gain = s[at]!;
    let loss = s[at + 1]!;
    if (index > n) {
      gain *= n - 1;
      loss *= n - 1;
    }
    if (d < 0) loss -= d;
    else gain += d;
    if (index >= n) {
      gain /= n;
      loss /= n;
    }
    s[at] = gain;
    s[at + 1] = loss;
  }

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    if (count <= this.period) return false;
    const slot = base + this.at;
    const gain = s[slot]!;
    const total = gain + s[slot + 1]!;
    out[at] = total === 0 ? 50 : 100 * (gain / total);
    return true;
  }
}
