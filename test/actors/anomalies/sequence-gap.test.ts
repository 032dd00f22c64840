import t from 'tap';
import { brief, harness, onlyConfig } from './harness.js';
import { quote, T0, trade } from './record-factory.js';

const tradeSeq = (seq: number, ts = T0) => trade(100, ts, { seq });
const quoteSeq = (seq: number, ts = T0) => quote(99, 101, ts, { seq });

t.test('a jump forward alerts with the number of missing records', async (t) => {
  const { d, alerts } = harness(onlyConfig({ sequenceGap: {} }));
  for (const s of [1, 2, 3]) d.onTrade(tradeSeq(s));
  d.onTrade(tradeSeq(7, T0 + 5));
  t.same(brief(alerts[0]), {
    kind: 'sequence_gap',
    severity: 'warning',
    ts: T0 + 5,
    threshold: 1,
    message: 'BTC/USDT on binance trade sequence jumped from 3 to 7: 3 missing',
  });
  t.equal(alerts[0]!.value, 3);
  t.same(d.stats, { alerts: 1, seqGaps: 1, seqDuplicates: 0 });
});

t.test(
  'duplicates and out-of-order numbers are counted, not alerted, and do not move the sequence',
  async (t) => {
    const { d, alerts } = harness(onlyConfig({ sequenceGap: {} }));
    for (const s of [10, 11, 11, 9, 12]) d.onTrade(tradeSeq(s));
    t.equal(alerts.length, 0);
    t.same(d.stats, { alerts: 0, seqGaps: 0, seqDuplicates: 2 });
  },
);

t.test('trades and quotes follow separate sequences', async (t) => {
  const { d, alerts } = harness(onlyConfig({ sequenceGap: {}, cooldownMs: 0 }));
  d.onTrade(tradeSeq(1));
  d.onQuote(quoteSeq(500));
  d.onTrade(tradeSeq(2));
  d.onQuote(quoteSeq(501));
  t.equal(alerts.length, 0);
  d.onQuote(quoteSeq(503));
  t.equal(alerts[0]!.message, 'BTC/USDT on binance quote sequence jumped from 501 to 503: 1 missing');
});

t.test('records without seq are ignored', async (t) => {
  const { d, alerts } = harness(onlyConfig({ sequenceGap: {} }));
  d.onTrade(tradeSeq(1));
  d.onTrade(trade(100, T0));
  d.onTrade(tradeSeq(2));
  t.equal(alerts.length, 0);
  t.same(d.stats, { alerts: 0, seqGaps: 0, seqDuplicates: 0 });
});

t.test('gaps smaller than minMissing are counted only; severity is configurable', async (t) => {
  const { d, alerts } = harness(onlyConfig({ sequenceGap: { minMissing: 5, severity: 'critical' } }));
  d.onTrade(tradeSeq(1));
  d.onTrade(tradeSeq(5)); // 3 missing
  t.equal(alerts.length, 0);
  d.onTrade(tradeSeq(11)); // 5 missing
  t.equal(alerts.length, 1);
  t.equal(alerts[0]!.severity, 'critical');
  t.equal(alerts[0]!.threshold, 5);
  t.equal(alerts[0]!.value, 5);
  t.same(d.stats, { alerts: 1, seqGaps: 2, seqDuplicates: 0 });
});

t.test('gaps within the cooldown are counted but held back', async (t) => {
  const { d, alerts } = harness(onlyConfig({ sequenceGap: {} }));
  d.onTrade(tradeSeq(1, T0));
  d.onTrade(tradeSeq(3, T0 + 1000));
  d.onTrade(tradeSeq(5, T0 + 2000));
  d.onTrade(tradeSeq(7, T0 + 61_000));
  t.same(
    alerts.map((a) => a.ts),
    [T0 + 1000, T0 + 61_000],
  );
  t.equal(d.stats.seqGaps, 3);
});

t.test('a disabled sequence-gap detector neither alerts nor counts', async (t) => {
  const { d, alerts } = harness(onlyConfig({ sequenceGap: { enabled: false } }));
  for (const s of [1, 100, 50]) d.onTrade(tradeSeq(s));
  t.equal(alerts.length, 0);
  t.same(d.stats, { alerts: 0, seqGaps: 0, seqDuplicates: 0 });
});
