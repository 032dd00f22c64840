import type { CloseWindow } from './close-window.js';
import type { IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';
import { momentsMean } from './window-moments.js';

/** Simple moving average of the last `period` closes; the mean of a shared {@link CloseWindow}. */
export class Sma implements IndicatorOutput {
  constructor(
    private readonly window: CloseWindow,
    private readonly name: string,
  ) {}

  read(s: IndicatorState, base: number, count: number, out: Record<string, number | null>): void {
    out[this.name] = count >= this.window.period ? momentsMean(s, base + this.window.at) : null;
  }
}
