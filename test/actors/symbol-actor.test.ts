import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import t from 'tap';
import type { ActorConfig, ActorSink, ActorSnapshot } from '../../actors/index.js';
import {
  ActorFactory,
  DEFAULT_ACTOR_CONFIG,
  IndicatorProgram,
  validateActorConfig,
} from '../../actors/index.js';
import type { Alert, Candle, IndicatorSnapshot, Quote, Trade } from '../../schemas/records.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const NOW = T0 + 3_600_000;

/** Small config so tests reach closes, finals and warm indicators quickly. */
const CONFIG: ActorConfig = {
  ...DEFAULT_ACTOR_CONFIG,
  candles: { intervals: ['1s', '5s'], closeDelayMs: 500, allowedLatenessMs: 2000, idleCloseMs: 1000 },
  indicatorIntervals: ['1s', '5s'],
  indicators: [
    { kind: 'sma', period: 3 },
    { kind: 'ema', period: 3 },
    { kind: 'rsi', period: 3 },
    { kind: 'atr', period: 3 },
    { kind: 'vwap' },
  ],
};

class Recorder implements ActorSink {
  candles: Candle[] = [];
  indicators: IndicatorSnapshot[] = [];
  alerts: Alert[] = [];
  finals: { c: Candle; x: IndicatorSnapshot | null }[] = [];
  candle(c: Candle): void {
    this.candles.push(c);
  }
  indicator(s: IndicatorSnapshot): void {
    this.indicators.push(s);
  }
  alert(a: Alert): void {
    this.alerts.push(a);
  }
  final(c: Candle, x: IndicatorSnapshot | null): void {
    this.finals.push({ c, x });
  }
  /** Latest closed version of each candle / closed indicator snapshot, by interval and start. */
  latestClosed(): { candles: Map<string, Candle>; indicators: Map<string, IndicatorSnapshot> } {
    const candles = new Map<string, Candle>();
    for (const c of this.candles) if (c.closed) candles.set(`${c.interval}@${c.start}`, c);
    const indicators = new Map<string, IndicatorSnapshot>();
    for (const x of this.indicators) if (x.closed) indicators.set(`${x.interval}@${x.ts}`, x);
    return { candles, indicators };
  }
}

function trade(ts: number, price: number, id: number, size = 1): Trade {
  return {
    v: 1,
    type: 'trade',
    venue: 'sim',
    symbol: 'BTC/USDT',
    price,
    size,
    side: id % 2 === 0 ? 'buy' : 'sell',
    id: String(id),
    ts,
    recvTs: ts,
  };
}

/** A walk of n trades, 150-450 ms apart, prices on a cent grid. */
function walk(n: number, seed: number): Trade[] {
  let x = seed;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const out: Trade[] = [];
  let ts = T0;
  let price = 100;
  for (let i = 1; i <= n; i++) {
    ts += 150 + Math.floor(rnd() * 300);
    price = Math.max(1, Math.round((price + (rnd() - 0.5) * 2) * 100) / 100);
    out.push(trade(ts, price, i, Math.round(rnd() * 1000) / 100));
  }
  return out;
}

function run(trades: readonly Trade[], config = CONFIG): Recorder {
  const sink = new Recorder();
  const actor = new ActorFactory(config).create('sim', 'BTC/USDT', sink);
  for (const tr of trades) actor.onTrade(tr, NOW);
  actor.closeAll();
  return sink;
}

t.test('the default config is valid and a bad one names every problem', async (t) => {
  t.same(validateActorConfig(DEFAULT_ACTOR_CONFIG), []);
  const bad: ActorConfig = {
    ...CONFIG,
    indicatorIntervals: ['1m'],
    candles: { ...CONFIG.candles, closeDelayMs: -1 },
  };
  const problems = validateActorConfig(bad);
  t.ok(
    problems.some((p) => /closeDelayMs/.test(p)),
    problems.join(' | '),
  );
  t.ok(
    problems.some((p) => /indicatorIntervals: '1m' is not one of candles.intervals/.test(p)),
    problems.join(' | '),
  );
});

t.test('closed candles come with indicator values computed over the closed candles', async (t) => {
  const trades = walk(200, 7);
  const sink = run(trades);
  const closed1s = sink.candles.filter((c) => c.closed && c.interval === '1s');
  t.ok(closed1s.length > 20, `${closed1s.length} closed 1s candles`);
  // The SMA(3) at each closed 1s candle equals the mean of the last three closes, from the candles themselves.
  const finals = sink.finals.filter((f) => f.c.interval === '1s');
  for (let i = 2; i < finals.length; i++) {
    const expected = (finals[i]!.c.close + finals[i - 1]!.c.close + finals[i - 2]!.c.close) / 3;
    const got = finals[i]!.x!.values.sma3!;
    if (Math.abs(got - expected) > 1e-9 * expected) t.fail(`sma3 at ${i}: ${got} != ${expected}`);
  }
  t.equal(finals[0]!.x!.values.sma3, null, 'warm-up is null');
  t.equal(finals[1]!.x!.values.sma3, null);
  t.type(finals[2]!.x!.values.sma3, 'number');
  // Every closed snapshot matches the final values of the same candle when nothing was revised.
  const { indicators } = sink.latestClosed();
  t.same(
    finals.map((f) => indicators.get(`1s@${f.c.start}`)?.values),
    finals.map((f) => f.x!.values),
  );
});

t.test('a revision recomputes every indicator value that depended on the revised candle', async (t) => {
  const trades = walk(120, 11);
  const inOrder = run(trades);
  // Hold one trade back and deliver it late: its candle is timer-closed or closed by the watermark
  // in the meantime, then revised when it arrives (still within the allowed lateness).
  const k = 60;
  const late = trades[k]!;
  const reordered = [...trades.slice(0, k), ...trades.slice(k + 1)];
  let at = reordered.findIndex((x) => x.ts > late.ts + 1600);
  if (at < 0) at = reordered.length;
  reordered.splice(at, 0, late);
  const sink = run(reordered);
  t.ok(
    sink.candles.some((c) => c.revision > 0),
    'the late trade revised a closed candle',
  );
  const a = inOrder.latestClosed();
  const b = sink.latestClosed();
  const keys = [...a.candles.keys()].sort();
  t.same([...b.candles.keys()].sort(), keys);
  const noRevision = (c: Candle | undefined) => (c ? { ...c, revision: 0 } : null);
  t.same(
    keys.map((k) => noRevision(b.candles.get(k))),
    keys.map((k) => noRevision(a.candles.get(k))),
    'latest closed candles equal',
  );
  t.same(
    keys.map((k) => b.indicators.get(k)?.values),
    keys.map((k) => a.indicators.get(k)?.values),
    'latest closed indicator values equal',
  );
  t.same(
    sink.finals.map((f) => [f.c.interval, f.c.start, f.x?.values]),
    inOrder.finals.map((f) => [f.c.interval, f.c.start, f.x?.values]),
    'final candles and indicator values equal the in-order run',
  );
});

t.test('shuffled within the lateness bound gives the in-order finals (property)', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.array(fc.nat(1400), { minLength: 80, maxLength: 80 }),
      (seed, delays) => {
        const trades = walk(80, seed);
        // Deliver each trade at ts + delay (delay < closeDelay + allowedLateness - margin), in delivery order.
        const order = trades.map((x, i) => ({ x, at: x.ts + delays[i]! })).sort((p, q) => p.at - q.at);
        const a = run(trades);
        const b = run(order.map((o) => o.x));
        const strip = (r: Recorder) => r.finals.map((f) => [{ ...f.c, revision: 0 }, f.x?.values]);
        return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
      },
    ),
    { numRuns: 60 },
  );
  t.pass('finals equal for 60 random shuffles');
});

t.test(
  'a batch recomputation from stored trades equals the streamed result including revisions',
  async (t) => {
    const trades = walk(150, 23);
    // Stream: deliver in a jittered order with some late trades.
    const streamed = run(
      trades
        .map((x, i) => ({ x, at: x.ts + ((i * 7919) % 1700) }))
        .sort((p, q) => p.at - q.at)
        .map((o) => o.x),
    );
    // Batch: the stored trades sorted by (ts, id).
    const batch = run([...trades].sort((p, q) => p.ts - q.ts || Number(p.id) - Number(q.id)));
    const latest = streamed.latestClosed();
    const finals = batch.finals;
    t.equal(latest.candles.size, finals.length);
    const key = (c: Candle) => `${c.interval}@${c.start}`;
    t.same(
      finals.map((f) => ({ ...latest.candles.get(key(f.c))!, revision: 0 })),
      finals.map((f) => ({ ...f.c, revision: 0 })),
    );
    t.same(
      finals.map((f) => latest.indicators.get(key(f.c))?.values),
      finals.map((f) => f.x?.values),
    );
  },
);

t.test('rejected input changes nothing and returns its reason', async (t) => {
  const sink = new Recorder();
  const actor = new ActorFactory(CONFIG).create('sim', 'BTC/USDT', sink);
  for (const tr of walk(30, 3)) actor.onTrade(tr, NOW);
  const before = pack(actor.snapshot());
  const outputs = sink.candles.length + sink.indicators.length + sink.alerts.length;
  const good = trade(T0 + 20_000, 100, 999);
  const cases: [unknown, string][] = [
    [{ ...good, price: Number.NaN }, 'bad_price'],
    [{ ...good, price: 0 }, 'bad_price'],
    [{ ...good, size: -1 }, 'bad_size'],
    [{ ...good, side: 'long' }, 'bad_side'],
    [{ ...good, ts: 5 }, 'bad_timestamp'],
    [{ ...good, ts: NOW + 2 * 86_400_000 }, 'bad_timestamp'],
    [{ ...good, v: 2 }, 'bad_schema_version'],
    [{ ...good, id: '' }, 'bad_trade_id'],
  ];
  for (const [bad, reason] of cases) t.equal(actor.onTrade(bad as Trade, NOW), reason, reason);
  const q: Quote = {
    v: 1,
    type: 'quote',
    venue: 'sim',
    symbol: 'BTC/USDT',
    bidPrice: -1,
    bidSize: 1,
    askPrice: 2,
    askSize: 1,
    ts: T0 + 20_000,
    recvTs: T0 + 20_000,
  };
  t.not(actor.onQuote(q, NOW), 'ok');
  t.same(pack(actor.snapshot()), before, 'state unchanged');
  t.equal(sink.candles.length + sink.indicators.length + sink.alerts.length, outputs, 'no outputs');
  t.equal(actor.onTrade(good, NOW), 'ok');
});

t.test('a trade beyond the allowed lateness is reported late and changes no candle', async (t) => {
  const sink = new Recorder();
  const actor = new ActorFactory(CONFIG).create('sim', 'BTC/USDT', sink);
  actor.onTrade(trade(T0 + 10_000, 100, 1), NOW);
  const before = sink.candles.length;
  t.equal(actor.onTrade(trade(T0 + 5_000, 150, 2), NOW), 'late');
  actor.flush();
  t.notOk(
    sink.candles.slice(before).some((c) => c.high === 150),
    'no candle took the late price',
  );
  t.equal(actor.stats.late, 1);
});

t.test('live updates: open candles with indicator values replaced as they change', async (t) => {
  const sink = new Recorder();
  const actor = new ActorFactory(CONFIG).create('sim', 'BTC/USDT', sink);
  const trades = walk(40, 5);
  for (const tr of trades) {
    actor.onTrade(tr, NOW);
    actor.flush();
  }
  const open = sink.candles.filter((c) => !c.closed);
  t.ok(open.length >= trades.length, 'one open update per interval touched per flush');
  const live = sink.indicators.filter((x) => !x.closed);
  t.equal(live.length, open.length, 'every open candle update carries live indicator values');
  // Live values equal what the closed values of the same candle become when nothing else arrives in it.
  const lastLive = new Map<string, IndicatorSnapshot>();
  for (const x of live) lastLive.set(`${x.interval}@${x.ts}`, x);
  const closed = sink.latestClosed().indicators;
  const both = [...closed.keys()].filter((k) => lastLive.has(k));
  t.ok(both.length > 5, `${both.length} candles compared`);
  t.same(
    both.map((k) => lastLive.get(k)!.values),
    both.map((k) => closed.get(k)!.values),
  );
  // A flush without new trades emits nothing.
  const n = sink.candles.length;
  actor.flush();
  t.equal(sink.candles.length, n);
});

t.test('snapshot, msgpack, restore, continue: the same outputs as an uninterrupted run', async (t) => {
  const trades = walk(200, 31);
  const whole = run(trades);
  const factory = new ActorFactory(CONFIG);
  const first = new Recorder();
  const a = factory.create('sim', 'BTC/USDT', first);
  for (const tr of trades.slice(0, 120)) a.onTrade(tr, NOW);
  const snap = unpack(pack(a.snapshot())) as ActorSnapshot;
  const second = new Recorder();
  const b = factory.restore(snap, second);
  for (const tr of trades.slice(120)) b.onTrade(tr, NOW);
  b.closeAll();
  const joined = [...first.finals, ...second.finals];
  t.same(
    joined.map((f) => [f.c, f.x]),
    whole.finals.map((f) => [f.c, f.x]),
  );
  t.same([...first.alerts, ...second.alerts], whole.alerts);
});

t.test('a snapshot from a different indicator config is refused with a clear error', async (t) => {
  const a = new ActorFactory(CONFIG).create('sim', 'BTC/USDT', new Recorder());
  a.onTrade(trade(T0, 100, 1), NOW);
  const snap = a.snapshot();
  const other = new ActorFactory({ ...CONFIG, indicators: [{ kind: 'sma', period: 50 }] });
  t.throws(() => other.restore(snap, new Recorder()), { code: 'TF_ERR_ACTOR_SNAPSHOT' });
});

t.test('detectors see trades, quotes, closed candles and the timer', async (t) => {
  const sink = new Recorder();
  const actor = new ActorFactory(CONFIG).create('sim', 'BTC/USDT', sink);
  actor.onTrade(trade(T0, 100, 1), NOW);
  const crossed: Quote = {
    v: 1,
    type: 'quote',
    venue: 'sim',
    symbol: 'BTC/USDT',
    bidPrice: 101,
    bidSize: 1,
    askPrice: 100,
    askSize: 1,
    ts: T0 + 10,
    recvTs: T0 + 10,
  };
  t.equal(actor.onQuote(crossed, NOW), 'ok');
  t.match(sink.alerts, [{ kind: 'crossed_quote', symbol: 'BTC/USDT' }]);
  // The stale-feed detector and timer closes run on the injected clock: the trade arrived at NOW.
  actor.onTimer(NOW + 5_000);
  t.ok(
    sink.candles.some((c) => c.closed && c.interval === '1s'),
    'the quiet symbol had its 1s candle closed by the timer',
  );
});

t.test('a backlog: the timer leaves a symbol whose trades keep arriving to its watermark', async (t) => {
  // Event times an hour behind the wall clock, as when catching up after an outage.
  const sink = new Recorder();
  const actor = new ActorFactory(CONFIG).create('sim', 'BTC/USDT', sink);
  for (let k = 0; k < 40; k++) {
    const arrival = NOW + k * 100;
    actor.onTrade(trade(T0 + k * 100, 100 + (k % 3), k), arrival);
    actor.onTimer(arrival + 50);
    actor.flush();
  }
  const closed = sink.candles.filter((c) => c.closed && c.interval === '1s');
  t.same(
    closed.map((c) => c.start),
    [T0, T0 + 1000, T0 + 2000],
    'only the watermark closed 1s candles, in order, while trades arrived',
  );
  t.equal(sink.candles.filter((c) => c.revision > 0).length, 0, 'and none was revised');
  actor.onTimer(NOW + 3_900 + 500);
  t.notOk(
    sink.candles.some((c) => c.closed && c.start === T0 + 3000),
    'not quiet yet 600 ms after the last arrival',
  );
  actor.onTimer(NOW + 3_900 + 1_000);
  t.ok(
    sink.candles.some((c) => c.closed && c.interval === '1s' && c.start === T0 + 3000),
    'quiet for idleCloseMs: the timer closed the last open 1s candle',
  );
});

t.test('an interval without indicators gets candles but no indicator snapshots', async (t) => {
  const sink = run(walk(60, 2), { ...CONFIG, indicatorIntervals: ['5s'] });
  t.ok(sink.candles.some((c) => c.interval === '1s'));
  t.notOk(sink.indicators.some((x) => x.interval === '1s'));
  t.ok(sink.indicators.some((x) => x.interval === '5s'));
  t.ok(sink.finals.filter((f) => f.c.interval === '1s').every((f) => f.x === null));
  t.equal(new IndicatorProgram(CONFIG.indicators).outputNames.length, 5);
});

t.test('default config: indicators on 1m and longer, none on 1s', async (t) => {
  t.same(DEFAULT_ACTOR_CONFIG.indicatorIntervals, ['1m', '5m', '15m', '1h', '1d']);
  const factory = new ActorFactory(DEFAULT_ACTOR_CONFIG);
  t.same(factory.indicatorOn, [false, true, true, true, true, true]);
  // One trade a second for three minutes: 1s candles close, and 1m ones too.
  const sink = new Recorder();
  const actor = factory.create('sim', 'BTC/USDT', sink);
  for (let s = 0; s < 180; s++) actor.onTrade(trade(T0 + s * 1000, 100 + (s % 7), s + 1), NOW);
  // Watermark 179 s - 500 ms: the 1s candles of seconds 0 to 177 are closed.
  t.equal(sink.candles.filter((c) => c.closed && c.interval === '1s').length, 178);
  t.same(
    sink.indicators.map((x) => `${x.interval}@${x.ts - T0}`),
    ['1m@0', '1m@60000'],
    'indicator snapshots only for the closed 1m candles',
  );
  t.equal(sink.indicators[0]!.values['vwap'], sink.latestClosed().candles.get(`1m@${T0}`)!.vwap);
});

t.test('committed indicator states are allocated per interval at its first final candle', async (t) => {
  const factory = new ActorFactory(CONFIG);
  const program = new IndicatorProgram(CONFIG.indicators);
  const actor = factory.create('sim', 'BTC/USDT', new Recorder());
  const slots = () => (actor as unknown as { committed: number[] }).committed.length;
  t.equal(slots(), 2, 'two interval offsets, no state yet');
  const fresh = program.newState();
  t.same(actor.snapshot().indicators, [fresh, fresh], 'a snapshot still carries a fresh state per interval');
  // The 1s candle at T0 is final once the watermark passes T0 + 1000 + 2000 (trade at T0 + 3500).
  actor.onTrade(trade(T0 + 100, 100, 1), NOW);
  actor.onTrade(trade(T0 + 3500, 101, 2), NOW);
  t.equal(slots(), 2 + program.stateSize, '1s has its state');
  t.equal(actor.snapshot().indicators[0]![0], 1, 'one candle pushed into the 1s state');
  t.same(actor.snapshot().indicators[1], fresh, '5s still fresh');
  actor.onTrade(trade(T0 + 7600, 102, 3), NOW);
  t.equal(slots(), 2 + 2 * program.stateSize, 'then 5s');
  const restored = factory.restore(unpack(pack(actor.snapshot())) as ActorSnapshot, new Recorder());
  t.same(restored.snapshot(), actor.snapshot(), 'restored in place');
});

t.test(
  'liveEveryMs: the shortest interval updates on every flush, longer ones at most that often',
  async (t) => {
    const sink = new Recorder();
    const actor = new ActorFactory({ ...CONFIG, liveEveryMs: 250 }).create('sim', 'BTC/USDT', sink);
    const open = (iv: string): number => sink.candles.filter((c) => !c.closed && c.interval === iv).length;
    // Ten trades 10 ms apart inside one 1s and one 5s candle, each flushed with its arrival time.
    for (let k = 0; k < 10; k++) {
      actor.onTrade(trade(T0 + k * 10, 100 + k, k), NOW + k * 10);
      actor.flush(NOW + k * 10);
    }
    t.equal(open('1s'), 10, 'every flush updated the 1s candle');
    t.equal(open('5s'), 1, 'the 5s candle once: the first flush, then held back');
    const live5s = sink.indicators.filter((x) => !x.closed && x.interval === '5s').length;
    t.equal(live5s, 1, 'and its live indicator values with it');
    actor.flushDue(NOW + 200);
    t.equal(open('5s'), 1, 'flushDue before liveEveryMs has passed sends nothing');
    actor.flushDue(NOW + 250);
    t.equal(open('5s'), 2, 'after it, the held-back update goes out');
    const last = sink.candles.filter((c) => c.interval === '5s').at(-1)!;
    t.equal(last.close, 109, 'as the latest state of the candle');
    t.equal(last.trades, 10);
    actor.flushDue(NOW + 600);
    t.equal(open('5s'), 2, 'nothing pending, nothing sent');

    // Without a clock (backfill, tests) and with 0, every interval goes on every flush.
    for (const cfg of [
      { ...CONFIG, liveEveryMs: 250 },
      { ...CONFIG, liveEveryMs: 0 },
    ]) {
      const s2 = new Recorder();
      const a2 = new ActorFactory(cfg).create('sim', 'BTC/USDT', s2);
      for (let k = 0; k < 5; k++) {
        a2.onTrade(trade(T0 + k * 10, 100, k), NOW + k * 10);
        if (cfg.liveEveryMs === 0) a2.flush(NOW + k * 10);
        else a2.flush();
      }
      t.equal(s2.candles.filter((c) => !c.closed && c.interval === '5s').length, 5);
    }
    t.match(validateActorConfig({ ...CONFIG, liveEveryMs: -1 }), [/liveEveryMs must be a whole number/]);
  },
);
