/**
 * Live infrastructure test: thousands of random frames (random bytes as text
 * and binary, random JSON, protocol-shaped JSON with random fields, frames
 * over every size limit) from several clients at once. Afterwards a healthy
 * client must still subscribe and receive updates from a real nats-server,
 * and the gateway must still answer /health.
 */

import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import t from 'tap';
import { candleSubject, encodeRecord } from '../../schemas/index.js';
import { startNats } from '../support/servers.js';
import { candle, startTestGateway, TestClient, until } from './harness.js';

const nats = await startNats({ jetstream: false });
const nc = await connect({ servers: nats.url });
const gw = await startTestGateway({
  natsUrl: nats.url,
  ratePerSecond: 100_000,
  burst: 100_000,
  maxPayloadBytes: 4096,
  maxSubscriptions: 50,
});
t.teardown(async () => {
  await gw.close();
  await nc.close();
  await nats.stop();
});

const packr = new Packr({ useRecords: false });
const opShaped = fc.record(
  {
    op: fc.constantFrom('subscribe', 'unsubscribe', 'ping', 'hello', 'auth', '', 'SUBSCRIBE'),
    id: fc.oneof(fc.string(), fc.integer(), fc.object(), fc.constant(null)),
    channels: fc.oneof(
      fc.array(
        fc.constantFrom('trades', 'quotes', 'alerts', 'candles:1m', 'indicators:5m', 'candles:', 'x'),
        {
          maxLength: 70,
        },
      ),
      fc.anything(),
    ),
    symbols: fc.oneof(
      fc.array(fc.oneof(fc.string(), fc.constantFrom('sim:*', 'sim:A', 'a:b/c')), { maxLength: 70 }),
      fc.anything(),
    ),
    format: fc.oneof(fc.constantFrom('json', 'msgpack'), fc.anything()),
  },
  { requiredKeys: [] },
);

function frames(seed: number, n: number): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  const json = fc.sample(fc.json(), { seed, numRuns: n });
  const ops = fc.sample(opShaped, { seed: seed + 1, numRuns: n });
  for (let i = 0; i < n; i++) {
    switch (i % 6) {
      case 0:
        out.push(randomBytes(1 + (i % 200)));
        break;
      case 1:
        out.push(randomBytes(1 + (i % 200)).toString('latin1'));
        break;
      case 2:
        out.push(json[i]!);
        break;
      case 3:
        out.push(JSON.stringify(ops[i]));
        break;
      case 4:
        out.push(packr.pack(ops[i]));
        break;
      default:
        // Over our limit: payload_too_large.
        out.push(JSON.stringify({ op: 'ping', pad: 'y'.repeat(4000 + (i % 2000)) }));
    }
  }
  return out;
}

t.test('random frames from several clients do not hurt the gateway or a healthy client', async (t) => {
  const CLIENTS = 6;
  const PER_CLIENT = 1500;
  let sent = 0;
  let closedByServer = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, k) => {
      const list = frames(1000 + k, PER_CLIENT);
      const c = await TestClient.connect(gw.port);
      for (const f of list) {
        c.send(f);
        sent++;
        if (sent % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      // A ping after the flood: the connection is still usable.
      c.send({ op: 'ping', id: 'after' });
      await c.next((m) => m.type === 'pong' && m.id === 'after', 20_000);
      c.close();
      // Frames over uWS's own limit close the connection (1009/1006); the process stays up.
      for (let h = 0; h < 3; h++) {
        const big = await TestClient.connect(gw.port);
        big.send(h === 0 ? 'x'.repeat(300_000) : randomBytes(200_000 + h));
        await big.closed();
        closedByServer++;
      }
    }),
  );
  t.equal(sent, CLIENTS * PER_CLIENT);
  t.equal(closedByServer, 3 * CLIENTS, 'every frame over the uWS limit closed its connection');
  const text = await gw.metrics.registry.metrics();
  for (const code of ['bad_json', 'bad_msgpack', 'bad_message', 'unknown_op', 'payload_too_large']) {
    t.match(text, new RegExp(`tickflow_gateway_client_errors_total\\{code="${code}"\\} [1-9]`), code);
  }

  const healthy = await TestClient.connect(gw.port);
  t.teardown(() => healthy.close());
  healthy.send({ op: 'subscribe', channels: ['candles:1m'], symbols: ['fuzz:OK'] });
  await healthy.next((m) => m.type === 'snapshot');
  nc.publish(candleSubject('1m', 'fuzz', 'OK'), encodeRecord(candle('fuzz', 'OK', '1m', 150)));
  const up = await healthy.next((m) => m.type === 'update');
  t.ok(up.type === 'update' && up.seq === 1 && up.data.type === 'candle' && up.data.close === 150);
  const health = await fetch(`http://127.0.0.1:${gw.port}/health`);
  t.equal(health.status, 200);
  await until(() => gw.metrics.counters.connections === 1, 5000);
  t.pass('every fuzzing connection was accounted for on close');
});
