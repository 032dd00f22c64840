import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import t from 'tap';
import { BOOK_SLOTS, H_BASE, HEADER_SLOTS } from '../../actors/candles/layout.js';
import type { CandleBookOptions, CandleBookSnapshot } from '../../actors/candles.js';
import { CandleBook, TRADE_LATE, TRADE_REVISED } from '../../actors/candles.js';
import type { Candle, Interval, Side, Trade } from '../../schemas/records.js';
import { compareTradeIds, INTERVAL_MS } from '../../schemas/records.js';
import { Recorder, readUnits, unitsOf } from './candles-harness.js';

const RUNS = 150;
const BASE_TS = 1_700_000_040_000;

/** Deterministic PRNG for shuffles, so fast-check shrinks a seed instead of a permutation. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Step {
  dt: number;
  price: number;
  size: number;
  side: Side;
  idKind: 0 | 1 | 2;
}

// Realistic magnitudes (fast-check's raw doubles are mostly tiny): sizes with 5
// decimals (k * 1e-5 is inexact, so plain float sums depend on order), prices
// with 2 decimals or repeated levels, and gaps that are often 0 (ties) or fractional.
const stepArb = (dyadic: boolean): fc.Arbitrary<Step> =>
  fc.record({
    dt: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 0, max: 12_000 }).map((k) => k / 8),
    ),
    price: fc.oneof(
      fc.constantFrom(100, 100.5, 99.25),
      fc.integer({ min: 1, max: 10_000_000 }).map((k) => k / 100),
    ),
    size: dyadic
      ? fc.integer({ min: 0, max: 100_000 }).map((k) => k / 256)
      : fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 2_000_000_000 }).map((k) => k * 1e-5),
        ),
    side: fc.constantFrom<Side>('buy', 'sell', 'unknown'),
    idKind: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
  });

const streamArb = (dyadic: boolean, maxLength = 300): fc.Arbitrary<Step[]> =>
  fc.array(stepArb(dyadic), { minLength: 1, maxLength, size: 'max' });

const optionsArb: fc.Arbitrary<CandleBookOptions> = fc.record({
  intervals: fc.constantFrom<Interval[]>(
    ['1s', '1m'],
    ['1s', '5s', '1m'],
    ['1s', '1m', '5m', '15m', '1h', '1d'],
  ),
  closeDelayMs: fc.constantFrom(0, 300, 500, 1500),
  allowedLatenessMs: fc.constantFrom(0, 700, 2000, 5000),
  idleCloseMs: fc.constantFrom(0, 1000),
});

/** Unique ids in three forms: short numeric (fast path), 20-digit numeric, and letters. */
function idFor(kind: 0 | 1 | 2, j: number): string {
  if (kind === 0) return String(j);
  if (kind === 1) return `1${String(j).padStart(19, '0')}`;
  return `x${String(j).padStart(6, '0')}`;
}

/** A stream in event-time order (ties in random id order), from steps and a seed. */
function makeStream(steps: readonly Step[], seed: number): Trade[] {
  const r = rng(seed);
  const ids = steps.map((_, j) => j);
  for (let j = ids.length - 1; j > 0; j--) {
    const k = Math.floor(r() * (j + 1));
    [ids[j], ids[k]] = [ids[k]!, ids[j]!];
  }
  let ts = BASE_TS + Math.floor(r() * 60_000);
  return steps.map((s, j) => {
    ts += s.dt;
    const id = idFor(s.idKind, ids[j]!);
    return {
      v: 1,
      type: 'trade',
      venue: 'sim',
      symbol: 'P',
      price: s.price,
      size: s.size,
      side: s.side,
      id,
      ts,
      recvTs: ts,
    };
  });
}

/** Reorders so that each trade arrives less than `d` ms after (in event time) any trade before it. */
function shuffleWithin(trades: readonly Trade[], d: number, seed: number): Trade[] {
  const r = rng(seed);
  return trades
    .map((tr) => ({ tr, release: tr.ts + r() * d, tie: r() }))
    .sort((a, b) => a.release - b.release || a.tie - b.tie)
    .map((x) => x.tr);
}

function sortByTsId(trades: readonly Trade[]): Trade[] {
  return trades.slice().sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id));
}

interface Run {
  book: CandleBook;
  rec: Recorder;
  outcomes: number[];
  open: Candle[];
}

function run(opts: CandleBookOptions, trades: readonly Trade[], flushEvery = 0): Run {
  const rec = new Recorder();
  const book = new CandleBook('sim', 'P', opts, rec);
  const outcomes: number[] = [];
  const open: Candle[] = [];
  trades.forEach((tr, j) => {
    outcomes.push(book.addTrade(tr));
    if (flushEvery > 0 && j % flushEvery === 0) book.flushOpen((c) => open.push(c));
  });
  book.closeAll();
  return { book, rec, outcomes, open };
}

/** Field-by-field Object.is equality of two candle lists; `ignore` names fields left out. Throws with the first difference. */
function sameCandles(
  got: readonly Candle[],
  want: readonly Candle[],
  ignore: keyof Candle | '' = '',
): boolean {
  if (got.length !== want.length) throw new Error(`${got.length} candles, expected ${want.length}`);
  got.forEach((g, j) => {
    const w = want[j]!;
    for (const k of Object.keys(w) as (keyof Candle)[]) {
      if (k !== ignore && !Object.is(g[k], w[k])) {
        throw new Error(
          `candle ${j} (${w.interval}@${w.start}) ${k}: ${String(g[k])}, expected ${String(w[k])}`,
        );
      }
    }
    if (Object.keys(g).length !== Object.keys(w).length) throw new Error(`candle ${j} has other fields`);
  });
  return true;
}

/** Shape invariants every emitted candle satisfies. */
function shapeProblems(c: Candle): string[] {
  const p: string[] = [];
  const len = INTERVAL_MS[c.interval];
  if (!(c.low <= c.open && c.open <= c.high)) p.push('open outside [low, high]');
  if (!(c.low <= c.close && c.close <= c.high)) p.push('close outside [low, high]');
  if (c.end - c.start !== len || c.start % len !== 0) p.push('bucket not aligned');
  if (!(c.start <= c.firstTradeTs && c.firstTradeTs <= c.lastTradeTs && c.lastTradeTs < c.end))
    p.push('trade times');
  if (!(c.trades >= 1 && Number.isInteger(c.trades))) p.push('trade count');
  if (c.buyVolume > c.volume || c.sellVolume > c.volume) p.push('side volume above volume');
  return p;
}

interface Model {
  trades: number;
  open: number;
  openKey: [number, string, number];
  close: number;
  closeKey: [number, string, number];
  high: number;
  low: number;
  units: bigint;
  notionalUnits: bigint;
  buyUnits: bigint;
  sellUnits: bigint;
}

function keyCmp(a: [number, string, number], b: [number, string, number]): number {
  return a[0] - b[0] || compareTradeIds(a[1], b[1]) || a[2] - b[2];
}

/** The candles the applied trades (in arrival order) must give, computed the slow, obvious way. */
function model(opts: CandleBookOptions, applied: readonly Trade[]): Map<string, Model> {
  const out = new Map<string, Model>();
  applied.forEach((tr, arrival) => {
    const k: [number, string, number] = [tr.ts, tr.id, arrival];
    for (const iv of opts.intervals) {
      const len = INTERVAL_MS[iv];
      const key = `${iv}@${Math.floor(tr.ts / len) * len}`;
      const q = unitsOf(tr.size);
      const m = out.get(key);
      if (m === undefined) {
        out.set(key, {
          trades: 1,
          open: tr.price,
          openKey: k,
          close: tr.price,
          closeKey: k,
          high: tr.price,
          low: tr.price,
          units: q,
          notionalUnits: unitsOf(tr.price * tr.size),
          buyUnits: tr.side === 'buy' ? q : 0n,
          sellUnits: tr.side === 'sell' ? q : 0n,
        });
        continue;
      }
      m.trades++;
      if (keyCmp(k, m.openKey) < 0) [m.open, m.openKey] = [tr.price, k];
      if (keyCmp(k, m.closeKey) > 0) [m.close, m.closeKey] = [tr.price, k];
      m.high = Math.max(m.high, tr.price);
      m.low = Math.min(m.low, tr.price);
      m.units += q;
      m.notionalUnits += unitsOf(tr.price * tr.size);
      if (tr.side === 'buy') m.buyUnits += q;
      if (tr.side === 'sell') m.sellUnits += q;
    }
  });
  return out;
}

const read = readUnits;

t.test('every candle matches a reference model of the trades that were not late', async (t) => {
  fc.assert(
    fc.property(
      optionsArb,
      streamArb(false),
      fc.integer(),
      fc.integer({ min: 0, max: 9000 }),
      (opts, steps, seed, spread) => {
        // Shuffled wider than the lateness bound, so some trades are late.
        const trades = shuffleWithin(makeStream(steps, seed), spread, seed + 1);
        const { book, rec, outcomes, open } = run(opts, trades, 7);
        const applied = trades.filter((_, j) => outcomes[j] !== TRADE_LATE);
        const late = outcomes.filter((o) => o === TRADE_LATE).length;
        if (book.stats.late !== late || book.stats.trades !== trades.length) return false;
        const expected = model(opts, applied);
        const finals = rec.finals();
        if (finals.length !== expected.size) return false;
        for (const c of [...rec.closed(), ...open]) if (shapeProblems(c).length > 0) return false;
        for (const c of finals) {
          const m = expected.get(`${c.interval}@${c.start}`);
          if (m === undefined || shapeProblems(c).length > 0) return false;
          const volume = read(m.units);
          const notional = read(m.notionalUnits);
          const want = {
            open: m.open,
            high: m.high,
            low: m.low,
            close: m.close,
            volume,
            notional,
            vwap: volume === 0 ? m.close : notional / volume,
            trades: m.trades,
            buyVolume: read(m.buyUnits),
            sellVolume: read(m.sellUnits),
            firstTradeTs: m.openKey[0],
            lastTradeTs: m.closeKey[0],
            closed: true,
          };
          for (const [k, v] of Object.entries(want)) {
            if (!Object.is(c[k as keyof Candle], v))
              throw new Error(`${c.interval}@${c.start}.${k}: ${c[k as keyof Candle]} != ${v}`);
          }
        }
        return true;
      },
    ),
    { numRuns: RUNS },
  );
  t.pass('reference model holds');
});

t.test('volumes and trade counts add up to the input exactly (dyadic sizes)', async (t) => {
  fc.assert(
    fc.property(optionsArb, streamArb(true), fc.integer(), (opts, steps, seed) => {
      const trades = makeStream(steps, seed);
      const { rec, outcomes } = run(opts, trades);
      if (outcomes.some((o) => o === TRADE_LATE)) return false;
      let inVolume = 0;
      let inUnknown = 0;
      for (const tr of trades) {
        inVolume += tr.size;
        if (tr.side === 'unknown') inUnknown += tr.size;
      }
      for (const iv of opts.intervals) {
        let n = 0;
        let volume = 0;
        let sides = 0;
        for (const c of rec.finals()) {
          if (c.interval !== iv) continue;
          n += c.trades;
          volume += c.volume;
          sides += c.buyVolume + c.sellVolume;
        }
        // Multiples of 2^-8 below 2^30 add exactly in any order, so === is fair here.
        if (n !== trades.length || volume !== inVolume || volume - sides !== inUnknown) return false;
      }
      return true;
    }),
    { numRuns: RUNS },
  );
  t.pass('sums add up');
});

t.test('shuffled at most closeDelayMs: the same closed sequence, no revisions', async (t) => {
  fc.assert(
    fc.property(optionsArb, streamArb(false), fc.integer(), (opts, steps, seed) => {
      const inOrder = makeStream(steps, seed);
      const shuffled = shuffleWithin(inOrder, opts.closeDelayMs, seed + 1);
      const a = run(opts, inOrder);
      const b = run(opts, shuffled);
      if (b.outcomes.some((o) => o === TRADE_REVISED || o === TRADE_LATE)) return false;
      if (b.book.stats.revisions !== 0) return false;
      return sameCandles(b.rec.closed(), a.rec.closed()) && sameCandles(b.rec.finals(), a.rec.finals());
    }),
    { numRuns: RUNS },
  );
  t.pass('identical closed and final sequences');
});

t.test('shuffled within the lateness bound: the same finals (revisions allowed)', async (t) => {
  let revised = 0;
  fc.assert(
    fc.property(optionsArb, streamArb(false), fc.integer(), (opts, steps, seed) => {
      const inOrder = makeStream(steps, seed);
      const shuffled = shuffleWithin(inOrder, opts.closeDelayMs + opts.allowedLatenessMs, seed + 1);
      const a = run(opts, inOrder);
      const b = run(opts, shuffled);
      if (b.book.stats.late !== 0) return false;
      revised += b.book.stats.revisions;
      return sameCandles(b.rec.finals(), a.rec.finals(), 'revision');
    }),
    { numRuns: RUNS },
  );
  t.ok(revised > 0, `the shuffles did revise candles (${revised} revisions)`);
});

t.test('recomputed in a batch from trades sorted by (ts, id): the same finals', async (t) => {
  fc.assert(
    fc.property(optionsArb, streamArb(false), fc.integer(), (opts, steps, seed) => {
      const inOrder = makeStream(steps, seed);
      const shuffled = shuffleWithin(inOrder, opts.closeDelayMs + opts.allowedLatenessMs, seed + 1);
      const batch = run(opts, sortByTsId(inOrder)).rec.finals();
      return (
        sameCandles(run(opts, inOrder).rec.finals(), batch) &&
        sameCandles(run(opts, shuffled).rec.finals(), batch, 'revision')
      );
    }),
    { numRuns: RUNS },
  );
  t.pass('batch finals match streamed ones');
});

t.test('snapshot (through msgpack) and restore mid-stream continue exactly', async (t) => {
  type Op = { kind: 'trade'; tr: Trade } | { kind: 'timer'; now: number } | { kind: 'flush' };
  fc.assert(
    fc.property(
      optionsArb,
      streamArb(false, 200),
      fc.integer(),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (opts, steps, seed, cutAt) => {
        const r = rng(seed + 2);
        const trades = shuffleWithin(
          makeStream(steps, seed),
          opts.closeDelayMs + opts.allowedLatenessMs + 3000,
          seed + 1,
        );
        const ops: Op[] = [];
        let maxTs = 0;
        for (const tr of trades) {
          ops.push({ kind: 'trade', tr });
          maxTs = Math.max(maxTs, tr.ts);
          const x = r();
          if (x < 0.15) ops.push({ kind: 'timer', now: maxTs + r() * 4000 });
          else if (x < 0.3) ops.push({ kind: 'flush' });
        }
        const cut = Math.floor(cutAt * ops.length);
        const log: string[][] = [[], []];
        const listen = (out: string[]) => ({
          onClosed: (c: Candle) => out.push(`closed ${JSON.stringify(c)}`),
          onFinal: (c: Candle) => out.push(`final ${JSON.stringify(c)}`),
        });
        const apply = (book: CandleBook, op: Op, out: string[]) => {
          if (op.kind === 'trade') out.push(`outcome ${book.addTrade(op.tr)}`);
          else if (op.kind === 'timer') book.onTimer(op.now);
          else book.flushOpen((c) => out.push(`open ${JSON.stringify(c)}`));
        };
        const whole = new CandleBook('sim', 'P', opts, listen(log[0]!));
        for (const op of ops) apply(whole, op, log[0]!);
        whole.closeAll();

        const first = new CandleBook('sim', 'P', opts, listen(log[1]!));
        for (const op of ops.slice(0, cut)) apply(first, op, log[1]!);
        const snap = unpack(pack(first.snapshot())) as CandleBookSnapshot;
        const second = CandleBook.restore(snap, listen(log[1]!));
        if (JSON.stringify(second.stats) !== JSON.stringify(first.stats)) return false;
        if (second.watermark !== first.watermark) return false;
        for (const op of ops.slice(cut)) apply(second, op, log[1]!);
        second.closeAll();
        if (JSON.stringify(second.stats) !== JSON.stringify(whole.stats)) return false;
        const diff = log[0]!.findIndex((line, j) => log[1]![j] !== line);
        if (diff >= 0 || log[0]!.length !== log[1]!.length) {
          throw new Error(`outputs differ at ${diff}: ${log[1]![diff]} vs ${log[0]![diff]}`);
        }
        return true;
      },
    ),
    { numRuns: 100 },
  );
  t.pass('restored books continue exactly');
});

t.test('restore refuses malformed snapshots with a stable code', async (t) => {
  const book = new CandleBook(
    'sim',
    'P',
    { intervals: ['1s', '1m'], closeDelayMs: 500, allowedLatenessMs: 2000, idleCloseMs: 1000 },
    new Recorder(),
  );
  book.addTrade({
    v: 1,
    type: 'trade',
    venue: 'sim',
    symbol: 'P',
    price: 1,
    size: 1,
    side: 'buy',
    id: 'a',
    ts: 5,
    recvTs: 5,
  });
  const good = book.snapshot();
  t.ok(CandleBook.restore(good, new Recorder()));
  const wire = unpack(pack(good)) as CandleBookSnapshot;
  t.ok(Array.isArray(wire.state), 'the state travels through msgpack as a plain array, not bytes');
  t.same(wire.state, good.state);
  t.match(CandleBook.restore(wire, new Recorder()).openCandle(0), { volume: 1, notional: 1, trades: 1 });
  const bad = (patch: Partial<Record<keyof CandleBookSnapshot, unknown>>, why: RegExp) =>
    t.throws(() => CandleBook.restore({ ...good, ...patch } as CandleBookSnapshot, new Recorder()), {
      code: 'TF_ERR_CANDLE_SNAPSHOT',
      message: why,
    });
  bad({ v: 1 }, /version 1, expected 2 \(version 1 books used 2\^-32 sums/);
  bad({ v: 3 }, /version 3, expected 2$/);
  bad({ venue: 3 }, /venue and symbol/);
  bad({ maxId: null }, /maxId/);
  bad({ options: { ...good.options, closeDelayMs: -1 } }, /candles.closeDelayMs must be/);
  bad({ state: good.state.slice(0, -1) }, /whole number of rows/);
  bad({ state: 'x' }, /array of numbers/);
  bad({ state: new Float64Array(good.state) }, /array of numbers/);
  bad({ state: [...good.state.slice(0, -1), 'x'] }, /array of numbers/);
  bad({ ids: ['a'] }, /2 entries per row/);
  const moved = good.state.slice();
  moved[BOOK_SLOTS + HEADER_SLOTS + H_BASE] = 5; // interval 1 (1m, stored first) must start at row 0
  bad({ state: moved }, /inconsistent header/);
  t.throws(() => CandleBook.restore(null as unknown as CandleBookSnapshot, new Recorder()), {
    code: 'TF_ERR_CANDLE_SNAPSHOT',
  });
});
