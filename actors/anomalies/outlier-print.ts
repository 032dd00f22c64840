import type { Quote, Trade } from '../../schemas/records.js';
import { formatNumber, formatRatio, raiseAlert } from './alert.js';
import { admitAlert, KIND_INDEX, SEVERITY_RANK } from './cooldown.js';
import type { AnomalyState } from './layout.js';
import { BITS, FLAG_REF_IS_MID, f32Base, PENDING_PRICE, REF_PRICE, REF_TS } from './layout.js';

const KIND = KIND_INDEX.outlier_print;

/**
 * Compares a trade with the reference: the last accepted trade price, or the
 * last quote mid when that quote is newer in event time. An outlier is
 * alerted and does not become the reference, so one bad print is one alert.
 * It is remembered as pending, though: if the next print lands within `pct`
 * of it, the market really moved, and that print becomes the reference
 * without a second alert (otherwise a genuine jump on a feed without quotes
 * would leave the detector comparing against a stale price forever).
 */
export function outlierOnTrade(st: AnomalyState, t: Trade): void {
  const s = st.s;
  const o = st.o;
  const cfg = st.layout.config.outlierPrint;
  const b32 = f32Base(st);
  const pendingAt = b32 + PENDING_PRICE;
  const ref = s[o + REF_PRICE]!;
  const price = t.price;
  if (ref > 0) {
    const diff = price - ref;
    const pct = ((diff < 0 ? -diff : diff) / ref) * 100;
    if (pct > cfg.pct) {
      const pending = st.f[pendingAt]!;
      const fromPending = price > pending ? price - pending : pending - price;
      if (!(pending > 0 && (fromPending / pending) * 100 <= cfg.pct)) {
        st.f[pendingAt] = price;
        if (!admitAlert(st, KIND, SEVERITY_RANK[cfg.severity], t.ts)) return;
        const source = (st.f[b32 + BITS]! & FLAG_REF_IS_MID) !== 0 ? 'quote mid' : 'trade price';
        raiseAlert(
          st,
          'outlier_print',
          cfg.severity,
          t.ts,
          pct,
          cfg.pct,
          `${st.symbol} on ${st.venue} printed ${price}, ${formatRatio(pct)}% ${diff > 0 ? 'above' : 'below'} ` +
            `the last ${source} ${formatNumber(ref)}`,
        );
        return;
      }
    }
  }
  st.f[pendingAt] = Number.NaN;
  if (t.ts < s[o + REF_TS]!) return;
  s[o + REF_PRICE] = price;
  s[o + REF_TS] = t.ts;
  st.f[b32 + BITS] = st.f[b32 + BITS]! & ~FLAG_REF_IS_MID;
}

/** A two-sided, uncrossed quote newer than the reference makes its mid the reference. */
export function outlierOnQuote(st: AnomalyState, q: Quote): void {
  const s = st.s;
  const o = st.o;
  const bid = q.bidPrice;
  const ask = q.askPrice;
  if (!(bid > 0 && ask >= bid) || q.ts < s[o + REF_TS]!) return;
  s[o + REF_PRICE] = (bid + ask) / 2;
  s[o + REF_TS] = q.ts;
  const bitsAt = f32Base(st) + BITS;
  st.f[bitsAt] = st.f[bitsAt]! | FLAG_REF_IS_MID;
}
