import t from 'tap';
import { brief, harness, onlyConfig } from './harness.js';
import { candle, T0 } from './record-factory.js';

const MIN = 60_000;

/** Feeds closed 1m candles with these volumes, one a minute from T0; returns the next start. */
function history(d: { onCandleClosed: (c: ReturnType<typeof candle>) => void }, volumes: number[]): number {
  for (let i = 0; i < volumes.length; i++) d.onCandleClosed(candle(volumes[i]!, T0 + i * MIN));
  return T0 + volumes.length * MIN;
}

t.test('z-score against the previous lookback candles (population sd): 3.54 is a warning', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  // mean 10, variance (0 + 4 + 4 + 0) / 4 = 2, sd √2: 15 is 5/√2 = 3.54 sd above.
  const next = history(d, [10, 12, 8, 10]);
  d.onCandleClosed(candle(15, next));
  t.equal(alerts.length, 1);
  t.same(brief(alerts[0]), {
    kind: 'volume_spike',
    severity: 'warning',
    ts: next,
    threshold: 3,
    message:
      'BTC/USDT on binance traded 15 in the 1m candle from 2023-11-14T22:18:00.000Z, ' +
      '3.54 standard deviations above the mean 10 of the previous 4',
  });
  t.ok(Math.abs(alerts[0]!.value - 5 / Math.SQRT2) < 1e-12);
});

t.test('at criticalZ the alert is critical', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  d.onCandleClosed(candle(18, history(d, [10, 12, 8, 10]))); // 8/√2 = 5.66
  t.equal(alerts[0]!.severity, 'critical');
  t.equal(alerts[0]!.threshold, 5);
  t.ok(Math.abs(alerts[0]!.value - 8 / Math.SQRT2) < 1e-12);
});

t.test('quiet below warnZ, for volume drops, and until the history is full', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  let next = history(d, [10, 12, 8]);
  d.onCandleClosed(candle(1000, next)); // only 3 candles before it
  t.equal(alerts.length, 0);
  const q = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  next = history(q.d, [10, 12, 8, 10]);
  q.d.onCandleClosed(candle(14, next)); // 4/√2 = 2.83
  q.d.onCandleClosed(candle(0, next + MIN)); // far below
  t.equal(q.alerts.length, 0);
});

t.test('the default needs 20 closed 1m candles of history', async (t) => {
  const volumes = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 9 : 11)); // mean 10, sd 1
  const short = harness(onlyConfig({ volumeSpike: {} }));
  short.d.onCandleClosed(candle(100, history(short.d, volumes.slice(1))));
  t.equal(short.alerts.length, 0);
  const full = harness(onlyConfig({ volumeSpike: {} }));
  full.d.onCandleClosed(candle(14, history(full.d, volumes)));
  t.equal(full.alerts.length, 1);
  t.equal(full.alerts[0]!.value, 4);
  t.equal(full.alerts[0]!.severity, 'warning');
});

t.test('the history slides: the oldest candle leaves as a new one arrives', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 }, cooldownMs: 0 }));
  // After [1000, 10, 12, 8] then 10, the history is [10, 12, 8, 10] again.
  let next = history(d, [1000, 10, 12, 8]);
  d.onCandleClosed(candle(10, next));
  t.equal(alerts.length, 0);
  next += MIN;
  d.onCandleClosed(candle(15, next));
  t.equal(alerts.length, 1);
  t.ok(Math.abs(alerts[0]!.value - 5 / Math.SQRT2) < 1e-12);
});

t.test('revisions, open candles and other intervals are ignored and not added', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  const next = history(d, [10, 12, 8, 10]);
  d.onCandleClosed(candle(1000, next, { revision: 1 }));
  d.onCandleClosed(candle(1000, next, { closed: false }));
  d.onCandleClosed(candle(1000, next, { interval: '5m' }));
  t.equal(alerts.length, 0);
  d.onCandleClosed(candle(15, next)); // still judged against [10, 12, 8, 10]
  t.equal(alerts.length, 1);
  t.ok(Math.abs(alerts[0]!.value - 5 / Math.SQRT2) < 1e-12);
});

t.test('a flat history alerts only above flatFactor times its mean', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 }, cooldownMs: 0 }));
  let next = history(d, [10, 10, 10, 10]);
  d.onCandleClosed(candle(30, next)); // exactly 3×: not above
  t.equal(alerts.length, 0);
  const q = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  next = history(q.d, [10, 10, 10, 10]);
  q.d.onCandleClosed(candle(31, next));
  t.same(brief(q.alerts[0]), {
    kind: 'volume_spike',
    severity: 'warning',
    ts: next,
    threshold: 3,
    message:
      'BTC/USDT on binance traded 31 in the 1m candle from 2023-11-14T22:18:00.000Z, ' +
      '3.1 times the unchanging volume 10 of the previous 4',
  });
  t.equal(q.alerts[0]!.value, 3.1);
});

t.test('a flat history of values Float32 cannot hold exactly is still flat', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  d.onCandleClosed(candle(0.1 + 1e-9, history(d, [0.1, 0.1, 0.1, 0.1])));
  t.equal(alerts.length, 0, 'rounding noise is not a 1000-sd spike');
});

t.test('flatFactor 0 and an all-zero history never alert', async (t) => {
  const off = harness(onlyConfig({ volumeSpike: { lookback: 4, flatFactor: 0 } }));
  off.d.onCandleClosed(candle(1e6, history(off.d, [10, 10, 10, 10])));
  t.equal(off.alerts.length, 0);
  const zero = harness(onlyConfig({ volumeSpike: { lookback: 4 } }));
  zero.d.onCandleClosed(candle(5, history(zero.d, [0, 0, 0, 0])));
  t.equal(zero.alerts.length, 0);
});

t.test('the cooldown runs on candle start times', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { lookback: 4 }, cooldownMs: 2 * MIN }));
  const next = history(d, [10, 12, 8, 10]);
  d.onCandleClosed(candle(18, next));
  d.onCandleClosed(candle(100, next + MIN)); // 1 minute later: held back
  d.onCandleClosed(candle(1000, next + 2 * MIN)); // 2 minutes later: out
  t.same(
    alerts.map((a) => a.ts),
    [next, next + 2 * MIN],
  );
});

t.test('a disabled volume-spike detector never fires', async (t) => {
  const { d, alerts } = harness(onlyConfig({ volumeSpike: { enabled: false } }));
  d.onCandleClosed(candle(1e9, history(d, new Array(20).fill(10))));
  t.equal(alerts.length, 0);
});
