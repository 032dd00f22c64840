import t from 'tap';
import { brief, harness, onlyConfig } from './harness.js';
import { T0, trade } from './record-factory.js';

const MIN = 60_000;

/** `n` trades at `price`, one a second from `start`. */
function flat(
  d: { onTrade: (x: ReturnType<typeof trade>) => void },
  n: number,
  price: number,
  start: number,
) {
  for (let i = 0; i < n; i++) d.onTrade(trade(price, start + i * 1000));
}

t.test('a trade 6% above the 5-minute mean raises a warning against the 5% band', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  flat(d, 20, 100, T0);
  d.onTrade(trade(106, T0 + 20_000));
  t.equal(alerts.length, 1);
  t.same(brief(alerts[0]), {
    kind: 'price_spike',
    severity: 'warning',
    ts: T0 + 20_000,
    threshold: 5,
    message: 'BTC/USDT on binance traded 106, 6% above its 5-minute mean 100',
  });
  t.equal(alerts[0]!.value, 6);
  t.same(
    { v: alerts[0]!.v, type: alerts[0]!.type, venue: alerts[0]!.venue, symbol: alerts[0]!.symbol },
    { v: 1, type: 'alert', venue: 'binance', symbol: 'BTC/USDT' },
  );
});

t.test('a trade 12% below the mean is critical against the 10% band', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  flat(d, 20, 100, T0);
  d.onTrade(trade(88, T0 + 20_000));
  t.equal(alerts.length, 1);
  t.equal(alerts[0]!.severity, 'critical');
  t.equal(alerts[0]!.threshold, 10);
  t.ok(Math.abs(alerts[0]!.value - 12) < 1e-9);
  t.equal(alerts[0]!.message, 'BTC/USDT on binance traded 88, 12% below its 5-minute mean 100');
});

t.test('the mean is over every trade in the window, not the last price', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  // 10 trades at 100 and 10 at 110: mean 105; 110.25 is 5% above it.
  flat(d, 10, 100, T0);
  flat(d, 10, 110, T0 + 10_000);
  d.onTrade(trade(110.25, T0 + 30_000));
  t.equal(alerts.length, 1);
  t.ok(Math.abs(alerts[0]!.value - 5) < 1e-9);
  t.equal(alerts[0]!.message, 'BTC/USDT on binance traded 110.25, 5% above its 5-minute mean 105');
});

t.test('stays quiet inside the band and until the window holds minTrades trades', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  flat(d, 19, 100, T0);
  d.onTrade(trade(150, T0 + 19_000)); // only 19 trades in the window before it
  t.equal(alerts.length, 0);
  const q = harness(onlyConfig({ priceSpike: {} }));
  flat(q.d, 20, 100, T0);
  q.d.onTrade(trade(104.5, T0 + 20_000));
  q.d.onTrade(trade(95.5, T0 + 21_000)); // 4.7% below the new mean 2104.5 / 21
  t.equal(q.alerts.length, 0);
  const m = harness(onlyConfig({ priceSpike: { minTrades: 3 } }));
  flat(m.d, 3, 100, T0);
  m.d.onTrade(trade(120, T0 + 3_000));
  t.equal(m.alerts.length, 1, 'minTrades is configurable');
});

t.test('the window is the trade’s minute and the four before it', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  flat(d, 20, 100, T0);
  // Minute 4 still sees minute 0: 200 is 100% above.
  d.onTrade(trade(200, T0 + 4 * MIN + 59_000));
  t.equal(alerts.length, 1);
  t.equal(alerts[0]!.value, 100);
  t.equal(alerts[0]!.severity, 'critical');
  // Minute 5 no longer does: one trade (the 200) is short of minTrades.
  const q = harness(onlyConfig({ priceSpike: {} }));
  flat(q.d, 20, 100, T0);
  q.d.onTrade(trade(200, T0 + 5 * MIN));
  t.equal(q.alerts.length, 0);
});

t.test('a late trade older than the window is neither judged nor counted', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: {} }));
  flat(d, 20, 100, T0 + 10 * MIN);
  d.onTrade(trade(1000, T0 + 2 * MIN));
  t.equal(alerts.length, 0, 'the window before a minute-2 trade is gone');
  // Had the 1000 been counted the mean would be 142.86 and 100 would be 30% below it.
  d.onTrade(trade(100, T0 + 10 * MIN + 30_000));
  t.equal(alerts.length, 0);
});

t.test(
  'a late trade inside the window is judged against the buckets up to its own, then counted',
  async (t) => {
    const { d, alerts } = harness(onlyConfig({ priceSpike: { warnPct: 1 }, cooldownMs: 0 }));
    flat(d, 20, 100, T0);
    d.onTrade(trade(100, T0 + 3 * MIN));
    // Minute 0, late: its window is minutes -4..0, so the minute-3 trade is not in its mean of 100.
    d.onTrade(trade(130, T0 + 30_000));
    t.equal(alerts.length, 1);
    t.equal(alerts[0]!.ts, T0 + 30_000);
    t.ok(Math.abs(alerts[0]!.value - 30) < 1e-9);
    // It was counted: at minute 3 the window holds 22 trades summing 2230.
    d.onTrade(trade(100, T0 + 3 * MIN + 1000));
    const mean = 2230 / 22;
    t.equal(alerts.length, 2);
    t.ok(Math.abs(alerts[1]!.value - ((mean - 100) / mean) * 100) < 1e-9);
    t.equal(alerts[1]!.message, 'BTC/USDT on binance traded 100, 1.35% below its 5-minute mean 101.364');
  },
);

t.test('bands, window and bucket width are configurable', async (t) => {
  const { d, alerts } = harness(
    onlyConfig({
      priceSpike: { windowMs: 90_000, bucketMs: 30_000, warnPct: 1, criticalPct: 2, minTrades: 2 },
    }),
  );
  d.onTrade(trade(100, T0));
  d.onTrade(trade(100, T0 + 1000));
  d.onTrade(trade(101.5, T0 + 89_000));
  t.equal(alerts.length, 1);
  t.same(brief(alerts[0]), {
    kind: 'price_spike',
    severity: 'warning',
    ts: T0 + 89_000,
    threshold: 1,
    message: 'BTC/USDT on binance traded 101.5, 1.5% above its 90-second mean 100',
  });
  d.onTrade(trade(150, T0 + 90_000)); // the 30-second bucket at T0 has left the window: only 101.5 remains
  t.equal(alerts.length, 1);
});

t.test('a disabled price-spike detector never fires', async (t) => {
  const { d, alerts } = harness(onlyConfig({ priceSpike: { enabled: false } }));
  flat(d, 20, 100, T0);
  d.onTrade(trade(1000, T0 + 20_000));
  t.equal(alerts.length, 0);
});
