import type { Quote, Trade } from '../../schemas/records.js';
import { formatNumber, raiseAlert } from './alert.js';
import { ringSlot, slotOf } from './bucket-ring.js';
import { admitAlert, KIND_INDEX, SEVERITY_RANK } from './cooldown.js';
import type { AnomalyState } from './layout.js';
import { BITS, FLAG_STALE_ALERTED, f32Base, LAST_ARRIVAL, STALE_BUCKETS } from './layout.js';

const KIND = KIND_INDEX.stale_feed;

/**
 * A trade or quote arrived: it ends any stale episode and counts towards
 * activity. Takes the record rather than its time: a double passed to a call
 * the compiler does not inline is boxed, which would allocate per trade.
 */
export function staleFeedOnArrival(st: AnomalyState, r: Trade | Quote): void {
  const recvTs = r.recvTs;
  const s = st.s;
  const f = st.f;
  const o = st.o;
  const layout = st.layout;
  const b32 = f32Base(st);
  const bits = f[b32 + BITS]!;
  if ((bits & FLAG_STALE_ALERTED) !== 0) f[b32 + BITS] = bits & ~FLAG_STALE_ALERTED;
  // The ring's newest bucket is the one of the latest arrival, so it needs no slot of its own.
  const last = s[o + LAST_ARRIVAL]!;
  const countsAt = b32 + layout.staleAt32;
  const index = Math.floor(recvTs / layout.staleBucketMs);
  const latest = Math.floor(last / layout.staleBucketMs);
  const slot = ringSlot(s, f, latest, -1, countsAt, STALE_BUCKETS, index, slotOf(index, STALE_BUCKETS));
  if (slot >= 0) f[countsAt + slot] = f[countsAt + slot]! + 1;
  if (!(recvTs <= last)) s[o + LAST_ARRIVAL] = recvTs;
}

/**
 * Timer tick: alerts once per stale episode, when nothing has arrived for
 * `afterMs` and the symbol was active up to its last arrival. An episode
 * whose alert the cooldown holds back is alerted at a later tick once the
 * cooldown allows, if it is still going on.
 */
export function staleFeedOnTimer(st: AnomalyState, now: number): void {
  const s = st.s;
  const o = st.o;
  const cfg = st.layout.config.staleFeed;
  const last = s[o + LAST_ARRIVAL]!;
  const silence = now - last;
  const b32 = f32Base(st);
  if (!(silence >= cfg.afterMs) || (st.f[b32 + BITS]! & FLAG_STALE_ALERTED) !== 0) return;
  const countsAt = b32 + st.layout.staleAt32;
  let arrivals = 0;
  for (let k = 0; k < STALE_BUCKETS; k++) arrivals += st.f[countsAt + k]!;
  if (arrivals < cfg.minUpdates) return;
  if (!admitAlert(st, KIND, SEVERITY_RANK[cfg.severity], now)) return;
  st.f[b32 + BITS] = st.f[b32 + BITS]! | FLAG_STALE_ALERTED;
  raiseAlert(
    st,
    'stale_feed',
    cfg.severity,
    now,
    silence,
    cfg.afterMs,
    `${st.symbol} on ${st.venue} has had no trade or quote for ${formatNumber(silence / 1000)} s ` +
      `(stale after ${formatNumber(cfg.afterMs / 1000)} s) after ${arrivals} updates in the ` +
      `${formatNumber(cfg.activeWindowMs / 1000)} s before`,
  );
}
