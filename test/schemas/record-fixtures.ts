/**
 * Hand-written records and refusal cases shared by the validation, codec,
 * subject and JSON Schema tests. Each refusal names the reason it must get
 * and whether a JSON Schema can see the problem (cross-field rules and the
 * "not in the future" rule are left to validation.ts; NaN and Infinity cannot
 * be written in JSON at all, and ajv's number type refuses them).
 */

import type { ReasonCode } from '../../schemas/reasons.js';
import type { Alert, Candle, IndicatorSnapshot, Quote, RecordType, Trade } from '../../schemas/records.js';

/** The clock the validators are given: 2025-01-15T12:00:00Z. */
export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

/** Start of the 1m candle 11:59-12:00 on that day. */
export const CANDLE_START = NOW - 60_000;

export function validTrade(): Trade {
  return {
    v: 1,
    type: 'trade',
    venue: 'binance',
    symbol: 'BTC/USDT',
    price: 42000.5,
    size: 0.25,
    side: 'buy',
    id: '123456789',
    ts: NOW - 1000.25,
    recvTs: NOW - 999,
    seq: 77,
  };
}

export function validQuote(): Quote {
  return {
    v: 1,
    type: 'quote',
    venue: 'coinbase',
    symbol: 'ETH-USD',
    bidPrice: 3100.1,
    bidSize: 2,
    askPrice: 3100.2,
    askSize: 1.5,
    ts: NOW - 10,
    recvTs: NOW - 9.5,
  };
}

export function validCandle(): Candle {
  return {
    v: 1,
    type: 'candle',
    venue: 'nyse',
    symbol: 'BRK.B',
    interval: '1m',
    start: CANDLE_START,
    end: CANDLE_START + 60_000,
    open: 100,
    high: 105,
    low: 99,
    close: 104,
    volume: 10,
    notional: 1020,
    vwap: 102,
    trades: 5,
    buyVolume: 6,
    sellVolume: 4,
    firstTradeTs: CANDLE_START + 100,
    lastTradeTs: CANDLE_START + 59_000.5,
    closed: true,
    revision: 0,
  };
}

export function validIndicator(): IndicatorSnapshot {
  return {
    v: 1,
    type: 'indicator',
    venue: 'cme',
    symbol: 'ES Z6',
    interval: '1m',
    ts: CANDLE_START,
    closed: true,
    revision: 1,
    values: { sma20: 101.5, rsi14: null, bbUpper: 106 },
  };
}

export function validAlert(): Alert {
  return {
    v: 1,
    type: 'alert',
    venue: 'binance',
    symbol: 'BTC/USDT',
    kind: 'price_spike',
    severity: 'warning',
    ts: NOW - 500,
    value: 5.2,
    threshold: 3,
    message: 'BTC/USDT moved 5.2% in 1s',
  };
}

/** A valid record of each kind. */
export const VALID: Record<RecordType, () => object> = {
  trade: validTrade,
  quote: validQuote,
  candle: validCandle,
  indicator: validIndicator,
  alert: validAlert,
};

/** A record refusal: `record` must get `reason` from the validator of `kind`. */
export interface RecordCase {
  kind: RecordType;
  name: string;
  record: unknown;
  reason: ReasonCode;
  /** Whether the record's JSON Schema refuses it too. */
  jsonSchemaCatches: boolean;
}

function edit(kind: RecordType, patch: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = { ...VALID[kind]() };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete r[k];
    else r[k] = v;
  }
  return r;
}

const cases: RecordCase[] = [];

function add(
  kind: RecordType,
  name: string,
  patch: Record<string, unknown>,
  reason: ReasonCode,
  jsonSchemaCatches = true,
): void {
  cases.push({ kind, name, record: edit(kind, patch), reason, jsonSchemaCatches });
}

// Applies to every kind: wrong top-level value, version, type, venue, symbol.
for (const kind of Object.keys(VALID) as RecordType[]) {
  cases.push({ kind, name: 'a string', record: 'trade', reason: 'not_an_object', jsonSchemaCatches: true });
  cases.push({ kind, name: 'null', record: null, reason: 'not_an_object', jsonSchemaCatches: true });
  cases.push({
    kind,
    name: 'an array',
    record: [VALID[kind]()],
    reason: 'not_an_object',
    jsonSchemaCatches: true,
  });
  add(kind, 'version 2', { v: 2 }, 'bad_schema_version');
  add(kind, 'version as a string', { v: '1' }, 'bad_schema_version');
  add(kind, 'no version', { v: undefined }, 'bad_schema_version');
  add(kind, 'another type', { type: kind === 'trade' ? 'quote' : 'trade' }, 'bad_type');
  add(kind, 'no type', { type: undefined }, 'bad_type');
  add(kind, 'upper-case venue', { venue: 'Binance' }, 'bad_venue');
  add(kind, 'empty venue', { venue: '' }, 'bad_venue');
  add(kind, 'venue starting with -', { venue: '-sim' }, 'bad_venue');
  add(kind, 'venue with a dot', { venue: 'bin.ance' }, 'bad_venue');
  add(kind, 'venue of 33 characters', { venue: 'a'.repeat(33) }, 'bad_venue');
  add(kind, 'numeric venue', { venue: 7 }, 'bad_venue');
  add(kind, 'empty symbol', { symbol: '' }, 'bad_symbol');
  add(kind, 'symbol of 65 characters', { symbol: 'A'.repeat(65) }, 'bad_symbol');
  add(kind, 'symbol with a newline', { symbol: 'BTC\nUSD' }, 'bad_symbol');
  add(kind, 'symbol with a C1 control', { symbol: 'BTC\u0085' }, 'bad_symbol');
  add(kind, 'symbol with a lone high surrogate', { symbol: 'X\uD800Y' }, 'bad_symbol');
  add(kind, 'symbol with a lone low surrogate', { symbol: 'X\uDC00' }, 'bad_symbol');
  add(kind, 'numeric symbol', { symbol: 42 }, 'bad_symbol');
}

add('trade', 'zero price', { price: 0 }, 'bad_price');
add('trade', 'negative price', { price: -1 }, 'bad_price');
add('trade', 'NaN price', { price: Number.NaN }, 'bad_price');
add('trade', 'infinite price', { price: Number.POSITIVE_INFINITY }, 'bad_price');
add('trade', 'price as a string', { price: '100' }, 'bad_price');
add('trade', 'negative size', { size: -0.5 }, 'bad_size');
add('trade', 'NaN size', { size: Number.NaN }, 'bad_size');
add('trade', 'null size', { size: null }, 'bad_size');
add('trade', 'upper-case side', { side: 'BUY' }, 'bad_side');
add('trade', 'no side', { side: undefined }, 'bad_side');
add('trade', 'empty trade id', { id: '' }, 'bad_trade_id');
add('trade', 'trade id of 129 characters', { id: 'x'.repeat(129) }, 'bad_trade_id');
add('trade', 'numeric trade id', { id: 12345 }, 'bad_trade_id');
add('trade', 'event time before 2000', { ts: 946_684_799_999 }, 'bad_timestamp');
add('trade', 'event time more than a day ahead', { ts: NOW + 86_400_001 }, 'bad_timestamp', false);
add('trade', 'NaN receive time', { recvTs: Number.NaN }, 'bad_timestamp');
add('trade', 'event time as a string', { ts: '2025-01-15T12:00:00Z' }, 'bad_timestamp');
add('trade', 'negative seq', { seq: -1 }, 'bad_seq');
add('trade', 'fractional seq', { seq: 1.5 }, 'bad_seq');
add('trade', 'seq as a string', { seq: '7' }, 'bad_seq');
add('trade', 'null seq', { seq: null }, 'bad_seq');
add('trade', 'seq above 2^53', { seq: 2 ** 53 }, 'bad_seq');

add('quote', 'negative bid price', { bidPrice: -1 }, 'bad_quote');
add('quote', 'NaN ask size', { askSize: Number.NaN }, 'bad_quote');
add('quote', 'ask price as a string', { askPrice: '1' }, 'bad_quote');
add('quote', 'infinite bid size', { bidSize: Number.POSITIVE_INFINITY }, 'bad_quote');
add('quote', 'receive time before 2000', { recvTs: 0 }, 'bad_timestamp');
add('quote', 'fractional seq', { seq: 0.5 }, 'bad_seq');

add('candle', 'unknown interval', { interval: '2m' }, 'bad_interval');
add('candle', 'numeric interval', { interval: 60 }, 'bad_interval');
add('candle', 'start before 2000', { start: 60_000, end: 120_000 }, 'bad_timestamp');
add('candle', 'end as a string', { end: 'later' }, 'bad_timestamp');
add('candle', 'misaligned start', { start: CANDLE_START + 1, end: CANDLE_START + 60_001 }, 'bad_candle');
add('candle', 'end not start + interval', { end: CANDLE_START + 30_000 }, 'bad_candle', false);
add('candle', 'high below close', { high: 103 }, 'bad_candle', false);
add('candle', 'low above open', { low: 100.5 }, 'bad_candle', false);
add('candle', 'zero trades', { trades: 0 }, 'bad_candle');
add('candle', 'fractional trade count', { trades: 1.5 }, 'bad_candle');
add('candle', 'last trade at the end', { lastTradeTs: CANDLE_START + 60_000 }, 'bad_candle', false);
add('candle', 'first trade after last', { firstTradeTs: CANDLE_START + 59_500 }, 'bad_candle', false);
add('candle', 'first trade before start', { firstTradeTs: CANDLE_START - 1 }, 'bad_candle', false);
add('candle', 'NaN first trade time', { firstTradeTs: Number.NaN }, 'bad_timestamp');
add('candle', 'zero open', { open: 0 }, 'bad_price');
add('candle', 'negative vwap', { vwap: -1 }, 'bad_price');
add('candle', 'negative volume', { volume: -1 }, 'bad_size');
add('candle', 'NaN buy volume', { buyVolume: Number.NaN }, 'bad_size');
add('candle', 'closed as a string', { closed: 'yes' }, 'bad_closed');
add('candle', 'no closed flag', { closed: undefined }, 'bad_closed');
add('candle', 'negative revision', { revision: -1 }, 'bad_revision');
add('candle', 'fractional revision', { revision: 0.5 }, 'bad_revision');

add('indicator', 'unknown interval', { interval: '7m' }, 'bad_interval');
add('indicator', 'misaligned ts', { ts: CANDLE_START + 1000 }, 'bad_timestamp');
add('indicator', 'ts more than a day ahead', { ts: NOW + 2 * 86_400_000 }, 'bad_timestamp', false);
add('indicator', 'closed as a number', { closed: 1 }, 'bad_closed');
add('indicator', 'revision as a string', { revision: '0' }, 'bad_revision');
add('indicator', 'null values', { values: null }, 'bad_indicator_values');
add('indicator', 'values as an array', { values: [1, 2] }, 'bad_indicator_values');
add('indicator', 'a string value', { values: { sma20: 'x' } }, 'bad_indicator_values');
add('indicator', 'a NaN value', { values: { sma20: Number.NaN } }, 'bad_indicator_values');
add(
  'indicator',
  'an infinite value',
  { values: { rsi14: Number.NEGATIVE_INFINITY } },
  'bad_indicator_values',
);

add('alert', 'unknown kind', { kind: 'flash_crash' }, 'bad_alert_kind');
add('alert', 'unknown severity', { severity: 'fatal' }, 'bad_severity');
add('alert', 'NaN value', { value: Number.NaN }, 'bad_alert_value');
add('alert', 'threshold as a string', { threshold: '3' }, 'bad_alert_value');
add('alert', 'empty message', { message: '' }, 'bad_alert_message');
add('alert', 'message of 1025 characters', { message: 'x'.repeat(1025) }, 'bad_alert_message');
add('alert', 'numeric message', { message: 42 }, 'bad_alert_message');
add('alert', 'ts before 2000', { ts: 1 }, 'bad_timestamp');

/** Every record refusal. */
export const RECORD_CASES: readonly RecordCase[] = cases;

/** Records that look odd but must be accepted. */
export const ACCEPTED_ODDITIES: readonly { kind: RecordType; name: string; record: unknown }[] = [
  { kind: 'trade', name: 'zero size', record: edit('trade', { size: 0 }) },
  { kind: 'trade', name: 'no seq', record: edit('trade', { seq: undefined }) },
  { kind: 'trade', name: 'side unknown', record: edit('trade', { side: 'unknown' }) },
  { kind: 'trade', name: 'event time exactly a day ahead', record: edit('trade', { ts: NOW + 86_400_000 }) },
  { kind: 'trade', name: 'event time exactly 2000-01-01', record: edit('trade', { ts: 946_684_800_000 }) },
  { kind: 'trade', name: 'trade id of 128 characters', record: edit('trade', { id: 'x'.repeat(128) }) },
  { kind: 'trade', name: 'symbol of 64 characters', record: edit('trade', { symbol: 'A'.repeat(64) }) },
  { kind: 'trade', name: 'unicode symbol with an emoji', record: edit('trade', { symbol: 'ÄPFEL/€😀' }) },
  { kind: 'trade', name: 'an unknown extra field', record: edit('trade', { venueFlags: 3 }) },
  { kind: 'quote', name: 'crossed book', record: edit('quote', { bidPrice: 101, askPrice: 100 }) },
  { kind: 'quote', name: 'locked book', record: edit('quote', { bidPrice: 100, askPrice: 100 }) },
  { kind: 'quote', name: 'empty bid side', record: edit('quote', { bidPrice: 0, bidSize: 0 }) },
  { kind: 'quote', name: 'seq 0', record: edit('quote', { seq: 0 }) },
  { kind: 'candle', name: 'single-trade flat candle', record: edit('candle', flatCandle()) },
  { kind: 'indicator', name: 'no values', record: edit('indicator', { values: {} }) },
  { kind: 'alert', name: 'negative value', record: edit('alert', { value: -4.5 }) },
];

function flatCandle(): Record<string, unknown> {
  return {
    open: 50,
    high: 50,
    low: 50,
    close: 50,
    vwap: 50,
    volume: 0,
    notional: 0,
    buyVolume: 0,
    sellVolume: 0,
    trades: 1,
    firstTradeTs: CANDLE_START,
    lastTradeTs: CANDLE_START,
  };
}
