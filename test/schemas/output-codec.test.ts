import fc from 'fast-check';
import t from 'tap';
import {
  type Alert,
  type Candle,
  decodePayload,
  encodeOutput,
  encodeRecord,
  type IndicatorSnapshot,
  type OutputRecord,
} from '../../schemas/index.js';
import { arbAlert, arbCandle, arbIndicator } from './record-arbitraries.js';
import { decodeStandard } from './standard-msgpack.js';

/** The same record with its keys in the declared order (the order encodeOutput writes). */
function declaredOrder(r: OutputRecord): OutputRecord {
  switch (r.type) {
    case 'candle': {
      const c: Candle = r;
      return {
        v: c.v,
        type: c.type,
        venue: c.venue,
        symbol: c.symbol,
        interval: c.interval,
        start: c.start,
        end: c.end,
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
        notional: c.notional,
        vwap: c.vwap,
        trades: c.trades,
        buyVolume: c.buyVolume,
        sellVolume: c.sellVolume,
        firstTradeTs: c.firstTradeTs,
        lastTradeTs: c.lastTradeTs,
        closed: c.closed,
        revision: c.revision,
      };
    }
    case 'indicator': {
      const x: IndicatorSnapshot = r;
      return {
        v: x.v,
        type: x.type,
        venue: x.venue,
        symbol: x.symbol,
        interval: x.interval,
        ts: x.ts,
        closed: x.closed,
        revision: x.revision,
        values: x.values,
      };
    }
    case 'alert': {
      const a: Alert = r;
      return {
        v: a.v,
        type: a.type,
        venue: a.venue,
        symbol: a.symbol,
        kind: a.kind,
        severity: a.severity,
        ts: a.ts,
        value: a.value,
        threshold: a.threshold,
        message: a.message,
      };
    }
  }
}

const arbOutput = fc.oneof(arbCandle, arbIndicator, arbAlert);

t.test('the same bytes as msgpackr for every output record in declared key order', async (t) => {
  fc.assert(
    fc.property(arbOutput, (r) => {
      const ordered = declaredOrder(r);
      const ours = Buffer.from(encodeOutput(r));
      const theirs = Buffer.from(encodeRecord(ordered));
      if (!ours.equals(theirs)) throw new Error(`bytes differ for ${JSON.stringify(r)}`);
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 random records');
});

t.test('decodes to the same record with any standard decoder, in any key order', async (t) => {
  fc.assert(
    fc.property(arbOutput, (r) => {
      const bytes = encodeOutput(r);
      const strict = decodeStandard(bytes);
      const ours = decodePayload(bytes);
      if (!ours.ok) throw new Error(ours.detail);
      t.same(strict, r);
      t.same(ours.records[0], r);
    }),
    { numRuns: 500 },
  );
});

t.test('integers, floats and edge numbers take msgpackr’s forms', async (t) => {
  const base = fc.sample(arbAlert, { numRuns: 1, seed: 7 })[0]!;
  for (const value of [
    0,
    -0,
    1,
    127,
    128,
    255,
    256,
    65_535,
    65_536,
    2 ** 32 - 1,
    2 ** 32,
    -1,
    -32,
    -33,
    -128,
    -129,
    -32_768,
    -32_769,
    -(2 ** 31),
    -(2 ** 31) - 1,
    0.5,
    1e300,
    -1e-300,
    Number.MAX_SAFE_INTEGER,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ]) {
    const r = { ...base, value };
    t.same(
      Buffer.from(encodeOutput(r)),
      Buffer.from(encodeRecord(declaredOrder(r) as Alert)),
      `value ${value}`,
    );
  }
  const long = { ...base, message: 'x'.repeat(70_000), symbol: 'é'.repeat(40) };
  t.same(
    Buffer.from(encodeOutput(long)),
    Buffer.from(encodeRecord(declaredOrder(long) as Alert)),
    'str8/str16/str32 headers',
  );
});

t.test('an earlier result stays intact when later records fill and replace the chunk', async (t) => {
  const records = fc.sample(arbOutput, { numRuns: 2_000, seed: 42 });
  const results = records.map((r) => encodeOutput(r));
  const copies = results.map((b) => Buffer.from(b));
  for (let i = 0; i < 3_000; i++) encodeOutput(records[i % records.length]!);
  for (let i = 0; i < results.length; i++) {
    if (!Buffer.from(results[i]!).equals(copies[i]!)) t.fail(`result ${i} changed`);
  }
  t.same(decodeStandard(results[0]!), records[0]);
});
