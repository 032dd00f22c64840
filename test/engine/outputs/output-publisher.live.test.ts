/**
 * Live infrastructure test: the output publisher against a real nats-server started through
 * test/support; a subscriber decodes what it receives.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import t from 'tap';
import { OutputPublisher } from '../../../engine/outputs/index.js';
import { type Alert, type Candle, decodePayload, type IndicatorSnapshot } from '../../../schemas/index.js';
import { type NatsHandle, startNats } from '../../support/servers.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 0);

const candle: Candle = {
  v: 1,
  type: 'candle',
  venue: 'sim',
  symbol: 'BTC/USDT',
  interval: '1m',
  start: T0,
  end: T0 + 60_000,
  open: 100,
  high: 105.5,
  low: 99.25,
  close: 104,
  volume: 3,
  notional: 309,
  vwap: 103,
  trades: 3,
  buyVolume: 2,
  sellVolume: 1,
  firstTradeTs: T0 + 1000.5,
  lastTradeTs: T0 + 4000,
  closed: true,
  revision: 2,
};
const indicator: IndicatorSnapshot = {
  v: 1,
  type: 'indicator',
  venue: 'sim',
  symbol: 'BRK.B',
  interval: '5s',
  ts: T0,
  closed: false,
  revision: 0,
  values: { sma20: 101.5, rsi14: null },
};
const alert: Alert = {
  v: 1,
  type: 'alert',
  venue: 'sim',
  symbol: 'ES Z6',
  kind: 'crossed_quote',
  severity: 'critical',
  ts: T0 + 5,
  value: -0.5,
  threshold: 0,
  message: 'Bid 101 is above ask 100.5.',
};

let nats: NatsHandle;
t.before(async () => {
  nats = await startNats({ jetstream: false });
});
t.teardown(async () => {
  await nats?.stop();
});

async function collect(nc: NatsConnection, subject: string, n: number, timeoutMs = 5000): Promise<Msg[]> {
  const got: Msg[] = [];
  const sub = nc.subscribe(subject, { max: n, timeout: timeoutMs });
  for await (const m of sub) got.push(m);
  return got;
}

t.test('subscribers decode exactly the published records on their subjects', async (t) => {
  const pubConn = await connect({ servers: nats.url });
  const subConn = await connect({ servers: nats.url });
  t.teardown(async () => {
    await pubConn.close();
    await subConn.close();
  });
  const received = collect(subConn, 'md.>', 3);
  await subConn.flush();
  const publisher = new OutputPublisher(pubConn);
  publisher.publish(candle);
  publisher.publish(indicator);
  publisher.publish(alert);
  const msgs = await received;
  t.same(
    msgs.map((m) => m.subject),
    ['md.candle.1m.sim.BTC~2FUSDT', 'md.indicator.5s.sim.BRK~2EB', 'md.alert.sim.ES~20Z6'],
  );
  const decoded = msgs.map((m) => decodePayload(m.data));
  t.same(decoded, [
    { ok: true, records: [candle] },
    { ok: true, records: [indicator] },
    { ok: true, records: [alert] },
  ]);
  t.same(
    { ...publisher.counts, bytes: publisher.counts.bytes > 0 },
    { candle: 1, indicator: 1, alert: 1, skipped: 0, errors: 0, bytes: true },
  );
  // The second record of a symbol reuses the cached subject.
  const again = collect(subConn, 'md.candle.>', 1);
  await subConn.flush();
  publisher.publishCandle({ ...candle, close: 103, revision: 3 });
  const [m] = await again;
  t.equal(m?.subject, 'md.candle.1m.sim.BTC~2FUSDT');
  t.same(decodePayload(m!.data), { ok: true, records: [{ ...candle, close: 103, revision: 3 }] });
});

t.test('disabled kinds are skipped and counted', async (t) => {
  const nc = await connect({ servers: nats.url });
  t.teardown(() => nc.close());
  const received = collect(nc, 'md.>', 1);
  await nc.flush();
  const publisher = new OutputPublisher(nc, { kinds: ['alert'] });
  t.equal(publisher.publishCandle(candle), false);
  t.equal(publisher.publishIndicator(indicator), false);
  t.equal(publisher.publishAlert(alert), true);
  const [m] = await received;
  t.equal(m?.subject, 'md.alert.sim.ES~20Z6');
  t.same(publisher.counts, { ...publisher.counts, candle: 0, indicator: 0, alert: 1, skipped: 2, errors: 0 });
  t.throws(() => new OutputPublisher(nc, { kinds: ['trade' as 'alert'] }), {
    code: 'TF_ERR_OUTPUT_OPTION',
    message: /options\.kinds holds "trade"/,
  });
});

t.test('a frozen server shows as pending bytes and congestion; publish never blocks', async (t) => {
  const own = await startNats({ jetstream: false });
  const nc = await connect({ servers: own.url, pingInterval: 60_000 });
  let resumed = false;
  t.teardown(async () => {
    if (!resumed) own.resume();
    await nc.close();
    await own.stop();
  });
  const publisher = new OutputPublisher(nc, { maxPendingBytes: 1024 * 1024 });
  await nc.flush();
  t.equal(publisher.pendingBytes(), 0);
  t.equal(publisher.isCongested(), false);
  own.pause();
  const big: Alert = { ...alert, message: 'x'.repeat(100_000) };
  const started = performance.now();
  for (let i = 0; i < 400; i++) publisher.publishAlert({ ...big, ts: T0 + i });
  const ms = performance.now() - started;
  t.comment(`400 publishes of 100 kB to a frozen server took ${ms.toFixed(1)} ms`);
  t.equal(publisher.counts.alert, 400);
  // Let the client hand its buffer to the socket; what the kernel cannot take stays queued.
  await sleep(200);
  const pending = publisher.pendingBytes();
  t.comment(`pending bytes while frozen: ${pending}`);
  t.ok(pending > 1024 * 1024, 'bytes pile up in the client');
  t.equal(publisher.isCongested(), true);
  own.resume();
  resumed = true;
  await nc.flush();
  t.equal(publisher.pendingBytes(), 0, 'drained once the server answers');
  t.equal(publisher.isCongested(), false);
});

t.test('publishing on a closed connection counts an error instead of throwing', async (t) => {
  const nc = await connect({ servers: nats.url });
  const publisher = new OutputPublisher(nc);
  await nc.close();
  t.equal(publisher.publishCandle(candle), false);
  publisher.publish(alert);
  t.equal(publisher.counts.errors, 2);
  t.equal(publisher.counts.candle, 0);
  t.equal(publisher.counts.alert, 0);
  t.match(publisher.lastError?.message, /closed/i);
});
