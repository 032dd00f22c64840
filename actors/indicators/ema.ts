import type { Candle } from '../../schemas/records.js';
import type { IndicatorKernel, IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';

/**
 * One EMA step in TA-Lib's classic form. `count` is how many values have been
 * fed including `x`: before `n` the slot holds their running sum, at `n` it
 * becomes their mean (the seed), after that `(x - ema) * k + ema`, in that
 * order of operations so results match TA-Lib bit for bit on the same inputs.
 */
export function emaStep(s: IndicatorState, at: number, x: number, count: number, n: number, k: number): void {
  const v = s[at]!;
  if (count < n) s[at] = v + x;
  else if (count === n) s[at] = (v + x) / n;
  else s[at] = (x - v) * k + v;
}

/** Smoothing factor of an n-period EMA. */
export function emaFactor(n: number): number {
  return 2 / (n + 1);
}

/** EMA(n) of closes, seeded with the SMA of the first n closes, then k = 2 / (n + 1). One slot. */
export class Ema implements IndicatorKernel, IndicatorOutput {
  /** Slots used. */
  static readonly size = 1;
  private readonly k: number;

  constructor(
    private readonly at: number,
    private readonly period: number,
  ) {
    this.k = emaFactor(period);
  }

  push(s: IndicatorState, base: number, c: Candle, index: number): void {
    emaStep(s, base + this.at, c.close, index + 1, this.period, this.k);
  }

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    if (count < this.period) return false;
    out[at] = s[base + this.at]!;
    return true;
  }
}
