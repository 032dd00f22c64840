import { Registry } from 'prom-client';
import t from 'tap';
import { startOpsServer } from '../../../engine/http/ops-server.js';
import { createEngineMetrics } from '../../../engine/observability/index.js';

t.test('ops endpoints over real HTTP', async (t) => {
  const registry = new Registry();
  const metrics = createEngineMetrics({ registry, version: '1.2.3' });
  metrics.partitionsOwned.set(3);
  let natsUp = false;
  let lag = 0;
  const server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    version: '1.2.3',
    checks: {
      nats: () => natsUp,
      questdb: async () => true,
      partitions: () => {
        throw new Error('boom');
      },
      slow: () => new Promise<boolean>(() => {}),
    },
    checkTimeoutMs: 50,
    eventLoopLagMs: () => lag,
  });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  t.ok(server.port > 0);

  const m = await fetch(`${base}/metrics`);
  t.equal(m.status, 200);
  t.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  t.match(await m.text(), /\ntickflow_engine_partitions_owned 3\n/);

  const h = await fetch(`${base}/health`);
  t.equal(h.status, 200);
  t.match(await h.json(), { status: 'ok', version: '1.2.3', uptimeSeconds: 0, eventLoopLagMs: 0 });
  lag = 1500;
  const h2 = await fetch(`${base}/health`);
  t.equal(h2.status, 503);
  t.match(await h2.json(), { status: 'event loop unresponsive', eventLoopLagMs: 1500 });

  const r = await fetch(`${base}/ready`);
  t.equal(r.status, 503);
  t.same(await r.json(), {
    ready: false,
    failing: ['nats', 'partitions', 'slow'],
    checks: { nats: false, questdb: true, partitions: false, slow: false },
  });

  t.equal((await fetch(`${base}/nope`)).status, 404);
  const post = await fetch(`${base}/metrics`, { method: 'POST' });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET, HEAD');
  natsUp = true;
});

t.test('/ready is 200 when every check passes', async (t) => {
  const registry = new Registry();
  const server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    version: 'v',
    checks: { nats: () => true },
  });
  t.teardown(() => server.close());
  const r = await fetch(`http://127.0.0.1:${server.port}/ready`);
  t.equal(r.status, 200);
  t.same(await r.json(), { ready: true, failing: [], checks: { nats: true } });
});
