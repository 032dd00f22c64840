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
    private readonly upperName: string,
    private readonly middleName: string,
    private readonly lowerName: string,
  ) {}

  read(s: IndicatorState, base: number, count: number, out: Record<string, number | null>): void {
    const n = this.window.period;
    if (count < n) {
      out[this.upperName] = null;
      out[this.middleName] = null;
      out[this.lowerName] = null;
      return;
    }
    const at = base + this.window.at;
    const middle = momentsMean(s, at);
    const band = this.stddev * Math.sqrt(momentsM2(s, at) / n);
    out[this.upperName] = middle + band;
    out[this.middleName] = middle;
    out[this.lowerName] = middle - band;
  }
}
