/**
 * JSON Schemas (draft 2020-12) of every record, for clients in other
 * languages; `write-json-schemas.ts` writes them to `schemas/json/`. They
 * describe the decoded MessagePack maps as JSON. Rules that JSON Schema
 * cannot state are left to `validation.ts` and named in the descriptions:
 * timestamps at most one day in the future, a candle's end = start + interval
 * and high/low bounding open/close. Keep them in step with `records.ts`.
 */

import {
  ALERT_KINDS,
  INTERVAL_MS,
  INTERVALS,
  type RecordType,
  SCHEMA_VERSION,
  SEVERITIES,
  SIDES,
} from './records.js';
import { MAX_ALERT_MESSAGE_LENGTH, MAX_TRADE_ID_LENGTH, MIN_TIMESTAMP_MS } from './validation.js';

/** A JSON Schema document or sub-schema, as plain JSON data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

const version: JsonSchema = { const: SCHEMA_VERSION, description: 'Schema version of the record shape.' };

const venue: JsonSchema = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
  description: 'Venue code, lower case, e.g. binance, coinbase, sim.',
};

const symbol: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]+$',
  description:
    'Venue symbol as the venue spells it, e.g. BTC/USDT. At most 64 UTF-16 code units (JSON Schema counts ' +
    'code points, so a symbol with characters outside the BMP may pass maxLength and still be refused); ' +
    'no control characters.',
};

const timestamp = (description: string): JsonSchema => ({
  type: 'number',
  minimum: MIN_TIMESTAMP_MS,
  description: `${description} UTC epoch milliseconds, fraction allowed; not before 2000-01-01 and not more than one day after the receiver's clock.`,
});

const positive = (description: string): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, description });
const nonNegative = (description: string): JsonSchema => ({ type: 'number', minimum: 0, description });
const count = (description: string): JsonSchema => ({
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description,
});

const interval: JsonSchema = { enum: INTERVALS, description: 'Candle interval.' };

function record(
  type: RecordType,
  description: string,
  properties: Record<string, JsonSchema>,
  optional: string[] = [],
) {
  const required: string[] = [];
  for (const k of Object.keys(properties)) if (!optional.includes(k)) required.push(k);
  return {
    $schema: DRAFT,
    $id: `urn:tickflow:schema:${type}:v${SCHEMA_VERSION}`,
    title: type,
    description: `${description} Unknown extra fields are allowed and ignored.`,
    type: 'object',
    properties,
    required,
  };
}

/** Trade record. */
export const TRADE_JSON_SCHEMA: JsonSchema = record(
  'trade',
  'One execution reported by a venue.',
  {
    v: version,
    type: { const: 'trade' },
    venue,
    symbol,
    price: positive('Execution price, > 0.'),
    size: nonNegative('Executed quantity, >= 0.'),
    side: { enum: SIDES, description: 'Aggressor side; unknown when the venue does not say.' },
    id: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_TRADE_ID_LENGTH,
      description: 'Venue trade id. Digit-only ids order numerically, others lexically.',
    },
    ts: timestamp('Event time.'),
    recvTs: timestamp('Receive time.'),
    seq: count('Venue sequence number, when the source has one.'),
  },
  ['seq'],
);

/** Quote record. */
export const QUOTE_JSON_SCHEMA: JsonSchema = record(
  'quote',
  'Top of book. Crossed and locked books are valid.',
  {
    v: version,
    type: { const: 'quote' },
    venue,
    symbol,
    bidPrice: nonNegative('Best bid price, >= 0 (0: no bid).'),
    bidSize: nonNegative('Size at the best bid.'),
    askPrice: nonNegative('Best ask price, >= 0 (0: no ask).'),
    askSize: nonNegative('Size at the best ask.'),
    ts: timestamp('Event time.'),
    recvTs: timestamp('Receive time.'),
    seq: count('Venue sequence number, when the source has one.'),
  },
  ['seq'],
);

/** `field` is a multiple of the record's interval length, stated once per interval. */
function alignedTo(field: string): JsonSchema[] {
  return INTERVALS.map(
    (i): JsonSchema => ({
      if: { properties: { interval: { const: i } }, required: ['interval'] },
      // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword; these objects are never awaited.
      then: { properties: { [field]: { type: 'number', multipleOf: INTERVAL_MS[i] } } },
    }),
  );
}

/** Candle record. */
export const CANDLE_JSON_SCHEMA: JsonSchema = {
  ...record('candle', 'OHLCV candle over [start, end) in event time, floored to UTC interval boundaries.', {
    v: version,
    type: { const: 'candle' },
    venue,
    symbol,
    interval,
    start: timestamp('Inclusive start, a multiple of the interval length.'),
    end: timestamp('Exclusive end, start + interval length.'),
    open: positive('First trade price.'),
    high: positive('Highest trade price, >= open, close and low.'),
    low: positive('Lowest trade price, <= open and close.'),
    close: positive('Last trade price.'),
    volume: nonNegative('Sum of trade sizes.'),
    notional: nonNegative('Sum of price * size.'),
    vwap: positive('notional / volume; close when volume is 0.'),
    trades: { ...count('Number of trades.'), minimum: 1 },
    buyVolume: nonNegative('Volume of buyer-initiated trades.'),
    sellVolume: nonNegative('Volume of seller-initiated trades.'),
    firstTradeTs: timestamp('Event time of the first trade, within [start, end).'),
    lastTradeTs: timestamp('Event time of the last trade, within [start, end).'),
    closed: { type: 'boolean', description: 'true once the watermark or a timer closed the candle.' },
    revision: count('0 for the first closed version, +1 for each late-trade revision.'),
  }),
  allOf: alignedTo('start'),
};

/** Indicator snapshot record. */
export const INDICATOR_JSON_SCHEMA: JsonSchema = {
  ...record('indicator', 'Indicator values for one candle of one interval; null during warm-up.', {
    v: version,
    type: { const: 'indicator' },
    venue,
    symbol,
    interval,
    ts: timestamp('Start of the candle the values were computed at.'),
    closed: { type: 'boolean', description: 'Computed over closed candles only.' },
    revision: count('Revision of that candle.'),
    values: {
      type: 'object',
      additionalProperties: { anyOf: [{ type: 'number' }, { type: 'null' }] },
      description: 'Keyed by indicator output name, e.g. sma20, rsi14, macd, bbUpper.',
    },
  }),
  allOf: alignedTo('ts'),
};

/** Alert record. */
export const ALERT_JSON_SCHEMA: JsonSchema = record('alert', 'An anomaly a detector found.', {
  v: version,
  type: { const: 'alert' },
  venue,
  symbol,
  kind: { enum: ALERT_KINDS },
  severity: { enum: SEVERITIES },
  ts: timestamp('Event time of the input that raised the alert, or the timer time for stale_feed.'),
  value: { type: 'number', description: 'The measured quantity, e.g. percent move, z-score, gap length.' },
  threshold: { type: 'number', description: 'The threshold it crossed.' },
  message: {
    type: 'string',
    minLength: 1,
    maxLength: MAX_ALERT_MESSAGE_LENGTH,
    description: 'One sentence for people.',
  },
});

/** Every record's JSON Schema, keyed by record type. */
export const JSON_SCHEMAS: Readonly<Record<RecordType, JsonSchema>> = {
  trade: TRADE_JSON_SCHEMA,
  quote: QUOTE_JSON_SCHEMA,
  candle: CANDLE_JSON_SCHEMA,
  indicator: INDICATOR_JSON_SCHEMA,
  alert: ALERT_JSON_SCHEMA,
};
