import type { Candle } from '../../schemas/records.js';
import type { IndicatorState } from './state.js';

/**
 * The state-updating half of an indicator: owns a few slots of a program
 * state, at the offset it was built with from the state's base. Implementations
 * must be O(1) per push (amortized) and deterministic: the same candles give
 * bit-identical slots.
 */
export interface IndicatorKernel {
  /**
   * Appends one closed candle. `index` is how many candles were pushed before
   * it and `prevClose` the close of the previous one (meaningless when index is
   * 0). `base` is where the state starts in `s`. The close history has
   * already recorded `c` when this runs.
   */
  push(s: IndicatorState, base: number, c: Candle, index: number, prevClose: number): void;
}

/** The reading half of an indicator: turns slots into its values. */
export interface IndicatorOutput {
  /**
   * Writes this indicator's values, in the order of its output names, to
   * out[at…] and returns true; or, while it is warming up (its values are
   * null), writes nothing and returns false. `count` is the number of candles
   * pushed so far. Numbers go to a Float64Array rather than to named
   * properties: no number is boxed until the program builds the values object.
   */
  read(s: IndicatorState, base: number, count: number, out: Float64Array, at: number): boolean;
}
