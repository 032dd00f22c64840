import type { Candle } from '../../schemas/records.js';
import { emaFactor, emaStep } from './ema.js';
import type { IndicatorKernel, IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';

const FAST = 0;
const SLOW = 1;
const SIGNAL = 2;

/**
 * MACD(fast, slow, signal) reproducing TA-Lib's TA_MACD outputs:
 * - slow EMA seeded with the SMA of the first `slow` closes (defined at candle `slow`);
 * - fast EMA aligned to it, as TA-Lib does: seeded at candle `slow` with the SMA of
 *   the last `fast` closes up to there (not of the first `fast` closes), so both
 *   EMAs start on the same candle;
 * - macd = fast - slow; signal = EMA(signal) of macd seeded with the SMA of its
 *   first `signal` values; hist = macd - signal.
 * Like TA-Lib, all three are null until the signal exists (candle slow + signal - 1),
 * although macd alone is defined `signal - 1` candles earlier. Three slots.
 */
export class Macd implements IndicatorKernel, IndicatorOutput {
  /** Slots used. */
  static readonly size = 3;
  private readonly kFast: number;
  private readonly kSlow: number;
  private readonly kSignal: number;

  constructor(
    private readonly at: number,
    private readonly fast: number,
    private readonly slow: number,
    private readonly signal: number,
  ) {
    this.kFast = emaFactor(fast);
    this.kSlow = emaFactor(slow);
    this.kSignal = emaFactor(signal);
  }

  push(s: IndicatorState, base: number, c: Candle, index: number): void {
    const at = base + this.at;
    const x = c.close;
    const count = index + 1;
    const slow = this.slow;
    emaStep(s, at + SLOW, x, count, slow, this.kSlow);
    const f = s[at + FAST]!;
    if (count < slow) {
      if (count > slow - this.fast) s[at + FAST] = f + x;
      return;
    }
    s[at + FAST] = count === slow ? (f + x) / this.fast : (x - f) * this.kFast + f;
    emaStep(s, at + SIGNAL, s[at + FAST]! - s[at + SLOW]!, count - slow + 1, this.signal, this.kSignal);
  }

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    if (count < this.slow + this.signal - 1) return false;
    const slots = base + this.at;
    const macd = s[slots + FAST]! - s[slots + SLOW]!;
    const signal = s[slots + SIGNAL]!;
    out[at] = macd;
    out[at + 1] = signal;
    out[at + 2] = macd - signal;
    return true;
  }
}
