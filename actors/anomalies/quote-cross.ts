import type { Quote } from '../../schemas/records.js';
import { formatNumber, raiseAlert } from './alert.js';
import { admitAlert, KIND_INDEX, SEVERITY_RANK } from './cooldown.js';
import type { AnomalyState } from './layout.js';

const CROSSED = KIND_INDEX.crossed_quote;
const LOCKED = KIND_INDEX.locked_quote;

/**
 * Crossed (bid above ask) and locked (bid equal to ask) books. A quote with a
 * missing side (a price of 0) is a one-sided book, not a crossed one.
 * `value` is bid minus ask (0 when locked), `threshold` is 0.
 */
export function quoteCrossOnQuote(st: AnomalyState, q: Quote): void {
  const bid = q.bidPrice;
  const ask = q.askPrice;
  if (bid < ask || !(bid > 0 && ask > 0)) return;
  const config = st.layout.config;
  if (bid > ask) {
    const cfg = config.crossedQuote;
    if (!cfg.enabled || !admitAlert(st, CROSSED, SEVERITY_RANK[cfg.severity], q.ts)) return;
    raiseAlert(
      st,
      'crossed_quote',
      cfg.severity,
      q.ts,
      bid - ask,
      0,
      `${st.symbol} on ${st.venue} quoted a crossed book: bid ${bid} above ask ${ask} by ${formatNumber(bid - ask)}`,
    );
    return;
  }
  const cfg = config.lockedQuote;
  if (!cfg.enabled || !admitAlert(st, LOCKED, SEVERITY_RANK[cfg.severity], q.ts)) return;
  raiseAlert(
    st,
    'locked_quote',
    cfg.severity,
    q.ts,
    0,
    0,
    `${st.symbol} on ${st.venue} quoted a locked book: bid and ask both ${bid}`,
  );
}
