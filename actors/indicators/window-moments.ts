/**
 * Mean and sum of squared deviations (M2) over a sliding window of n values,
 * kept twice: a sliding pair for the current window, and a fresh pair that
 * restarts every n values and only ever adds. When the fresh pair has seen n
 * values it covers exactly the current window, so it replaces the sliding pair:
 * rounding from sliding can never build up over more than n steps, with no
 * loop over the window (a push stays O(1), a peek too). Welford's updates avoid
 * the cancellation of sum-of-squares formulas, which turns a flat window into a
 * tiny negative variance.
 */

import type { IndicatorState } from './state.js';

/** Slots used: sliding mean, sliding M2, fresh mean, fresh M2, values in the fresh pair. */
export const MOMENTS_SIZE = 5;

/**
 * Appends `x` as the `count`-th value (count >= 1) of the series; `leaving` is
 * the value dropping out of the window, read only once count > n.
 */
export function momentsPush(
  s: IndicatorState,
  at: number,
  x: number,
  leaving: number,
  count: number,
  n: number,
): void {
  const mean = s[at]!;
  if (count <= n) {
    const d = x - mean;
    const next = mean + d / count;
    s[at] = next;
    s[at + 1] = s[at + 1]! + d * (x - next);
  } else {
    const d = x - leaving;
    const next = mean + d / n;
    s[at] = next;
    s[at + 1] = s[at + 1]! + d * (x - next + leaving - mean);
  }
  const k = s[at + 4]! + 1;
  if (k === 1) {
    s[at + 2] = x;
    s[at + 3] = 0;
  } else {
    const fresh = s[at + 2]!;
    const d = x - fresh;
    const next = fresh + d / k;
    s[at + 2] = next;
    s[at + 3] = s[at + 3]! + d * (x - next);
  }
  if (k === n) {
    s[at] = s[at + 2]!;
    s[at + 1] = s[at + 3]!;
    s[at + 4] = 0;
  } else {
    s[at + 4] = k;
  }
}

/** Makes the current window exactly flat at `x` (its values are known to be all equal). */
export function momentsFlat(s: IndicatorState, at: number, x: number): void {
  s[at] = x;
  s[at + 1] = 0;
}

/** Mean of the current window. */
export function momentsMean(s: IndicatorState, at: number): number {
  return s[at]!;
}

/** M2 of the current window, never negative. */
export function momentsM2(s: IndicatorState, at: number): number {
  const m2 = s[at + 1]!;
  return Math.max(m2, 0);
}
