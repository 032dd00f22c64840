import t from 'tap';
import { brief, harness, onlyConfig } from './harness.js';
import { quote, T0, trade } from './record-factory.js';

type Feedable = { onTrade: (x: ReturnType<typeof trade>) => void };

/** `n` trades received one a second from `start` (event times an hour earlier: staleness is about arrival). */
function arrivals(d: Feedable, n: number, start: number, stepMs = 1000): void {
  for (let i = 0; i < n; i++)
    d.onTrade(trade(100, start + i * stepMs - 3_600_000, { recvTs: start + i * stepMs }));
}

t.test('an active symbol silent for afterMs raises one alert per stale episode', async (t) => {
  const { d, alerts } = harness(onlyConfig({ staleFeed: {} }));
  arrivals(d, 10, T0); // last arrival T0 + 9 s
  d.onTimer(T0 + 9_000 + 29_999);
  t.equal(alerts.length, 0);
  d.onTimer(T0 + 39_000);
  t.same(brief(alerts[0]), {
    kind: 'stale_feed',
    severity: 'warning',
    ts: T0 + 39_000,
    threshold: 30_000,
    message:
      'BTC/USDT on binance has had no trade or quote for 30 s (stale after 30 s) after 10 updates in the 60 s before',
  });
  t.equal(alerts[0]!.value, 30_000);
  d.onTimer(T0 + 50_000);
  d.onTimer(T0 + 500_000);
  t.equal(alerts.length, 1, 'once per episode, however long it lasts');
});

t.test(
  'the next arrival ends the episode; a new one alerts once the cooldown (on timer time) allows',
  async (t) => {
    const { d, alerts } = harness(onlyConfig({ staleFeed: {} }));
    arrivals(d, 10, T0);
    d.onTimer(T0 + 39_000); // episode 1
    arrivals(d, 10, T0 + 40_000); // last arrival T0 + 49 s; 20 arrivals in the last 4 buckets of 15 s
    d.onTimer(T0 + 79_000); // episode 2 is 30 s old but the cooldown from T0 + 39 s runs until T0 + 99 s
    t.equal(alerts.length, 1);
    d.onTimer(T0 + 99_000);
    t.equal(alerts.length, 2);
    t.equal(alerts[1]!.value, 50_000);
    t.equal(alerts[1]!.ts, T0 + 99_000);
    t.match(alerts[1]!.message, /for 50 s \(stale after 30 s\) after 20 updates/);
  },
);

t.test('quotes count as arrivals too, by receive time', async (t) => {
  const { d, alerts } = harness(onlyConfig({ staleFeed: {} }));
  for (let i = 0; i < 10; i++) d.onQuote(quote(99, 101, 1, { recvTs: T0 + i * 1000 }));
  d.onTimer(T0 + 39_000);
  t.equal(alerts.length, 1);
  d.onQuote(quote(99, 101, 2, { recvTs: T0 + 40_000 }));
  d.onTimer(T0 + 41_000);
  t.equal(alerts.length, 1);
});

t.test('a symbol that was not active when it went quiet never alerts', async (t) => {
  const few = harness(onlyConfig({ staleFeed: {} }));
  arrivals(few.d, 9, T0);
  few.d.onTimer(T0 + 120_000);
  t.equal(few.alerts.length, 0, '9 updates are fewer than minUpdates 10');
  const slow = harness(onlyConfig({ staleFeed: {} }));
  // One every 12 s up to T0 + 108 s: the buckets T0 + 60…120 s hold only 5 of them.
  arrivals(slow.d, 10, T0, 12_000);
  slow.d.onTimer(T0 + 200_000);
  t.equal(slow.alerts.length, 0);
  const none = harness(onlyConfig({ staleFeed: {} }));
  none.d.onTimer(T0);
  t.equal(none.alerts.length, 0, 'nothing ever arrived');
});

t.test('minUpdates, activeWindowMs, afterMs and severity are configurable', async (t) => {
  const { d, alerts } = harness(
    onlyConfig({ staleFeed: { minUpdates: 2, activeWindowMs: 4_000, afterMs: 1_500, severity: 'critical' } }),
  );
  arrivals(d, 2, T0); // T0 and T0 + 1 s, both in the 4 s window
  d.onTimer(T0 + 2_499);
  t.equal(alerts.length, 0);
  d.onTimer(T0 + 2_500);
  t.equal(alerts.length, 1);
  t.equal(alerts[0]!.severity, 'critical');
  t.equal(alerts[0]!.threshold, 1_500);
  t.equal(
    alerts[0]!.message,
    'BTC/USDT on binance has had no trade or quote for 1.5 s (stale after 1.5 s) after 2 updates in the 4 s before',
  );
});

t.test(
  'an arrival with an older receive time ends the episode but does not rewind the last arrival',
  async (t) => {
    const { d, alerts } = harness(onlyConfig({ staleFeed: {}, cooldownMs: 0 }));
    arrivals(d, 10, T0);
    d.onTimer(T0 + 39_000);
    d.onTrade(trade(100, 1, { recvTs: T0 + 5_000 }));
    d.onTimer(T0 + 40_000);
    t.same(
      alerts.map((a) => a.value),
      [30_000, 31_000],
      'silence is still measured from T0 + 9 s',
    );
  },
);

t.test('a disabled stale-feed detector never fires', async (t) => {
  const { d, alerts } = harness(onlyConfig({ staleFeed: { enabled: false } }));
  arrivals(d, 100, T0);
  d.onTimer(T0 + 10_000_000);
  t.equal(alerts.length, 0);
});
