import type { Trade } from '../../schemas/records.js';
import { formatNumber, formatRatio, formatSpan, raiseAlert } from './alert.js';
import { ringSlot, slotOf } from './bucket-ring.js';
import { admitAlert, KIND_INDEX } from './cooldown.js';
import type { AnomalyState } from './layout.js';
import { f32Base } from './layout.js';

const KIND = KIND_INDEX.price_spike;
const WARNING = 1;
const CRITICAL = 2;

/**
 * Judges a trade against the mean trade price of the window before it, then
 * adds it to the window. The window is the trade's own bucket and the B-1
 * before it; for a late trade, only those the ring still holds. A trade older
 * than every bucket in the ring is neither judged nor added.
 */
export function priceSpikeOnTrade(st: AnomalyState, t: Trade): void {
  const layout = st.layout;
  const cfg = layout.config.priceSpike;
  const s = st.s;
  const f = st.f;
  const latestAt = st.o + layout.psAt64;
  const sumsAt = latestAt + 1;
  const countsAt = f32Base(st) + layout.psAt32;
  const buckets = layout.psBuckets;
  const index = Math.floor(t.ts / cfg.bucketMs);
  const slot = slotOf(index, buckets);
  const latest = s[latestAt]!;
  // The ring holds buckets latest-B+1..latest; the trade's window is index-B+1..index.
  const apart = index > latest ? index - latest : latest - index;
  if (apart < buckets) {
    let k = slot;
    if (index > latest) {
      k -= apart;
      if (k < 0) k += buckets;
    }
    let sum = 0;
    let count = 0;
    for (let n = buckets - apart; n > 0; n--) {
      sum += s[sumsAt + k]!;
      count += f[countsAt + k]!;
      k = k === 0 ? buckets - 1 : k - 1;
    }
    if (count >= cfg.minTrades && sum > 0) {
      // Only the rare spike leaves this function: a double argument to a call that is not inlined is boxed.
      const mean = sum / count;
      const move = ((t.price - mean) / mean) * 100;
      if (move >= cfg.warnPct || -move >= cfg.warnPct) judge(st, t, mean, move);
    }
  }
  if (ringSlot(s, f, latest, sumsAt, countsAt, buckets, index, slot) < 0) return;
  if (!(index <= latest)) s[latestAt] = index;
  s[sumsAt + slot] = s[sumsAt + slot]! + t.price;
  f[countsAt + slot] = f[countsAt + slot]! + 1;
}

function judge(st: AnomalyState, t: Trade, mean: number, move: number): void {
  const cfg = st.layout.config.priceSpike;
  const pct = move < 0 ? -move : move;
  const rank = pct >= cfg.criticalPct ? CRITICAL : WARNING;
  if (!admitAlert(st, KIND, rank, t.ts)) return;
  const threshold = rank === CRITICAL ? cfg.criticalPct : cfg.warnPct;
  raiseAlert(
    st,
    'price_spike',
    rank === CRITICAL ? 'critical' : 'warning',
    t.ts,
    pct,
    threshold,
    `${st.symbol} on ${st.venue} traded ${t.price}, ${formatRatio(pct)}% ${move > 0 ? 'above' : 'below'} ` +
      `its ${formatSpan(cfg.windowMs)} mean ${formatNumber(mean)}`,
  );
}
