import t from 'tap';
import { harness, onlyConfig } from './harness.js';
import { quote, T0, trade } from './record-factory.js';

const crossed = (ts: number) => quote(100.5, 100.2, ts);

t.test('an alert holds back the same kind for cooldownMs of event time, inclusive at the end', async (t) => {
  const { d, alerts } = harness(onlyConfig({ crossedQuote: {}, cooldownMs: 60_000 }));
  d.onQuote(crossed(T0));
  d.onQuote(crossed(T0 + 30_000));
  d.onQuote(crossed(T0 + 59_999));
  t.same(
    alerts.map((a) => a.ts),
    [T0],
  );
  d.onQuote(crossed(T0 + 60_000));
  d.onQuote(crossed(T0 + 60_001));
  t.same(
    alerts.map((a) => a.ts),
    [T0, T0 + 60_000],
    'once expired, the next alert goes out and starts a new cooldown',
  );
  t.equal(d.stats.alerts, 2, 'held-back alerts are not counted');
});

t.test('the cooldown is per kind: another kind is not held back', async (t) => {
  const { d, alerts } = harness(onlyConfig({ crossedQuote: {}, lockedQuote: {} }));
  d.onQuote(crossed(T0));
  d.onQuote(quote(100, 100, T0 + 1));
  t.same(
    alerts.map((a) => a.kind),
    ['crossed_quote', 'locked_quote'],
  );
});

t.test('an event time far before the last alert (a clock jump back) is outside the cooldown', async (t) => {
  const { d, alerts } = harness(onlyConfig({ crossedQuote: {} }));
  d.onQuote(crossed(T0));
  d.onQuote(crossed(T0 - 59_999));
  d.onQuote(crossed(T0 - 60_000));
  t.same(
    alerts.map((a) => a.ts),
    [T0, T0 - 60_000],
  );
});

t.test('cooldownMs 0 lets every alert through', async (t) => {
  const { d, alerts } = harness(onlyConfig({ crossedQuote: {}, cooldownMs: 0 }));
  d.onQuote(crossed(T0));
  d.onQuote(crossed(T0));
  d.onQuote(crossed(T0 + 1));
  t.equal(alerts.length, 3);
});

t.test('one escalation to a higher severity gets through a cooldown, without restarting it', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  for (let i = 0; i < 20; i++) d.onTrade(trade(100, T0 + i * 1000));
  d.onTrade(trade(106, T0 + 20_000)); // warning, opens the cooldown
  d.onTrade(trade(106, T0 + 30_000)); // warning again: held back
  d.onTrade(trade(115, T0 + 40_000)); // critical: the one escalation
  d.onTrade(trade(120, T0 + 50_000)); // critical again: held back
  d.onTrade(trade(120, T0 + 80_000)); // 60 s after the first: the cooldown has ended
  d.onTrade(trade(130, T0 + 81_000)); // held back by the new cooldown
  t.same(
    alerts.map((a) => [a.ts, a.severity]),
    [
      [T0 + 20_000, 'warning'],
      [T0 + 40_000, 'critical'],
      [T0 + 80_000, 'critical'],
    ],
  );
  // The escalation was judged against the mean of 22 trades summing 2212.
  const mean = 2212 / 22;
  t.ok(Math.abs(alerts[1]!.value - ((115 - mean) / mean) * 100) < 1e-9);
  t.equal(alerts[1]!.threshold, 10);
});

t.test('a lower severity never gets through a cooldown', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  for (let i = 0; i < 20; i++) d.onTrade(trade(100, T0 + i * 1000));
  d.onTrade(trade(115, T0 + 20_000)); // critical
  d.onTrade(trade(95, T0 + 21_000)); // warning (about 5.7% below 100.71): held back
  t.same(
    alerts.map((a) => a.severity),
    ['critical'],
  );
});
