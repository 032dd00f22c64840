import fc from 'fast-check';
import t from 'tap';
import type { AnomalyConfig, AnomalySnapshot } from '../../../actors/anomalies/index.js';
import { AnomalyDetectors, DEFAULT_ANOMALY_CONFIG } from '../../../actors/anomalies/index.js';
import type { Alert } from '../../../schemas/records.js';
import { harness, onlyConfig } from './harness.js';
import { candle, quote, SYMBOL, T0, trade, VENUE } from './record-factory.js';

/** Every detector on, with thresholds small enough that short random streams raise alerts of every kind. */
const TOUCHY: AnomalyConfig = {
  cooldownMs: 2_000,
  priceSpike: { enabled: true, windowMs: 3_000, bucketMs: 1_000, minTrades: 3, warnPct: 1, criticalPct: 3 },
  volumeSpike: { enabled: true, interval: '1m', lookback: 3, warnZ: 1, criticalZ: 2, flatFactor: 1.5 },
  staleFeed: { enabled: true, afterMs: 3_000, minUpdates: 2, activeWindowMs: 8_000, severity: 'warning' },
  crossedQuote: { enabled: true, severity: 'warning' },
  lockedQuote: { enabled: true, severity: 'info' },
  sequenceGap: { enabled: true, severity: 'warning', minMissing: 1 },
  outlierPrint: { enabled: true, pct: 1, severity: 'critical' },
};

type Step =
  | { k: 'trade'; dt: number; price: number; seqStep: number; lateBy: number }
  | { k: 'quote'; dt: number; bid: number; spread: number; seqStep: number }
  | { k: 'candle'; volume: number }
  | { k: 'timer'; dt: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    k: fc.constant('trade' as const),
    dt: fc.integer({ min: 0, max: 1_500 }),
    price: fc.integer({ min: 95, max: 105 }),
    seqStep: fc.integer({ min: -1, max: 3 }),
    lateBy: fc.constantFrom(0, 0, 0, 2_500, 10_000),
  }),
  fc.record({
    k: fc.constant('quote' as const),
    dt: fc.integer({ min: 0, max: 1_500 }),
    bid: fc.integer({ min: 95, max: 105 }),
    spread: fc.integer({ min: -1, max: 2 }),
    seqStep: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ k: fc.constant('candle' as const), volume: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ k: fc.constant('timer' as const), dt: fc.integer({ min: 0, max: 6_000 }) }),
);

/** Replays steps into detectors; the clock and sequences live in `clock` so a run can be split. */
function run(
  d: AnomalyDetectors,
  steps: readonly Step[],
  clock: { now: number; tseq: number; qseq: number; c: number },
) {
  for (const s of steps) {
    if (s.k === 'trade') {
      clock.now += s.dt;
      clock.tseq += s.seqStep;
      d.onTrade(trade(s.price, clock.now - s.lateBy, { recvTs: clock.now, seq: clock.tseq }));
    } else if (s.k === 'quote') {
      clock.now += s.dt;
      clock.qseq += s.seqStep;
      d.onQuote(quote(s.bid, s.bid + s.spread, clock.now, { seq: clock.qseq }));
    } else if (s.k === 'candle') {
      d.onCandleClosed(candle(s.volume, T0 + clock.c++ * 60_000));
    } else {
      clock.now += s.dt;
      d.onTimer(clock.now);
    }
  }
}

t.test('snapshot → JSON → restore continues exactly like the original', async (t) => {
  let sawAlerts = 0;
  fc.assert(
    fc.property(fc.array(step, { maxLength: 120 }), fc.nat(), (steps, cut) => {
      const at = steps.length === 0 ? 0 : cut % steps.length;
      const whole: Alert[] = [];
      const a = new AnomalyDetectors(VENUE, SYMBOL, TOUCHY, (x) => whole.push(x));
      run(a, steps, { now: T0, tseq: 0, qseq: 0, c: 0 });

      const split: Alert[] = [];
      const b = new AnomalyDetectors(VENUE, SYMBOL, TOUCHY, (x) => split.push(x));
      const clock = { now: T0, tseq: 0, qseq: 0, c: 0 };
      run(b, steps.slice(0, at), clock);
      const stored = JSON.parse(JSON.stringify(b.snapshot())) as AnomalySnapshot;
      const c = AnomalyDetectors.restore(stored, TOUCHY, (x) => split.push(x));
      run(c, steps.slice(at), clock);

      sawAlerts += whole.length;
      return (
        JSON.stringify(split) === JSON.stringify(whole) &&
        JSON.stringify(c.stats) === JSON.stringify(a.stats) &&
        JSON.stringify(c.snapshot()) === JSON.stringify(a.snapshot())
      );
    }),
    { numRuns: 300 },
  );
  t.ok(sawAlerts > 300, `the streams raised alerts (${sawAlerts}), so the comparison means something`);
});

t.test('every kind fires under the random streams above', async (t) => {
  const kinds = new Set<string>();
  fc.assert(
    fc.property(fc.array(step, { minLength: 50, maxLength: 120 }), (steps) => {
      const d = new AnomalyDetectors(VENUE, SYMBOL, TOUCHY, (x) => kinds.add(x.kind));
      run(d, steps, { now: T0, tseq: 0, qseq: 0, c: 0 });
    }),
    { numRuns: 100 },
  );
  t.same([...kinds].sort(), [
    'crossed_quote',
    'locked_quote',
    'outlier_print',
    'price_spike',
    'sequence_gap',
    'stale_feed',
    'volume_spike',
  ]);
});

t.test('a snapshot is plain data naming the symbol, with null for "nothing yet"', async (t) => {
  const { d } = harness(onlyConfig({ sequenceGap: {} }));
  d.onTrade(trade(100, T0, { seq: 7 }));
  const s = d.snapshot();
  t.same(JSON.parse(JSON.stringify(s)), s);
  t.equal(s.v, 1);
  t.equal(s.venue, VENUE);
  t.equal(s.symbol, SYMBOL);
  t.same(
    s.regions.map((r) => r.key),
    ['core/1'],
    'disabled detectors have no state',
  );
  t.same(s.regions[0]!.f64, [null, null, null, null, null, null, null, 0, 0, 0, 7, null, null, null, null]);
  const all = new AnomalyDetectors(VENUE, SYMBOL, DEFAULT_ANOMALY_CONFIG, () => {});
  t.same(
    all.snapshot().regions.map((r) => r.key),
    ['core/1', 'priceSpike/1/60000x5', 'staleFeed/1/60000', 'volumeSpike/1/1mx20'],
  );
});

t.test('restoring under a config with another shape restarts only the detectors it changes', async (t) => {
  const before = onlyConfig({ volumeSpike: { lookback: 4 }, sequenceGap: {} });
  const { d } = harness(before);
  for (let i = 0; i < 4; i++) d.onCandleClosed(candle(10 + (i % 2) * 2, T0 + i * 60_000));
  d.onTrade(trade(100, T0, { seq: 1 }));
  const after = onlyConfig({ volumeSpike: { lookback: 5 }, sequenceGap: {} });
  const alerts: Alert[] = [];
  const r = AnomalyDetectors.restore(d.snapshot(), after, (a) => alerts.push(a));
  r.onCandleClosed(candle(1000, T0 + 4 * 60_000));
  t.equal(alerts.length, 0, 'the volume history restarted: 0 of 5 candles');
  r.onTrade(trade(100, T0 + 1, { seq: 3 }));
  t.same(
    alerts.map((a) => [a.kind, a.value]),
    [['sequence_gap', 1]],
    'the sequence continued from 1',
  );
  const same = AnomalyDetectors.restore(d.snapshot(), before, (a) => alerts.push(a));
  same.onCandleClosed(candle(1000, T0 + 4 * 60_000));
  t.equal(alerts.length, 2, 'with the same shape the history continued');
});

t.test('restore rejects what is not a snapshot with TF_ERR_ANOMALY_SNAPSHOT', async (t) => {
  const good = new AnomalyDetectors(VENUE, SYMBOL, DEFAULT_ANOMALY_CONFIG, () => {}).snapshot();
  const cases: [unknown, string][] = [
    [null, 'anomaly snapshot must be an object'],
    [{ ...good, v: 2 }, 'anomaly snapshot has version 2; this code reads version 1'],
    [{ ...good, symbol: 3 }, 'anomaly snapshot must name its venue and symbol'],
    [{ ...good, regions: 'x' }, 'anomaly snapshot must have a list of regions'],
    [{ ...good, regions: [{ f64: [], f32: [] }] }, 'anomaly snapshot has a region without a key'],
    [
      { ...good, regions: [{ key: 'core/1', f64: ['1'], f32: [] }] },
      "anomaly snapshot region 'core/1' must hold lists of numbers or nulls",
    ],
  ];
  for (const [snap, message] of cases) {
    t.throws(() => AnomalyDetectors.restore(snap as AnomalySnapshot, DEFAULT_ANOMALY_CONFIG, () => {}), {
      code: 'TF_ERR_ANOMALY_SNAPSHOT',
      message,
    });
  }
});

t.test('an invalid config is refused at construction with every problem listed', async (t) => {
  const bad = {
    ...DEFAULT_ANOMALY_CONFIG,
    cooldownMs: -1,
    outlierPrint: { ...DEFAULT_ANOMALY_CONFIG.outlierPrint, pct: 0 },
  };
  t.throws(() => new AnomalyDetectors(VENUE, SYMBOL, bad, () => {}), {
    code: 'TF_ERR_BAD_ANOMALY_CONFIG',
    problems: [
      'anomalies.cooldownMs must be an integer from 0 to 86400000 (got -1)',
      'anomalies.outlierPrint.pct must be a number above 0 and at most 1000 (got 0)',
    ],
  });
});

t.test('detectors of different symbols in one thread keep separate state', async (t) => {
  const log: string[] = [];
  const a = new AnomalyDetectors('v', 'A', TOUCHY, (x) => log.push(`${x.symbol}:${x.kind}`));
  const b = new AnomalyDetectors('v', 'B', TOUCHY, (x) => log.push(`${x.symbol}:${x.kind}`));
  a.onTrade(trade(100, T0, { seq: 1 }));
  b.onTrade(trade(100, T0, { seq: 50 }));
  a.onTrade(trade(100, T0 + 1, { seq: 2 }));
  b.onTrade(trade(100, T0 + 1, { seq: 51 }));
  b.onTrade(trade(100, T0 + 2, { seq: 60 }));
  t.same(log, ['B:sequence_gap']);
  t.same(a.stats, { alerts: 0, seqGaps: 0, seqDuplicates: 0 });
  t.same(b.stats, { alerts: 1, seqGaps: 1, seqDuplicates: 0 });
});

t.test('thousands of detectors share arena chunks without overlapping', async (t) => {
  const all: AnomalyDetectors[] = [];
  for (let i = 0; i < 3000; i++) {
    const d = new AnomalyDetectors('v', `S${i}`, TOUCHY, () => {});
    d.onTrade(trade(100, T0, { seq: i }));
    all.push(d);
  }
  let ok = 0;
  for (let i = 0; i < all.length; i++) {
    if (JSON.stringify(all[i]!.snapshot().regions[0]!.f64[10]) === String(i)) ok++;
  }
  t.equal(ok, 3000);
});
