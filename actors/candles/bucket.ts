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

/**
 * `bucketStart(ts, len)` with the division replaced by a multiplication by
 * `perLen` = 1 / len (precomputed per interval): the product lands within one
 * bucket of the true quotient and the same two corrections pin the result to
 * the unique answer, so both functions agree on every input.
 */
export function bucketStartBy(ts: number, len: number, perLen: number): number {
  const s = Math.floor(ts * perLen) * len;
  if (s > ts) return s - len;
  if (s + len <= ts) return s + len;
  return s;
}
