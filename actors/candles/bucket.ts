/**
 * Start of the interval bucket holding `ts`: the largest multiple of `len`
 * that is <= ts, so start <= ts < start + len. `floor(ts / len) * len` is
 * that for whole-millisecond lengths; the two corrections keep the invariant
 * should the rounded quotient or product ever land across a boundary.
 */
export function bucketStart(ts: number, len: number): number {
  const s = Math.floor(ts / len) * len;
  if (s > ts) return s - len;
  if (s + len <= ts) return s + len;
  return s;
}
