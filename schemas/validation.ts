/**
 * Record validators. Each takes a decoded value of unknown shape and returns
 * `'ok'` or the first {@link ReasonCode} that applies. They run once per
 * input record, so they never throw, never allocate and use only typeof and
 * comparisons. Unknown extra fields are accepted (forward compatibility).
 * Crossed or locked quotes are valid input: detectors alert on them.
 */

import { isValidVenue, symbolProblem } from './identifiers.js';
import type { ReasonCode } from './reasons.js';
import { ALERT_KINDS, INTERVAL_MS, type Interval, SCHEMA_VERSION, SEVERITIES } from './records.js';

/** Earliest accepted timestamp: 2000-01-01T00:00:00Z in epoch milliseconds. */
export const MIN_TIMESTAMP_MS = 946_684_800_000;

/** How far after the caller's `now` a timestamp may be (clock skew allowance): one day. */
export const MAX_FUTURE_MS = 86_400_000;

/** Longest accepted trade id, in UTF-16 code units. */
export const MAX_TRADE_ID_LENGTH = 128;

/** Longest accepted alert message, in UTF-16 code units. */
export const MAX_ALERT_MESSAGE_LENGTH = 1024;

export { REASON_OK, type ReasonCode } from './reasons.js';

// Field access on a value already known to be a non-array object; the index
// signature lets us read fields without casting per field.
type Fields = Record<string, unknown>;

function isPlainObject(x: unknown): x is Fields {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isSaneTime(t: unknown, now: number): t is number {
  return typeof t === 'number' && t >= MIN_TIMESTAMP_MS && t <= now + MAX_FUTURE_MS;
}

function isPositive(x: unknown): boolean {
  return typeof x === 'number' && x > 0 && x < Number.POSITIVE_INFINITY;
}

function isNonNegative(x: unknown): boolean {
  return typeof x === 'number' && x >= 0 && x < Number.POSITIVE_INFINITY;
}

function isFiniteNumber(x: unknown): boolean {
  return typeof x === 'number' && x - x === 0;
}

function isCount(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isInterval(x: unknown): x is Interval {
  return typeof x === 'string' && Object.hasOwn(INTERVAL_MS, x);
}

function checkHeader(r: Fields, type: string): ReasonCode {
  if (r['v'] !== SCHEMA_VERSION) return 'bad_schema_version';
  if (r['type'] !== type) return 'bad_type';
  if (!isValidVenue(r['venue'])) return 'bad_venue';
  if (symbolProblem(r['symbol']) !== 'ok') return 'bad_symbol';
  return 'ok';
}

/**
 * Validates a trade. `now` (epoch ms, the caller's clock) bounds how far in
 * the future `ts` and `recvTs` may be.
 */
export function validateTrade(x: unknown, now: number): ReasonCode {
  if (!isPlainObject(x)) return 'not_an_object';
  const head = checkHeader(x, 'trade');
  if (head !== 'ok') return head;
  if (!isPositive(x['price'])) return 'bad_price';
  if (!isNonNegative(x['size'])) return 'bad_size';
  const side = x['side'];
  if (side !== 'buy' && side !== 'sell' && side !== 'unknown') return 'bad_side';
  const id = x['id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_TRADE_ID_LENGTH) return 'bad_trade_id';
  if (!isSaneTime(x['ts'], now) || !isSaneTime(x['recvTs'], now)) return 'bad_timestamp';
  const seq = x['seq'];
  if (seq !== undefined && !isCount(seq)) return 'bad_seq';
  return 'ok';
}

/** Validates a quote. Zero prices or sizes (an empty side) and crossed books are valid. */
export function validateQuote(x: unknown, now: number): ReasonCode {
  if (!isPlainObject(x)) return 'not_an_object';
  const head = checkHeader(x, 'quote');
  if (head !== 'ok') return head;
  if (
    !isNonNegative(x['bidPrice']) ||
    !isNonNegative(x['bidSize']) ||
    !isNonNegative(x['askPrice']) ||
    !isNonNegative(x['askSize'])
  ) {
    return 'bad_quote';
  }
  if (!isSaneTime(x['ts'], now) || !isSaneTime(x['recvTs'], now)) return 'bad_timestamp';
  const seq = x['seq'];
  if (seq !== undefined && !isCount(seq)) return 'bad_seq';
  return 'ok';
}

/**
 * Validates a candle, including its internal consistency: start aligned to the
 * interval and end = start + length, high/low bounding open and close, at
 * least one trade, first <= last trade time within [start, end).
 */
export function validateCandle(x: unknown, now: number): ReasonCode {
  if (!isPlainObject(x)) return 'not_an_object';
  const head = checkHeader(x, 'candle');
  if (head !== 'ok') return head;
  const interval = x['interval'];
  if (!isInterval(interval)) return 'bad_interval';
  const len = INTERVAL_MS[interval];
  const start = x['start'];
  const end = x['end'];
  if (!isSaneTime(start, now) || typeof end !== 'number') return 'bad_timestamp';
  if (start % len !== 0 || end !== start + len) return 'bad_candle';
  const open = x['open'];
  const high = x['high'];
  const low = x['low'];
  const close = x['close'];
  if (
    !isPositive(open) ||
    !isPositive(high) ||
    !isPositive(low) ||
    !isPositive(close) ||
    !isPositive(x['vwap'])
  ) {
    return 'bad_price';
  }
  if (
    (high as number) < (low as number) ||
    (high as number) < (open as number) ||
    (high as number) < (close as number) ||
    (low as number) > (open as number) ||
    (low as number) > (close as number)
  ) {
    return 'bad_candle';
  }
  if (
    !isNonNegative(x['volume']) ||
    !isNonNegative(x['notional']) ||
    !isNonNegative(x['buyVolume']) ||
    !isNonNegative(x['sellVolume'])
  ) {
    return 'bad_size';
  }
  const trades = x['trades'];
  if (!isCount(trades) || (trades as number) < 1) return 'bad_candle';
  const first = x['firstTradeTs'];
  const last = x['lastTradeTs'];
  if (!isFiniteNumber(first) || !isFiniteNumber(last)) return 'bad_timestamp';
  if ((first as number) < start || (first as number) > (last as number) || (last as number) >= end) {
    return 'bad_candle';
  }
  if (typeof x['closed'] !== 'boolean') return 'bad_closed';
  if (!isCount(x['revision'])) return 'bad_revision';
  return 'ok';
}

/** Validates an indicator snapshot: `ts` is an aligned candle start, values are finite numbers or null. */
export function validateIndicator(x: unknown, now: number): ReasonCode {
  if (!isPlainObject(x)) return 'not_an_object';
  const head = checkHeader(x, 'indicator');
  if (head !== 'ok') return head;
  const interval = x['interval'];
  if (!isInterval(interval)) return 'bad_interval';
  const ts = x['ts'];
  if (!isSaneTime(ts, now) || (ts as number) % INTERVAL_MS[interval] !== 0) return 'bad_timestamp';
  if (typeof x['closed'] !== 'boolean') return 'bad_closed';
  if (!isCount(x['revision'])) return 'bad_revision';
  const values = x['values'];
  if (!isPlainObject(values)) return 'bad_indicator_values';
  for (const k in values) {
    const value = values[k];
    if (value !== null && !isFiniteNumber(value)) return 'bad_indicator_values';
  }
  return 'ok';
}

function isOneOf(x: unknown, list: readonly string[]): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === x) return true;
  return false;
}

/** Validates an alert. */
export function validateAlert(x: unknown, now: number): ReasonCode {
  if (!isPlainObject(x)) return 'not_an_object';
  const head = checkHeader(x, 'alert');
  if (head !== 'ok') return head;
  if (!isOneOf(x['kind'], ALERT_KINDS)) return 'bad_alert_kind';
  if (!isOneOf(x['severity'], SEVERITIES)) return 'bad_severity';
  if (!isSaneTime(x['ts'], now)) return 'bad_timestamp';
  if (!isFiniteNumber(x['value']) || !isFiniteNumber(x['threshold'])) return 'bad_alert_value';
  const message = x['message'];
  if (typeof message !== 'string' || message.length === 0 || message.length > MAX_ALERT_MESSAGE_LENGTH) {
    return 'bad_alert_message';
  }
  return 'ok';
}

/** Validates any record, dispatching on its `type` field; an unknown type is `bad_type`. */
export function validateRecord(x: unknown, now: number): ReasonCode {
  if (!isPlainObject(x)) return 'not_an_object';
  switch (x['type']) {
    case 'trade':
      return validateTrade(x, now);
    case 'quote':
      return validateQuote(x, now);
    case 'candle':
      return validateCandle(x, now);
    case 'indicator':
      return validateIndicator(x, now);
    case 'alert':
      return validateAlert(x, now);
    default:
      return x['v'] !== SCHEMA_VERSION ? 'bad_schema_version' : 'bad_type';
  }
}
