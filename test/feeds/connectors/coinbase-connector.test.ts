/**
 * The Coinbase connector against a local server speaking the Coinbase Exchange feed protocol.
 */
import t, { type Test } from 'tap';
import { CoinbaseConnector, type ConnectorStats } from '../../../feeds/connectors/index.js';
import { AlertCollector, RecordCollector } from './record-collector.js';
import { CoinbaseTestServer } from './servers/coinbase-server.js';

const FAST_BACKOFF = { baseMs: 20, maxMs: 100 };

async function setup(
  t: Test,
  o: { heartbeatMs?: number; heartbeatTimeoutMs?: number } = {},
): Promise<{
  server: CoinbaseTestServer;
  connector: CoinbaseConnector;
  sink: RecordCollector;
  alerts: AlertCollector;
}> {
  const server = await CoinbaseTestServer.start({ heartbeatMs: o.heartbeatMs ?? 50 });
  const sink = new RecordCollector();
  const alerts = new AlertCollector();
  const connector = new CoinbaseConnector({
    products: ['BTC-USD', 'ETH-USD'],
    sink,
    alerts,
    url: server.url,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 1000,
    backoff: FAST_BACKOFF,
  });
  t.teardown(async () => {
    await connector.stop();
    await server.close();
  });
  connector.start();
  await server.waitFor(() => connector.subscribed, 5000, 'subscriptions');
  return { server, connector, sink, alerts };
}

function pick(s: ConnectorStats, keys: Array<keyof ConnectorStats>): Partial<ConnectorStats> {
  const out: Partial<ConnectorStats> = {};
  for (const k of keys) (out as Record<string, unknown>)[k] = s[k];
  return out;
}

t.test('subscribes to heartbeat, matches and ticker for every product', async (t) => {
  const { server } = await setup(t);
  t.same(server.received, [
    { type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channels: ['heartbeat', 'matches', 'ticker'] },
  ]);
  t.equal(server.subscribers('matches', 'ETH-USD'), 1);
  t.equal(server.subscribers('heartbeat', 'BTC-USD'), 1);
});

t.test('maps a match to a trade with the aggressor side (the opposite of the maker side)', async (t) => {
  const { server, sink, connector } = await setup(t);
  const before = Date.now();
  server.match('BTC-USD', {
    price: '400.23',
    size: '5.23512',
    side: 'sell',
    time: '2014-11-07T08:19:27.028459Z',
  });
  server.match('ETH-USD', {
    price: '1285.22',
    size: '0.5',
    side: 'buy',
    time: '2022-10-19T23:28:22.061769Z',
  });
  await server.waitFor(() => sink.records.length === 2, 10_000, 'two trades');
  const after = Date.now();
  const [a, b] = sink.trades();
  t.ok(a!.recvTs >= before && a!.recvTs <= after, 'recvTs is the local receive time');
  t.same(
    { ...a, recvTs: 0 },
    {
      v: 1,
      type: 'trade',
      venue: 'coinbase',
      symbol: 'BTC-USD',
      price: 400.23,
      size: 5.23512,
      side: 'buy', // maker sold, so the taker bought
      id: '1',
      ts: Date.UTC(2014, 10, 7, 8, 19, 27) + 28.459,
      recvTs: 0,
      seq: 1004, // 1000 + 4: the server spends 3 sequence numbers on book events per match
    },
  );
  t.equal(b!.side, 'sell', 'maker bought, so the taker sold');
  t.equal(b!.ts, Date.UTC(2022, 9, 19, 23, 28, 22) + 61.769);
  t.equal(b!.symbol, 'ETH-USD');
  t.same(pick(connector.stats(), ['trades', 'gaps', 'badMessages']), { trades: 2, gaps: 0, badMessages: 0 });
});

t.test('maps a ticker to a quote of the best bid and ask', async (t) => {
  const { server, sink } = await setup(t);
  server.ticker('ETH-USD', {
    price: '1285.22',
    bestBid: '1285.04',
    bestBidSize: '0.46688654',
    bestAsk: '1285.27',
    bestAskSize: '1.56637040',
    time: '2022-10-19T23:28:22.061769Z',
  });
  await server.waitFor(() => sink.records.length === 1, 10_000, 'a quote');
  const q = sink.quotes()[0]!;
  t.same(
    { ...q, recvTs: 0 },
    {
      v: 1,
      type: 'quote',
      venue: 'coinbase',
      symbol: 'ETH-USD',
      bidPrice: 1285.04,
      bidSize: 0.46688654,
      askPrice: 1285.27,
      askSize: 1.5663704,
      ts: Date.UTC(2022, 9, 19, 23, 28, 22) + 61.769,
      recvTs: 0,
      seq: 1001,
    },
  );
});

t.test('a skipped trade id is counted, logged and published as a sequence_gap alert', async (t) => {
  const { server, sink, alerts, connector } = await setup(t);
  const time = '2026-01-05T10:00:00.000000Z';
  server.match('BTC-USD', { price: '100', size: '1', side: 'buy', time });
  server.skipTrades('BTC-USD', 3);
  server.match('BTC-USD', { price: '101', size: '1', side: 'buy', time: '2026-01-05T10:00:01.500000Z' });
  await server.waitFor(() => sink.records.length === 2, 10_000, 'two trades');
  t.same(
    sink.trades().map((x) => x.id),
    ['1', '5'],
  );
  t.same(pick(connector.stats(), ['gaps', 'missing']), { gaps: 1, missing: 3 });
  t.equal(alerts.alerts.length, 1);
  t.same(alerts.alerts[0], {
    subject: 'md.alert.coinbase.BTC-USD',
    alert: {
      v: 1,
      type: 'alert',
      venue: 'coinbase',
      symbol: 'BTC-USD',
      kind: 'sequence_gap',
      severity: 'warning',
      ts: Date.UTC(2026, 0, 5, 10, 0, 1, 500),
      value: 3,
      threshold: 1,
      message: 'coinbase BTC-USD: 3 trades missing between ids 1 and 5',
    },
  });
});

t.test(
  'a server disconnect is followed by a reconnect and a new subscribe; missed trades show as a gap',
  async (t) => {
    const { server, sink, alerts, connector } = await setup(t);
    const time = '2026-01-05T10:00:00.000000Z';
    server.match('BTC-USD', { price: '100', size: '1', side: 'sell', time });
    await server.waitFor(() => sink.records.length === 1, 10_000, 'the first trade');
    server.disconnectAll(1001, 'going away');
    // Not `clientCount === 0`: with full-jitter backoff the client may be back before a poll sees zero.
    await server.waitFor(() => connector.stats().disconnects === 1, 10_000, 'the disconnect');
    // Two trades happen while the client is away; on resubscribe last_match carries trade 3.
    server.match('BTC-USD', { price: '101', size: '1', side: 'sell', time });
    server.match('BTC-USD', { price: '102', size: '1', side: 'sell', time });
    await server.waitFor(
      () => connector.stats().reconnects === 1 && connector.subscribed,
      10_000,
      'the resubscribe',
    );
    await server.waitFor(() => sink.records.length === 2, 10_000, 'the last_match');
    t.equal(server.connections, 2);
    t.equal(server.received.length, 2, 'subscribed again on the new socket');
    t.same(server.received[1], server.received[0]);
    t.same(
      sink.trades().map((x) => [x.id, x.price]),
      [
        ['1', 100],
        ['3', 102],
      ],
    );
    t.same(pick(connector.stats(), ['connects', 'reconnects', 'disconnects', 'gaps', 'missing']), {
      connects: 2,
      reconnects: 1,
      disconnects: 1,
      gaps: 1,
      missing: 1,
    });
    t.equal(alerts.alerts[0]?.alert.value, 1);
  },
);

t.test('missing heartbeats drop the connection, which then reconnects', async (t) => {
  const { server, connector } = await setup(t, { heartbeatMs: 50, heartbeatTimeoutMs: 1000 });
  server.setHeartbeats(false);
  await server.waitFor(() => connector.stats().deadConnections === 1, 4000, 'the dead connection');
  server.setHeartbeats(true);
  await server.waitFor(
    () => connector.stats().reconnects === 1 && connector.subscribed,
    4000,
    'the reconnect',
  );
  t.equal(server.connections, 2);
  t.equal(server.received.length, 2);
  // Heartbeats flow again: the connection stays up for longer than the timeout.
  await new Promise((r) => setTimeout(r, 1300));
  t.equal(connector.stats().deadConnections, 1);
});

t.test('a duplicate match (same trade id) after a reconnect is dropped, not republished', async (t) => {
  const { server, sink, connector } = await setup(t);
  server.match('BTC-USD', { price: '100', size: '1', side: 'sell', time: '2026-01-05T10:00:00.000000Z' });
  await server.waitFor(() => sink.records.length === 1, 10_000, 'the trade');
  server.disconnectAll();
  await server.waitFor(
    () => connector.stats().reconnects === 1 && connector.subscribed,
    10_000,
    'the resubscribe',
  );
  await server.waitFor(() => connector.stats().stale === 1, 10_000, 'the stale last_match');
  t.equal(sink.records.length, 1);
  t.equal(connector.stats().gaps, 0);
});

t.test('stop() closes with code 1000 and does not reconnect', async (t) => {
  const { server, connector } = await setup(t);
  await connector.stop();
  await server.waitFor(() => server.clientCloseCodes.length === 1, 10_000, 'the close');
  t.same(server.clientCloseCodes, [1000]);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(server.connections, 1);
  t.equal(connector.stats().reconnects, 0);
});

t.test('an unknown product is refused by the venue and reported', async (t) => {
  const server = await CoinbaseTestServer.start({ heartbeatMs: 50, products: ['BTC-USD'] });
  const connector = new CoinbaseConnector({
    products: ['BTC-USD', 'XYZ-USD'],
    sink: new RecordCollector(),
    url: server.url,
    backoff: FAST_BACKOFF,
  });
  t.teardown(async () => {
    await connector.stop();
    await server.close();
  });
  connector.start();
  await server.waitFor(() => connector.stats().subscribeErrors === 1, 10_000, 'the error');
  t.equal(connector.stats().lastError, 'Failed to subscribe: XYZ-USD is not a valid product');
  t.equal(connector.subscribed, false);
});

t.test('options are validated with sentences naming the option', async (t) => {
  const sink = new RecordCollector();
  t.throws(() => new CoinbaseConnector({ products: [], sink }), {
    code: 'TF_ERR_CONNECTOR_OPTION',
    message: 'options.products must name at least one product',
  });
  t.throws(() => new CoinbaseConnector({ products: ['btcusd'], sink }), {
    message: "options.products: 'btcusd' is not a Coinbase product id such as BTC-USD",
  });
  t.throws(() => new CoinbaseConnector({ products: ['BTC-USD'], sink, heartbeatTimeoutMs: 10 }), {
    message: 'options.heartbeatTimeoutMs must be a number >= 1000 (heartbeats come every second), got 10',
  });
});
