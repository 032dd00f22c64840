/**
 * A ring of B consecutive time buckets kept in packed state. The caller keeps
 * `latest`, the index (time / width, floored) of the newest bucket, NaN while
 * empty; slot `index mod B` holds bucket `index` for the B newest indexes, as
 * a count in `f[countsAt + slot]` and, when `sumsAt >= 0`, a sum in
 * `s[sumsAt + slot]`. Slots are walked with decrements rather than `%` per
 * bucket: bucket indexes are doubles, and a double modulo costs tens of ns.
 */

/**
 * Makes room for bucket `index` (whose slot is `slot`) and returns the slot,
 * or -1 when the bucket is older than the ring holds. Moving forward clears
 * the skipped slots, at most B of them. The caller then raises its `latest`
 * to `index` if that is newer.
 */
export function ringSlot(
  s: Float64Array,
  f: Float32Array,
  latest: number,
  sumsAt: number,
  countsAt: number,
  buckets: number,
  index: number,
  slot: number,
): number {
  const ahead = index - latest;
  if (!(ahead > 0)) return ahead > -buckets || Number.isNaN(latest) ? slot : -1;
  let k = slot;
  for (let n = Math.min(ahead, buckets); n > 0; n--) {
    if (sumsAt >= 0) s[sumsAt + k] = 0;
    f[countsAt + k] = 0;
    k = k === 0 ? buckets - 1 : k - 1;
  }
  return slot;
}

/**
 * Slot of bucket `index`, non-negative even for times before the epoch
 * (floor division instead of `%`, which is a slow library call on doubles).
 */
export function slotOf(index: number, buckets: number): number {
  return index - Math.floor(index / buckets) * buckets;
}
