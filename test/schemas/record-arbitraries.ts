/**
 * fast-check generators of valid records of every kind, with fractional
 * timestamps, optional seq present or absent and arbitrary unicode symbols.
 * Every generated record passes validation at {@link NOW}.
 */

import fc from 'fast-check';
import { symbolProblem } from '../../schemas/identifiers.js';
import {
  ALERT_KINDS,
  type Alert,
  type AnyRecord,
  type Candle,
  INTERVAL_MS,
  INTERVALS,
  type IndicatorSnapshot,
  type Quote,
  SEVERITIES,
  SIDES,
  type Trade,
} from '../../schemas/records.js';
import { NOW } from './record-fixtures.js';

const MIN_TS = 946_684_800_000;

/** Removes -0, which MessagePack integers cannot carry and no record field means. */
const noNegZero = (x: number): number => (x === 0 ? 0 : x);

/** Any symbol the validators accept: unicode code points including astral ones, no controls. */
export const arbSymbol: fc.Arbitrary<string> = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 40 })
  .filter((s) => symbolProblem(s) === 'ok');

/** A symbol made of a mix of subject-safe and escaped ASCII characters, as exchanges spell them. */
export const arbAsciiSymbol: fc.Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(...'ABCXYZ09az_-./: ~*>'.split('')), minLength: 1, maxLength: 16 })
  .filter((s) => symbolProblem(s) === 'ok');

export const arbVenue: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...'abcxyz0189'.split('')),
    fc.string({ unit: fc.constantFrom(...'abz09_-'.split('')), maxLength: 31 }),
  )
  .map(([a, b]) => a + b);

/** Epoch ms between 2000-01-01 and NOW, often with a fractional part. */
export const arbTime: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: MIN_TS, max: NOW }),
  fc.double({ min: MIN_TS, max: NOW, noNaN: true }),
);

const positive = fc.double({ min: 1e-9, max: 1e12, noNaN: true });
const nonNegative = fc.double({ min: 0, max: 1e12, noNaN: true }).map(noNegZero);
const seq = fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: undefined });

function withoutUndefinedSeq<T extends { seq?: number }>(r: T): T {
  if (r.seq === undefined) delete r.seq;
  return r;
}

export const arbTrade: fc.Arbitrary<Trade> = fc
  .record({
    venue: arbVenue,
    symbol: arbSymbol,
    price: positive,
    size: nonNegative,
    side: fc.constantFrom(...SIDES),
    id: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => s.length <= 128),
    ts: arbTime,
    recvTs: arbTime,
    seq,
  })
  .map((f): Trade => withoutUndefinedSeq({ v: 1, type: 'trade', ...f }));

export const arbQuote: fc.Arbitrary<Quote> = fc
  .record({
    venue: arbVenue,
    symbol: arbSymbol,
    bidPrice: nonNegative,
    bidSize: nonNegative,
    askPrice: nonNegative,
    askSize: nonNegative,
    ts: arbTime,
    recvTs: arbTime,
    seq,
  })
  .map((f): Quote => withoutUndefinedSeq({ v: 1, type: 'quote', ...f }));

export const arbCandle: fc.Arbitrary<Candle> = fc
  .record({
    venue: arbVenue,
    symbol: arbSymbol,
    interval: fc.constantFrom(...INTERVALS),
    at: arbTime,
    prices: fc.array(positive, { minLength: 4, maxLength: 4 }),
    volume: nonNegative,
    notional: nonNegative,
    vwap: positive,
    trades: fc.integer({ min: 1, max: 1_000_000 }),
    buyVolume: nonNegative,
    sellVolume: nonNegative,
    offsets: fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }).map(noNegZero), {
      minLength: 2,
      maxLength: 2,
    }),
    closed: fc.boolean(),
    revision: fc.nat(),
  })
  .map(({ at, prices, offsets, interval, ...f }): Candle => {
    const len = INTERVAL_MS[interval];
    const start = Math.max(Math.ceil(MIN_TS / len), Math.floor(at / len)) * len;
    const [open, close, a, b] = prices as [number, number, number, number];
    const [o1, o2] = offsets as [number, number];
    return {
      v: 1,
      type: 'candle',
      venue: f.venue,
      symbol: f.symbol,
      interval,
      start,
      end: start + len,
      open,
      high: Math.max(open, close, a),
      low: Math.min(open, close, b),
      close,
      volume: f.volume,
      notional: f.notional,
      vwap: f.vwap,
      trades: f.trades,
      buyVolume: f.buyVolume,
      sellVolume: f.sellVolume,
      firstTradeTs: start + Math.min(o1, o2) * len,
      lastTradeTs: start + Math.max(o1, o2) * len,
      closed: f.closed,
      revision: f.revision,
    };
  });

export const arbIndicator: fc.Arbitrary<IndicatorSnapshot> = fc
  .record({
    venue: arbVenue,
    symbol: arbSymbol,
    interval: fc.constantFrom(...INTERVALS),
    at: arbTime,
    closed: fc.boolean(),
    revision: fc.nat(),
    values: fc.dictionary(
      // msgpackr renames a `__proto__` key on decode (prototype-pollution guard).
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__'),
      fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegZero), { nil: null }),
      { maxKeys: 8, noNullPrototype: true },
    ),
  })
  .map(({ at, interval, ...f }): IndicatorSnapshot => {
    const len = INTERVAL_MS[interval];
    const ts = Math.max(Math.ceil(MIN_TS / len), Math.floor(at / len)) * len;
    return { v: 1, type: 'indicator', interval, ts, ...f };
  });

export const arbAlert: fc.Arbitrary<Alert> = fc
  .record({
    venue: arbVenue,
    symbol: arbSymbol,
    kind: fc.constantFrom(...ALERT_KINDS),
    severity: fc.constantFrom(...SEVERITIES),
    ts: arbTime,
    value: fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegZero),
    threshold: fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegZero),
    message: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
  })
  .map((f): Alert => ({ v: 1, type: 'alert', ...f }));

export const arbRecord: fc.Arbitrary<AnyRecord> = fc.oneof(
  arbTrade,
  arbQuote,
  arbCandle,
  arbIndicator,
  arbAlert,
);

/** A frame: 1-20 records of one venue and symbol. */
export const arbFrame: fc.Arbitrary<AnyRecord[]> = fc
  .tuple(arbVenue, arbSymbol, fc.array(arbRecord, { minLength: 1, maxLength: 20 }))
  .map(([venue, symbol, records]) => records.map((r) => ({ ...r, venue, symbol })));
