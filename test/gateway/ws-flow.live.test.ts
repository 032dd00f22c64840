/**
 * Live infrastructure test: the WebSocket protocol end to end against a real
 * nats-server: records published on the engine's subjects reach subscribed
 * clients as snapshot, then update with per-stream seq; heartbeats; msgpack
 * mode; venue wildcards; unsubscribe.
 */

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Packr } from 'msgpackr';
import t from 'tap';
import type { Gateway } from '../../gateway/server.js';
import {
  alertSubject,
  candleSubject,
  encodeFrame,
  encodeRecord,
  indicatorSubject,
  tradeSubject,
} from '../../schemas/index.js';
import { startNats } from '../support/servers.js';
import { alert, candle, indicator, startTestGateway, TestClient, trade, until } from './harness.js';

const nats = await startNats({ jetstream: false });
const nc: NatsConnection = await connect({ servers: nats.url });
const gw: Gateway = await startTestGateway({ natsUrl: nats.url, heartbeatMs: 200 });
t.teardown(async () => {
  await gw.close();
  await nc.close();
  await nats.stop();
});

async function publish(subject: string, bytes: Uint8Array): Promise<void> {
  nc.publish(subject, bytes);
  await nc.flush();
}

t.test('subscribe: ack, snapshot from the cache, then updates with consecutive seq', async (t) => {
  // Warm the cache before anyone subscribes.
  await publish(
    candleSubject('1m', 'binance', 'BTC/USDT'),
    encodeRecord(candle('binance', 'BTC/USDT', '1m', 101)),
  );
  await until(() => gw.metrics.counters.recordsIn >= 1);
  const c = await TestClient.connect(gw.port);
  t.teardown(() => c.close());
  c.send({ op: 'subscribe', id: 'a1', channels: ['candles:1m'], symbols: ['binance:BTC/USDT'] });
  const ack = await c.next((m) => m.type === 'ack');
  t.same(ack, {
    type: 'ack',
    id: 'a1',
    op: 'subscribe',
    subscribed: [{ channel: 'candles:1m', symbol: 'binance:BTC/USDT' }],
  });
  const snap = await c.next((m) => m.type === 'snapshot');
  t.equal(snap.type === 'snapshot' && snap.seq, 1, 'snapshot carries the seq of the cached update');
  t.equal(snap.type === 'snapshot' && snap.data.length, 1);
  t.equal(snap.type === 'snapshot' && snap.data[0]!.type === 'candle' && snap.data[0]!.close, 101);

  await publish(
    candleSubject('1m', 'binance', 'BTC/USDT'),
    encodeRecord(candle('binance', 'BTC/USDT', '1m', 102)),
  );
  await publish(
    candleSubject('1m', 'binance', 'BTC/USDT'),
    encodeRecord(candle('binance', 'BTC/USDT', '1m', 103, 1)),
  );
  await until(() => c.messages.filter((m) => m.type === 'update').length >= 2);
  const updates = c.messages.filter((m) => m.type === 'update');
  t.same(
    updates.map(
      (m) => m.type === 'update' && [m.channel, m.symbol, m.seq, m.data.type === 'candle' && m.data.close],
    ),
    [
      ['candles:1m', 'binance:BTC/USDT', 2, 102],
      ['candles:1m', 'binance:BTC/USDT', 3, 103],
    ],
  );
  const last = updates[1]!;
  t.equal(last.type === 'update' && last.data.type === 'candle' && last.data.revision, 1, 'revision travels');
  t.equal(
    last.type === 'update' && last.data.type === 'candle' && last.data.closed,
    false,
    'closed flag travels',
  );
  // Ack comes before snapshot, snapshot before updates.
  const order = c.messages.filter((m) => m.type !== 'heartbeat').map((m) => m.type);
  t.same(order, ['ack', 'snapshot', 'update', 'update']);
});

t.test('heartbeat every period with server time', async (t) => {
  const c = await TestClient.connect(gw.port);
  t.teardown(() => c.close());
  const before = Date.now();
  const hb = await c.next((m) => m.type === 'heartbeat', 2000);
  t.ok(hb.type === 'heartbeat' && hb.ts >= before - 5 && hb.ts <= Date.now() + 5, 'ts is server time');
});

t.test('trades: snapshot holds the recent ring, frames fan out per record', async (t) => {
  const frame = [];
  for (let i = 1; i <= 60; i++) frame.push(trade('sim', 'AAA', i));
  await publish(tradeSubject('sim', 'AAA', 0), encodeFrame(frame));
  await until(() => gw.metrics.counters.recordsIn >= 63);
  const c = await TestClient.connect(gw.port);
  t.teardown(() => c.close());
  c.send({ op: 'subscribe', channels: ['trades'], symbols: ['sim:AAA'] });
  const snap = await c.next((m) => m.type === 'snapshot');
  if (snap.type !== 'snapshot') throw new Error('not a snapshot');
  t.equal(snap.seq, 60);
  t.equal(snap.data.length, 50, 'ring of 50');
  t.same(
    [
      snap.data[0]!.type === 'trade' && snap.data[0]!.id,
      snap.data[49]!.type === 'trade' && snap.data[49]!.id,
    ],
    ['11', '60'],
    'oldest first, the newest 50',
  );
  await publish(
    tradeSubject('sim', 'AAA', 0),
    encodeFrame([trade('sim', 'AAA', 61), trade('sim', 'AAA', 62)]),
  );
  await until(() => c.messages.filter((m) => m.type === 'update').length >= 2);
  t.same(
    c.messages.filter((m) => m.type === 'update').map((m) => m.type === 'update' && m.seq),
    [61, 62],
  );
});

t.test('msgpack mode via ?format=msgpack, and switching with hello', async (t) => {
  const m = await TestClient.connect(gw.port, '?format=msgpack');
  t.teardown(() => m.close());
  const packr = new Packr({ useRecords: false });
  m.send(packr.pack({ op: 'subscribe', channels: ['indicators:5m'], symbols: ['kraken:XBT/EUR'] }));
  await m.next((x) => x.type === 'snapshot');
  await publish(
    indicatorSubject('5m', 'kraken', 'XBT/EUR'),
    encodeRecord(indicator('kraken', 'XBT/EUR', '5m', 7.5)),
  );
  const up = await m.next((x) => x.type === 'update');
  t.ok(up.type === 'update' && up.data.type === 'indicator' && up.data.values['sma20'] === 7.5);
  t.equal(
    up.type === 'update' && up.data.type === 'indicator' && up.data.values['rsi14'],
    null,
    'null survives',
  );

  const j = await TestClient.connect(gw.port);
  t.teardown(() => j.close());
  j.send({ op: 'hello', id: 1, format: 'msgpack' });
  const ack = await j.next((x) => x.type === 'ack');
  t.same(ack, { type: 'ack', id: 1, op: 'hello', format: 'msgpack' });
  j.send({ op: 'subscribe', channels: ['alerts'], symbols: ['kraken:XBT/EUR'] });
  await j.next((x) => x.type === 'snapshot');
  await publish(alertSubject('kraken', 'XBT/EUR'), encodeRecord(alert('kraken', 'XBT/EUR', 9)));
  const au = await j.next((x) => x.type === 'update');
  t.ok(au.type === 'update' && au.data.type === 'alert' && au.data.value === 9);
  t.ok(j.ws.binaryType === 'nodebuffer');
});

t.test('venue wildcard gets every symbol of the venue and nothing else', async (t) => {
  await publish(candleSubject('1s', 'wild', 'X1'), encodeRecord(candle('wild', 'X1', '1s', 110)));
  await until(() => gw.metrics.counters.recordsIn >= 67);
  const c = await TestClient.connect(gw.port);
  t.teardown(() => c.close());
  c.send({ op: 'subscribe', channels: ['candles:1s'], symbols: ['wild:*'] });
  const snap = await c.next((m) => m.type === 'snapshot');
  t.ok(snap.type === 'snapshot' && snap.symbol === 'wild:X1' && snap.seq === 1, 'snapshot per cached symbol');
  await publish(candleSubject('1s', 'wild', 'X2.Y'), encodeRecord(candle('wild', 'X2.Y', '1s', 111)));
  await publish(candleSubject('1s', 'other', 'X1'), encodeRecord(candle('other', 'X1', '1s', 112)));
  await publish(candleSubject('1s', 'wild', 'X1'), encodeRecord(candle('wild', 'X1', '1s', 113)));
  await until(() => c.messages.filter((m) => m.type === 'update').length >= 2);
  await new Promise((r) => setTimeout(r, 100));
  t.same(
    c.messages.filter((m) => m.type === 'update').map((m) => m.type === 'update' && [m.symbol, m.seq]),
    [
      ['wild:X2.Y', 1],
      ['wild:X1', 2],
    ],
  );
});

t.test('unsubscribe stops updates', async (t) => {
  const c = await TestClient.connect(gw.port);
  t.teardown(() => c.close());
  c.send({ op: 'subscribe', channels: ['candles:15m'], symbols: ['u:S'] });
  await c.next((m) => m.type === 'snapshot');
  c.send({ op: 'unsubscribe', id: 'u', channels: ['candles:15m'], symbols: ['u:S'] });
  const ack = await c.next((m) => m.type === 'ack' && m.op === 'unsubscribe');
  t.same(ack, { type: 'ack', id: 'u', op: 'unsubscribe', subscribed: [] });
  await publish(candleSubject('15m', 'u', 'S'), encodeRecord(candle('u', 'S', '15m', 120)));
  c.send({ op: 'ping', id: 'p' });
  await c.next((m) => m.type === 'pong');
  t.equal(c.messages.filter((m) => m.type === 'update').length, 0);
});

t.test('bad payloads on NATS are counted, not forwarded', async (t) => {
  const c = await TestClient.connect(gw.port);
  t.teardown(() => c.close());
  c.send({ op: 'subscribe', channels: ['candles:1h'], symbols: ['bad:S'] });
  await c.next((m) => m.type === 'snapshot');
  await publish(candleSubject('1h', 'bad', 'S'), new Uint8Array([0x92, 0xc1]));
  const broken = { ...candle('bad', 'S', '1h', 100), high: 1 };
  await publish(candleSubject('1h', 'bad', 'S'), encodeRecord(broken));
  await publish(candleSubject('1h', 'bad', 'S'), encodeRecord(candle('bad', 'S', '1h', 130)));
  const up = await c.next((m) => m.type === 'update');
  t.ok(up.type === 'update' && up.seq === 1 && up.data.type === 'candle' && up.data.close === 130);
  const text = await gw.metrics.registry.metrics();
  t.match(text, /tickflow_gateway_drops_total\{reason="nats_undecodable"\} 1/);
  t.match(text, /tickflow_gateway_drops_total\{reason="nats_bad_candle"\} 1/);
});

t.test('with QuestDB unreachable: /ready is 503 and REST answers upstream_unavailable', async (t) => {
  const ready = await fetch(`http://127.0.0.1:${gw.port}/ready`);
  t.equal(ready.status, 503);
  t.same(await ready.json(), { ready: false, nats: true, questdb: false });
  const rest = await fetch(`http://127.0.0.1:${gw.port}/api/v1/symbols`);
  t.equal(rest.status, 503);
  t.same(await rest.json(), {
    error: { code: 'upstream_unavailable', message: 'the history store is unavailable; retry later' },
  });
  const health = await fetch(`http://127.0.0.1:${gw.port}/health`);
  t.same(await health.json(), { status: 'ok', impl: 'uws' });
});
