import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import { type Frame, Framer, type FramerOptions } from '../../../feeds/publisher/framer.js';
import { simulatedSymbol } from '../../../feeds/simulator/market.js';
import {
  decodePayload,
  encodeFrame,
  encodeRecord,
  escapeSymbol,
  partitionOf,
  type Quote,
  type Trade,
} from '../../../schemas/index.js';

const T0 = Date.UTC(2026, 0, 5);

function trade(symbol: string, seq: number | undefined, venue = 'sim'): Trade {
  const r: Trade = {
    v: 1,
    type: 'trade',
    venue,
    symbol,
    price: 100,
    size: 1,
    side: 'buy',
    id: String(1000 + (seq ?? 0)),
    ts: T0,
    recvTs: T0,
  };
  if (seq !== undefined) r.seq = seq;
  return r;
}

function quote(symbol: string, seq: number): Quote {
  return {
    v: 1,
    type: 'quote',
    venue: 'sim',
    symbol,
    bidPrice: 99,
    bidSize: 1,
    askPrice: 101,
    askSize: 2,
    ts: T0,
    recvTs: T0,
    seq,
  };
}

function framer(o: Partial<FramerOptions>): { f: Framer; frames: Frame[] } {
  const frames: Frame[] = [];
  const f = new Framer(
    { partitions: 8, maxRecords: 64, maxBytes: 65_536, maxDelayMs: 1000, msgIdPrefix: 'pfx', ...o },
    (frame) => frames.push(frame),
  );
  return { f, frames };
}

function decoded(frame: Frame): unknown[] {
  const d = decodePayload(frame.payload);
  if (!d.ok) throw new Error(`undecodable frame ${frame.msgId}: ${d.detail}`);
  return d.records;
}

t.test('frames are per symbol: a record of another symbol does not flush an open frame', async (t) => {
  const { f, frames } = framer({ maxRecords: 3 });
  const a = [trade('BTC/USDT', 1), trade('BTC/USDT', 2), trade('BTC/USDT', 3)];
  const b = [trade('ETH/USDT', 1), trade('ETH/USDT', 2)];
  f.add(a[0]!, T0);
  f.add(b[0]!, T0);
  f.add(a[1]!, T0);
  f.add(b[1]!, T0);
  t.equal(frames.length, 0, 'interleaving flushes nothing');
  t.equal(f.openFrames, 2);
  t.equal(f.openRecords, 4);
  f.add(a[2]!, T0);
  t.equal(frames.length, 1, 'the third BTC record fills its frame');
  t.equal(frames[0]!.records, 3);
  t.same(decoded(frames[0]!), a);
  t.same(frames[0]!.payload, encodeFrame(a), 'bytes equal encodeFrame of the same records');
  t.equal(frames[0]!.msgId, 'pfx:sim:BTC~2FUSDT:trade:1-3');
  f.flushAll();
  t.equal(frames.length, 2);
  t.same(decoded(frames[1]!), b);
  t.equal(frames[1]!.msgId, 'pfx:sim:ETH~2FUSDT:trade:1-2');
  t.equal(f.openFrames, 0);
});

t.test('trades and quotes of one symbol go in separate frames on their own subjects', async (t) => {
  const { f, frames } = framer({ partitions: 1 });
  f.add(trade('AAPL', 5), T0);
  f.add(quote('AAPL', 9), T0);
  f.add(trade('AAPL', 6), T0);
  f.flushAll();
  t.same(
    frames.map((x) => [x.subject, x.msgId, x.records]),
    [
      ['md.trade.sim.AAPL.0', 'pfx:sim:AAPL:trade:5-6', 2],
      ['md.quote.sim.AAPL.0', 'pfx:sim:AAPL:quote:9-9', 1],
    ],
  );
});

t.test('the record bound cuts frames of exactly maxRecords', async (t) => {
  const { f, frames } = framer({ maxRecords: 4 });
  for (let i = 1; i <= 10; i++) f.add(trade('X', i), T0);
  t.same(
    frames.map((x) => x.records),
    [4, 4],
  );
  f.flushAll();
  t.same(
    frames.map((x) => x.msgId),
    ['pfx:sim:X:trade:1-4', 'pfx:sim:X:trade:5-8', 'pfx:sim:X:trade:9-10'],
  );
  // 16+ records need the 3-byte array header.
  const big = framer({ maxRecords: 20 });
  const rs: Trade[] = [];
  for (let i = 1; i <= 20; i++) rs.push(trade('X', i));
  for (const r of rs) big.f.add(r, T0);
  t.equal(big.frames.length, 1);
  t.equal(big.frames[0]!.payload[0], 0xdc);
  t.same(big.frames[0]!.payload, encodeFrame(rs));
});

t.test('the byte bound: a record that would overflow the frame starts the next one', async (t) => {
  const r1 = trade('X', 1);
  const size = encodeRecord(r1).length;
  for (let i = 2; i <= 9; i++)
    t.equal(encodeRecord(trade('X', i)).length, size, 'fixture records share one size');
  // Header (1 byte) + two records fit; a third would be one byte too many.
  const maxBytes = 1 + 3 * size - 1;
  const { f, frames } = framer({ maxBytes });
  for (let i = 1; i <= 5; i++) f.add(trade('X', i), T0);
  t.same(
    frames.map((x) => x.records),
    [2, 2],
  );
  f.flushAll();
  t.same(
    frames.map((x) => x.records),
    [2, 2, 1],
  );
  for (const x of frames) t.ok(x.payload.length <= maxBytes, `${x.payload.length} <= ${maxBytes}`);
  t.equal(frames[0]!.payload.length, 1 + 2 * size);
  // Past 15 records the array header grows to 3 bytes, and the bound counts those bytes too.
  for (const [bound, expected] of [
    [3 + 16 * size - 1, [15, 1]],
    [3 + 16 * size, [16]],
  ] as const) {
    const h = framer({ maxBytes: bound });
    for (let i = 1; i <= 16; i++) h.f.add(trade('X', i), T0);
    h.f.flushAll();
    t.same(
      h.frames.map((x) => x.records),
      expected,
      `maxBytes ${bound}`,
    );
  }
  // Exactly at the bound is allowed.
  const exact = framer({ maxBytes: 1 + 3 * size });
  for (let i = 1; i <= 3; i++) exact.f.add(trade('X', i), T0);
  exact.f.flushAll();
  t.same(
    exact.frames.map((x) => x.payload.length),
    [1 + 3 * size],
  );
});

t.test('each frame has its own deadline, maxDelayMs after its first record', async (t) => {
  const { f, frames } = framer({ maxDelayMs: 5 });
  f.add(trade('A', 1), T0);
  f.add(trade('B', 1), T0 + 3);
  f.add(trade('A', 2), T0 + 4);
  t.equal(f.nextDeadline, T0 + 5);
  t.equal(f.expire(T0 + 4), 0);
  t.equal(f.expire(T0 + 5), 1);
  t.same(
    frames.map((x) => x.msgId),
    ['pfx:sim:A:trade:1-2'],
  );
  t.equal(f.nextDeadline, T0 + 8);
  f.add(trade('A', 3), T0 + 6);
  t.equal(f.expire(T0 + 10), 1, 'B expires at 8; A reopened at 6 expires at 11');
  t.equal(frames[1]!.msgId, 'pfx:sim:B:trade:1-1');
  t.equal(f.expire(T0 + 11), 1);
  t.equal(frames[2]!.msgId, 'pfx:sim:A:trade:3-3');
  t.equal(f.nextDeadline, Number.POSITIVE_INFINITY);
});

t.test('unframed mode: one bare record per message', async (t) => {
  const { f, frames } = framer({ maxRecords: 1 });
  const r = trade('BTC/USDT', 7);
  f.add(r, T0);
  f.add(trade('BTC/USDT', 8), T0);
  t.equal(frames.length, 2);
  t.same(frames[0]!.payload, encodeRecord(r), 'a map, not a one-element array');
  t.equal(frames[0]!.payload[0]! & 0xf0, 0x80, 'fixmap header');
  t.equal(frames[0]!.msgId, 'pfx:sim:BTC~2FUSDT:trade:7-7');
  t.equal(frames[1]!.msgId, 'pfx:sim:BTC~2FUSDT:trade:8-8');
  t.equal(f.openFrames, 0);
});

t.test('records without seq get ids from the lane record index', async (t) => {
  const { f, frames } = framer({ maxRecords: 3 });
  for (let i = 0; i < 5; i++) f.add(trade('X', undefined), T0);
  f.add(trade('X', 42), T0);
  f.flushAll();
  t.same(
    frames.map((x) => x.msgId),
    ['pfx:sim:X:trade:n0+3', 'pfx:sim:X:trade:n3+3'],
    'a frame mixing seq and no seq uses the index form',
  );
  const u = framer({ maxRecords: 1 });
  u.f.add(trade('X', undefined), T0);
  u.f.add(trade('X', undefined), T0);
  t.same(
    u.frames.map((x) => x.msgId),
    ['pfx:sim:X:trade:n0+1', 'pfx:sim:X:trade:n1+1'],
  );
});

t.test('message ids and payloads are deterministic for the same input', async (t) => {
  const run = (): Array<[string, string, number[]]> => {
    const { f, frames } = framer({ maxRecords: 5, maxDelayMs: 3 });
    for (let i = 0; i < 400; i++) {
      const sym = simulatedSymbol(i % 7);
      f.add(i % 3 === 0 ? quote(sym, i) : trade(sym, i), T0 + i);
      f.expire(T0 + i);
    }
    f.flushAll();
    return frames.map((x) => [x.subject, x.msgId, [...x.payload]]);
  };
  const a = run();
  t.same(a, run());
  t.equal(new Set(a.map((x) => x[1])).size, a.length, 'ids are unique');
});

t.test('the partition token of every subject equals partitionOf over the escaped tokens', async (t) => {
  for (const partitions of [1, 7, 8, 64]) {
    const { f, frames } = framer({ partitions, maxRecords: 1 });
    for (let k = 0; k < 300; k++) {
      f.add(trade(simulatedSymbol(k), 1, k % 2 === 0 ? 'sim' : 'binance'), T0);
      f.add(quote(simulatedSymbol(k), 1), T0);
    }
    t.same(
      frames.map((x) => x.subject),
      frames.map((x) => {
        const token = escapeSymbol(x.symbol);
        return `md.${x.kind}.${x.venue}.${token}.${partitionOf(x.venue, token, partitions)}`;
      }),
      `P=${partitions}`,
    );
  }
});

t.test('order within a symbol is preserved across frames (property)', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 4 }),
        (steps, maxRecords, maxDelayMs) => {
          const { f, frames } = framer({ maxRecords, maxDelayMs, maxBytes: 400 });
          const sent = new Map<string, number[]>();
          const seqs = [0, 0, 0, 0, 0];
          let now = T0;
          for (const [k, dt] of steps) {
            now += dt;
            const seq = ++seqs[k]!;
            f.add(trade(`S${k}`, seq), now);
            f.expire(now);
            sent.set(`S${k}`, [...(sent.get(`S${k}`) ?? []), seq]);
          }
          f.flushAll();
          const got = new Map<string, number[]>();
          for (const x of frames) {
            if (x.payload.length > 400) return false;
            for (const r of decoded(x) as Trade[]) got.set(r.symbol, [...(got.get(r.symbol) ?? []), r.seq!]);
          }
          return isDeepStrictEqual(got, sent);
        },
      ),
      { numRuns: 200 },
    ),
  );
});
