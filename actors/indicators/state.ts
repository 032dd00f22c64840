/**
 * Indicator state: a plain array that holds only doubles
 * (PACKED_DOUBLE_ELEMENTS). A symbol keeps the states of all its intervals
 * side by side in one such array, so it pays one array header in all instead
 * of a typed array, an ArrayBuffer and a view per interval.
 */
export type IndicatorState = number[];

/** Shared zeros (doubles, never written) that `doubleZeros` slices from; grows to the longest request. */
let zeros: number[] = [];

/**
 * A plain array of n zeros that holds doubles at exactly its length, in one
 * allocation: a slice of a shared array first filled with a non-integer, so
 * it is never SMI or holey and later stores of any number do not transition it.
 */
export function doubleZeros(n: number): IndicatorState {
  if (zeros.length < n) {
    const z: number[] = [];
    const len = Math.max(n, zeros.length * 2, 64);
    for (let j = 0; j < len; j++) z.push(0.5);
    for (let j = 0; j < len; j++) z[j] = 0;
    zeros = z;
  }
  return zeros.slice(0, n);
}
