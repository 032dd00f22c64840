import type { CloseWindow } from './close-window.js';
import type { IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';
import { momentsMean } from './window-moments.js';

/** Simple moving average of the last `period` closes; the mean of a shared {@link CloseWindow}. */
export class Sma implements IndicatorOutput {
  constructor(private readonly window: CloseWindow) {}

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    if (count < this.window.period) return false;
    out[at] = momentsMean(s, base + this.window.at);
    return true;
  }
}
