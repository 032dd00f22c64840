import type { AlertKind, Severity } from '../../schemas/records.js';
import { SCHEMA_VERSION } from '../../schemas/records.js';
import type { AnomalyState } from './layout.js';
import { STAT_ALERTS } from './layout.js';

/** Emits an alert that the cooldown admitted, and counts it. */
export function raiseAlert(
  st: AnomalyState,
  kind: AlertKind,
  severity: Severity,
  ts: number,
  value: number,
  threshold: number,
  message: string,
): void {
  st.s[st.o + STAT_ALERTS]!++;
  st.emit({
    v: SCHEMA_VERSION,
    type: 'alert',
    venue: st.venue,
    symbol: st.symbol,
    kind,
    severity,
    ts,
    value,
    threshold,
    message,
  });
}

/** A computed price or quantity for a sentence: six significant digits, trailing zeros dropped. */
export function formatNumber(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** A percentage or z-score for a sentence: three significant digits. */
export function formatRatio(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** A duration for a sentence, e.g. `5-minute`, `90-second`, `1500-ms`. */
export function formatSpan(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}-minute`;
  if (ms % 1_000 === 0) return `${ms / 1_000}-second`;
  return `${ms}-ms`;
}
