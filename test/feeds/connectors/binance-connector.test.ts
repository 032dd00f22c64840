/**
 * The Binance connector against a local server speaking the Binance spot market-stream protocol.
 * The gap test publishes its alert through a real nats-server (core NATS).
 */
import { connect } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { BinanceConnector, type BinanceConnectorOptions } from '../../../feeds/connectors/index.js';
import { type Alert, decodePayload } from '../../../schemas/index.js';
import { startNats } from '../../support/servers.js';
import { RecordCollector } from './record-collector.js';
import { type BinanceServerOptions, BinanceTestServer } from './servers/binance-server.js';

const FAST_BACKOFF = { baseMs: 20, maxMs: 100 };

async function setup(
  t: Test,
  server: BinanceServerOptions = {},
  o: Partial<BinanceConnectorOptions> = {},
): Promise<{ server: BinanceTestServer; connector: BinanceConnector; sink: RecordCollector }> {
  const srv = await BinanceTestServer.start(server);
  const sink = new RecordCollector();
  const connector = new BinanceConnector({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    sink,
    url: srv.url,
    backoff: FAST_BACKOFF,
    ...o,
  });
  t.teardown(async () => {
    await connector.stop();
    await srv.close();
  });
  connector.start();
  await srv.waitFor(() => connector.subscribed, 10_000, 'subscriptions');
  return { server: srv, connector, sink };
}

t.test('connects to /stream and subscribes with SUBSCRIBE requests carrying ids', async (t) => {
  const { server } = await setup(t);
  t.same(
    server.requests.map((r) => r.request),
    [
      {
        method: 'SUBSCRIBE',
        params: ['btcusdt@trade', 'btcusdt@bookTicker', 'ethusdt@trade', 'ethusdt@bookTicker'],
        id: 1,
      },
    ],
  );
  t.same(server.streamsPerClient(), [4]);
});

t.test(
  'maps trades with the aggressor side (m = buyer is maker -> sell) and bookTicker to quotes',
  async (t) => {
    const { server, sink, connector } = await setup(t);
    const before = Date.now();
    server.trade('BTCUSDT', { price: '0.001', qty: '100', m: true, T: 1_767_607_200_123 });
    server.trade('ETHUSDT', { price: '3150.25', qty: '0.75', m: false, T: 1_767_607_200_456 });
    server.bookTicker('BTCUSDT', { b: '25.35190000', B: '31.21000000', a: '25.36520000', A: '40.66000000' });
    await server.waitFor(() => sink.records.length === 3, 10_000, 'three records');
    const after = Date.now();
    const [a, b, q] = sink.records;
    t.same(
      { ...a, recvTs: 0 },
      {
        v: 1,
        type: 'trade',
        venue: 'binance',
        symbol: 'BTCUSDT',
        price: 0.001,
        size: 100,
        side: 'sell', // the buyer was the maker, so the seller hit the bid
        id: '5001',
        ts: 1_767_607_200_123, // trade time T, not event time E
        recvTs: 0,
        seq: 5001,
      },
    );
    t.equal(b?.type === 'trade' && b.side, 'buy');
    t.equal(b?.type === 'trade' && b.id, '5001', 'trade ids are per symbol');
    t.ok(q!.recvTs >= before && q!.recvTs <= after);
    t.same(q, {
      v: 1,
      type: 'quote',
      venue: 'binance',
      symbol: 'BTCUSDT',
      bidPrice: 25.3519,
      bidSize: 31.21,
      askPrice: 25.3652,
      askSize: 40.66,
      ts: q!.recvTs, // spot bookTicker carries no event time
      recvTs: q!.recvTs,
      seq: 400_900_007,
    });
    t.same([connector.stats().trades, connector.stats().quotes, connector.stats().gaps], [2, 1, 0]);
  },
);

t.test('answers ping frames with pongs echoing the payload', async (t) => {
  const { server } = await setup(t, { pingMs: 100 });
  await server.waitFor(() => server.pongs.length >= 3, 10_000, 'three pongs');
  t.same(server.pongs.slice(0, 3), ['ping-1', 'ping-2', 'ping-3']);
  t.equal(server.pongTimeouts, 0);
  t.equal(server.rateViolations, 0);
});

t.test('the scheduled server disconnect is followed by a reconnect and a resubscribe', async (t) => {
  const { server, sink, connector } = await setup(t, { maxLifetimeMs: 400 });
  await server.waitFor(
    () => connector.stats().reconnects >= 1 && connector.subscribed,
    10_000,
    'the reconnect',
  );
  t.ok(server.connections >= 2);
  const subscribes = server.requests.filter((r) => (r.request as { method: string }).method === 'SUBSCRIBE');
  t.ok(subscribes.length >= 2, 'subscribed again');
  t.same(
    (subscribes[1]!.request as { params: string[] }).params,
    (subscribes[0]!.request as { params: string[] }).params,
  );
  t.equal(server.subscribers('btcusdt@trade'), 1, 'exactly one live subscription');
  server.trade('BTCUSDT', { price: '1', qty: '1', m: false, T: 1_767_607_200_000 });
  await server.waitFor(() => sink.records.length === 1, 10_000, 'a trade on the new connection');
});

t.test('a serverShutdown event makes the client reconnect before the server drops it', async (t) => {
  const { server, connector } = await setup(t);
  server.serverShutdown(2000);
  await server.waitFor(
    () => connector.stats().reconnects === 1 && connector.subscribed,
    3000,
    'the early reconnect',
  );
  t.same(server.clientCloseCodes, [1000], 'the client closed the old connection itself, normally');
  t.equal(connector.stats().serverShutdowns, 1);
  t.equal(server.connections, 2);
});

t.test('spreads streams over connections and paces SUBSCRIBE requests under 5 per second', async (t) => {
  const symbols = ['AAAUSDT', 'BBBUSDT', 'CCCUSDT'];
  const { server, connector } = await setup(
    t,
    {},
    { symbols, maxStreamsPerConnection: 6, streamsPerRequest: 1, messagesPerSecond: 4 },
  );
  t.equal(connector.connections.length, 1);
  t.equal(server.requests.length, 6);
  const at = server.requests.map((r) => r.at);
  t.ok(at[4]! - at[0]! >= 950, `the 5th request waited for the 1 s window (${at[4]! - at[0]!} ms)`);
  t.equal(server.rateViolations, 0);
  t.same(server.streamsPerClient(), [6]);
});

t.test('more streams than one connection allows open several connections', async (t) => {
  const symbols = ['AAAUSDT', 'BBBUSDT', 'CCCUSDT'];
  const { server, connector } = await setup(t, {}, { symbols, maxStreamsPerConnection: 2 });
  t.equal(connector.connections.length, 3);
  t.same(server.streamsPerClient(), [2, 2, 2]);
  t.equal(server.subscribers('bbbusdt@bookTicker'), 1);
});

t.test('a skipped trade id is counted and published as a sequence_gap alert on core NATS', async (t) => {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  const sub = nc.subscribe('md.alert.>');
  await nc.flush();
  const { server, sink, connector } = await setup(t, {}, { alerts: nc });
  server.trade('ETHUSDT', { price: '3000', qty: '1', m: false, T: 1_767_607_200_000 });
  server.skipTrades('ETHUSDT', 2);
  server.trade('ETHUSDT', { price: '3001', qty: '1', m: false, T: 1_767_607_201_000 });
  await server.waitFor(() => sink.records.length === 2, 10_000, 'two trades');
  t.same([connector.stats().gaps, connector.stats().missing], [1, 2]);
  let got: { subject: string; alert: Alert } | undefined;
  for await (const m of sub) {
    const d = decodePayload(m.data);
    got = { subject: m.subject, alert: (d.ok ? d.records[0] : undefined) as Alert };
    break;
  }
  t.same(got, {
    subject: 'md.alert.binance.ETHUSDT',
    alert: {
      v: 1,
      type: 'alert',
      venue: 'binance',
      symbol: 'ETHUSDT',
      kind: 'sequence_gap',
      severity: 'warning',
      ts: 1_767_607_201_000,
      value: 2,
      threshold: 1,
      message: 'binance ETHUSDT: 2 trades missing between ids 5001 and 5004',
    },
  });
});

t.test('a silent server (no pings, no data) is treated as dead and reconnected', async (t) => {
  const { server, connector } = await setup(t, {}, { idleTimeoutMs: 300 });
  await server.waitFor(() => connector.stats().deadConnections >= 1, 3000, 'the dead connection');
  await server.waitFor(
    () => connector.stats().reconnects >= 1 && connector.subscribed,
    3000,
    'the reconnect',
  );
  t.ok(server.connections >= 2);
});

t.test('stop() closes every connection with code 1000 and does not reconnect', async (t) => {
  const { server, connector } = await setup(
    t,
    {},
    { symbols: ['AAAUSDT', 'BBBUSDT'], maxStreamsPerConnection: 2 },
  );
  await connector.stop();
  await server.waitFor(() => server.clientCloseCodes.length === 2, 10_000, 'the closes');
  t.same(server.clientCloseCodes, [1000, 1000]);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(server.connections, 2);
});

t.test('options are validated with sentences naming the option', async (t) => {
  const sink = new RecordCollector();
  t.throws(() => new BinanceConnector({ symbols: ['btcusdt'], sink }), {
    code: 'TF_ERR_CONNECTOR_OPTION',
    message:
      "options.symbols: 'btcusdt' is not a Binance symbol such as BTCUSDT (upper case letters and digits)",
  });
  t.throws(() => new BinanceConnector({ symbols: ['BTCUSDT'], sink, maxStreamsPerConnection: 2000 }), {
    message: 'options.maxStreamsPerConnection must be an integer in [2, 1024], got 2000',
  });
  t.throws(() => new BinanceConnector({ symbols: ['BTCUSDT'], sink, messagesPerSecond: 5 }), {
    message: 'options.messagesPerSecond must be an integer in [1, 4], got 5',
  });
});
