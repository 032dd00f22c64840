import type { CloseWindow } from './close-window.js';
import type { IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';
import { momentsM2, momentsMean } from './window-moments.js';

/**
 * Bollinger bands: the sma of a shared {@link CloseWindow} plus and minus
 * `stddev` population standard deviations of the same closes (TA-Lib BBANDS
 * with SMA). A flat window gives bands exactly equal to the middle.
 */
export class Bollinger implements IndicatorOutput {
  constructor(
    private readonly window: CloseWindow,
    private readonly stddev: number,
  ) {}

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    const n = this.window.period;
    if (count < n) return false;
    const w = base + this.window.at;
    const middle = momentsMean(s, w);
    const band = this.stddev * Math.sqrt(momentsM2(s, w) / n);
    out[at] = middle + band;
    out[at + 1] = middle;
    out[at + 2] = middle - band;
    return true;
  }
}
