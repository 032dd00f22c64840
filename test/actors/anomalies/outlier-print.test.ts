import t from 'tap';
import { brief, harness, onlyConfig } from './harness.js';
import { quote, T0, trade } from './record-factory.js';

t.test('one bad print is one alert and does not become the reference', async (t) => {
  const { d, alerts } = harness(onlyConfig({ outlierPrint: {}, cooldownMs: 0 }));
  d.onTrade(trade(100, T0));
  d.onTrade(trade(103, T0 + 1));
  d.onTrade(trade(100.5, T0 + 2)); // 0.5% from 100; 2.4% from 103 had 103 been taken
  t.equal(alerts.length, 1);
  t.same(brief(alerts[0]), {
    kind: 'outlier_print',
    severity: 'warning',
    ts: T0 + 1,
    threshold: 2,
    message: 'BTC/USDT on binance printed 103, 3% above the last trade price 100',
  });
  t.equal(alerts[0]!.value, 3);
});

t.test('exactly pct away is not an outlier; below the reference is', async (t) => {
  const { d, alerts } = harness(onlyConfig({ outlierPrint: {}, cooldownMs: 0 }));
  d.onTrade(trade(100, T0));
  d.onTrade(trade(102, T0 + 1)); // exactly 2%: accepted, now the reference
  d.onTrade(trade(99.9, T0 + 2)); // 2.06% below 102
  t.equal(alerts.length, 1);
  t.equal(alerts[0]!.message, 'BTC/USDT on binance printed 99.9, 2.06% below the last trade price 102');
});

t.test('a second print near the first outlier is a real move: followed without a second alert', async (t) => {
  const { d, alerts } = harness(onlyConfig({ outlierPrint: {}, cooldownMs: 0 }));
  d.onTrade(trade(100, T0));
  d.onTrade(trade(103, T0 + 1)); // alert
  d.onTrade(trade(103.2, T0 + 2)); // within 2% of 103: the market moved
  d.onTrade(trade(103.5, T0 + 3)); // compared with 103.2 now
  t.equal(alerts.length, 1);
  d.onTrade(trade(100, T0 + 4)); // 3.4% below 103.5
  t.equal(alerts.length, 2);
  t.match(alerts[1]!.message, /printed 100, 3\.38% below the last trade price 103\.5$/);
});

t.test('a newer quote mid is the reference; an older one is not', async (t) => {
  const { d, alerts } = harness(onlyConfig({ outlierPrint: {}, cooldownMs: 0 }));
  d.onTrade(trade(100, T0));
  d.onQuote(quote(109.9, 110.1, T0 + 1));
  d.onTrade(trade(100, T0 + 2));
  t.equal(alerts.length, 1);
  t.equal(alerts[0]!.message, 'BTC/USDT on binance printed 100, 9.09% below the last quote mid 110');
  const old = harness(onlyConfig({ outlierPrint: {}, cooldownMs: 0 }));
  old.d.onTrade(trade(100, T0 + 10));
  old.d.onQuote(quote(109.9, 110.1, T0 + 5)); // older than the trade
  old.d.onTrade(trade(100.5, T0 + 11));
  t.equal(old.alerts.length, 0);
});

t.test('crossed quotes do not move the reference; a late trade does not replace a newer mid', async (t) => {
  const { d, alerts } = harness(onlyConfig({ outlierPrint: {}, cooldownMs: 0 }));
  d.onQuote(quote(100, 100.2, T0 + 10)); // mid 100.1
  d.onQuote(quote(120, 110, T0 + 11)); // crossed: ignored
  d.onTrade(trade(100.3, T0 + 5)); // late: accepted, but the mid at T0 + 10 stays the reference
  d.onTrade(trade(103, T0 + 12));
  t.equal(alerts.length, 1);
  t.match(alerts[0]!.message, /above the last quote mid 100\.1$/);
});

t.test('pct and severity are configurable; the cooldown holds back repeats', async (t) => {
  const { d, alerts } = harness(onlyConfig({ outlierPrint: { pct: 0.5, severity: 'critical' } }));
  d.onTrade(trade(100, T0));
  d.onTrade(trade(101, T0 + 1_000)); // alert
  d.onTrade(trade(100, T0 + 2_000));
  d.onTrade(trade(99, T0 + 3_000)); // outlier, held back by the cooldown
  d.onTrade(trade(100, T0 + 4_000));
  d.onTrade(trade(101, T0 + 61_000)); // outlier after the cooldown
  t.same(
    alerts.map((a) => [a.ts, a.severity, a.threshold]),
    [
      [T0 + 1_000, 'critical', 0.5],
      [T0 + 61_000, 'critical', 0.5],
    ],
  );
});

t.test('a disabled outlier-print detector never fires', async (t) => {
  const { d, alerts } = harness(onlyConfig({ outlierPrint: { enabled: false } }));
  d.onTrade(trade(100, T0));
  d.onTrade(trade(200, T0 + 1));
  t.equal(alerts.length, 0);
});
