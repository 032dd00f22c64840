import t from 'tap';
import { brief, harness, onlyConfig } from './harness.js';
import { quote, T0 } from './record-factory.js';

t.test('bid above ask is a crossed quote, valued bid minus ask', async (t) => {
  const { d, alerts } = harness(onlyConfig({ crossedQuote: {}, lockedQuote: {} }));
  d.onQuote(quote(100.5, 100.2, T0));
  t.same(brief(alerts[0]), {
    kind: 'crossed_quote',
    severity: 'warning',
    ts: T0,
    threshold: 0,
    message: 'BTC/USDT on binance quoted a crossed book: bid 100.5 above ask 100.2 by 0.3',
  });
  t.ok(Math.abs(alerts[0]!.value - 0.3) < 1e-9);
  t.equal(alerts.length, 1);
});

t.test('bid equal to ask is a locked quote, at info by default', async (t) => {
  const { d, alerts } = harness(onlyConfig({ crossedQuote: {}, lockedQuote: {} }));
  d.onQuote(quote(100, 100, T0));
  t.same(brief(alerts[0]), {
    kind: 'locked_quote',
    severity: 'info',
    ts: T0,
    threshold: 0,
    message: 'BTC/USDT on binance quoted a locked book: bid and ask both 100',
  });
  t.equal(alerts[0]!.value, 0);
});

t.test('normal and one-sided quotes stay quiet', async (t) => {
  const { d, alerts } = harness(onlyConfig({ crossedQuote: {}, lockedQuote: {} }));
  d.onQuote(quote(99.9, 100, T0));
  d.onQuote(quote(0, 100, T0 + 1)); // no bid
  d.onQuote(quote(100, 0, T0 + 2)); // no ask: not "crossed"
  d.onQuote(quote(0, 0, T0 + 3)); // empty book: not "locked"
  t.equal(alerts.length, 0);
});

t.test('severities are configurable and each kind can be disabled alone', async (t) => {
  const { d, alerts } = harness(
    onlyConfig({ crossedQuote: { severity: 'critical' }, lockedQuote: { enabled: false } }),
  );
  d.onQuote(quote(100, 100, T0));
  d.onQuote(quote(101, 100, T0 + 1));
  t.same(
    alerts.map((a) => [a.kind, a.severity]),
    [['crossed_quote', 'critical']],
  );
  const locked = harness(
    onlyConfig({ crossedQuote: { enabled: false }, lockedQuote: { severity: 'warning' } }),
  );
  locked.d.onQuote(quote(101, 100, T0));
  locked.d.onQuote(quote(100, 100, T0 + 1));
  t.same(
    locked.alerts.map((a) => [a.kind, a.severity]),
    [['locked_quote', 'warning']],
  );
});

t.test('repeats within the cooldown are held back, and go out after it', async (t) => {
  const { d, alerts } = harness(onlyConfig({ lockedQuote: {}, cooldownMs: 10_000 }));
  for (let i = 0; i <= 25; i++) d.onQuote(quote(100, 100, T0 + i * 1000));
  t.same(
    alerts.map((a) => a.ts),
    [T0, T0 + 10_000, T0 + 20_000],
  );
});
