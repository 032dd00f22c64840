import type { Candle } from '../../schemas/records.js';
import type { IndicatorKernel, IndicatorOutput } from './kernel.js';
import type { IndicatorState } from './state.js';

const DAY_MS = 86_400_000;
const DAY = 0;
const NOTIONAL = 1;
const VOLUME = 2;
const VALUE = 3;

/**
 * Session VWAP: sum(notional) / sum(volume) over the candles whose start falls
 * on the same UTC day, reset at each day boundary. While the session has no
 * volume yet the value is the previous one in the session, or the close of the
 * session's first candle. Defined from the first candle. Four slots.
 */
export class Vwap implements IndicatorKernel, IndicatorOutput {
  /** Slots used. */
  static readonly size = 4;

  constructor(private readonly at: number) {}

  push(s: IndicatorState, base: number, c: Candle, index: number): void {
    const at = base + this.at;
    const day = Math.floor(c.start / DAY_MS);
    if (index === 0 || s[at + DAY] !== day) {
      s[at + DAY] = day;
      s[at + NOTIONAL] = 0;
      s[at + VOLUME] = 0;
      s[at + VALUE] = c.close;
    }
    const notional = s[at + NOTIONAL]! + c.notional;
    const volume = s[at + VOLUME]! + c.volume;
    s[at + NOTIONAL] = notional;
    s[at + VOLUME] = volume;
    if (volume > 0) s[at + VALUE] = notional / volume;
  }

  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean {
    if (count === 0) return false;
    out[at] = s[base + this.at + VALUE]!;
    return true;
  }
}
