import type { Quote, Trade } from '../../schemas/records.js';
import { raiseAlert } from './alert.js';
import { admitAlert, KIND_INDEX, SEVERITY_RANK } from './cooldown.js';
import type { AnomalyState } from './layout.js';
import { STAT_SEQ_DUPLICATES, STAT_SEQ_GAPS } from './layout.js';

const KIND = KIND_INDEX.sequence_gap;

/**
 * Follows one sequence (`slot` is SEQ_TRADE or SEQ_QUOTE). A jump forward is a
 * gap: counted, and alerted when at least `minMissing` numbers are missing. A
 * number at or below the last one (duplicate or out of order) is counted and
 * otherwise ignored, so the sequence keeps following the highest number seen.
 * `r.seq` must be set.
 */
export function sequenceOnRecord(
  st: AnomalyState,
  slot: number,
  r: Trade | Quote,
  what: 'trade' | 'quote',
): void {
  const seq = r.seq!;
  const s = st.s;
  const o = st.o;
  const last = s[o + slot]!;
  if (Number.isNaN(last) || seq === last + 1) {
    s[o + slot] = seq;
    return;
  }
  if (seq <= last) {
    s[o + STAT_SEQ_DUPLICATES] = s[o + STAT_SEQ_DUPLICATES]! + 1;
    return;
  }
  s[o + slot] = seq;
  s[o + STAT_SEQ_GAPS] = s[o + STAT_SEQ_GAPS]! + 1;
  const missing = seq - last - 1;
  const cfg = st.layout.config.sequenceGap;
  if (missing < cfg.minMissing || !admitAlert(st, KIND, SEVERITY_RANK[cfg.severity], r.ts)) return;
  raiseAlert(
    st,
    'sequence_gap',
    cfg.severity,
    r.ts,
    missing,
    cfg.minMissing,
    `${st.symbol} on ${st.venue} ${what} sequence jumped from ${last} to ${seq}: ${missing} missing`,
  );
}
