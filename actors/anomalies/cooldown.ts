import type { AlertKind, Severity } from '../../schemas/records.js';
import { ALERT_KINDS, SEVERITIES } from '../../schemas/records.js';
import type { AnomalyState } from './layout.js';
import { BITS, f32Base, LAST_ALERT } from './layout.js';

/** Slot of each alert kind in the cooldown state (ALERT_KINDS order). */
export const KIND_INDEX: Readonly<Record<AlertKind, number>> = Object.fromEntries(
  ALERT_KINDS.map((k, i) => [k, i]),
) as Record<AlertKind, number>;

/** Severity as a comparable rank: info 0, warning 1, critical 2. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.fromEntries(
  SEVERITIES.map((s, i) => [s, i]),
) as Record<Severity, number>;

const ESCALATED = 4;

/**
 * Decides whether an alert of `kind` (a KIND_INDEX) at severity `rank` and
 * time `ts` may go out, and records it if so. Call it before building the
 * alert, so a storm held back by the cooldown allocates nothing.
 *
 * Rules: an alert starts a cooldown of `cooldownMs` around its time (a time
 * further than that before it, e.g. a venue clock jumping back, also ends
 * it). Inside the cooldown, the first alert of a strictly higher severity
 * than the one that opened it gets through once, without restarting the
 * cooldown; everything else is held back.
 */
export function admitAlert(st: AnomalyState, kind: number, rank: number, ts: number): boolean {
  const s = st.s;
  const o = st.o;
  const last = s[o + LAST_ALERT + kind]!;
  const shift = kind * 3;
  const bitsAt = f32Base(st) + BITS;
  const bits = st.f[bitsAt]!;
  const state = (bits >>> shift) & 7;
  let next: number;
  if (Number.isNaN(last) || Math.abs(ts - last) >= st.layout.config.cooldownMs) {
    s[o + LAST_ALERT + kind] = ts;
    next = rank;
  } else if ((state & ESCALATED) === 0 && rank > (state & 3)) {
    next = rank | ESCALATED;
  } else {
    return false;
  }
  st.f[bitsAt] = (bits & ~(7 << shift)) | (next << shift);
  return true;
}
