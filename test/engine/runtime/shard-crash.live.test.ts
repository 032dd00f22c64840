import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { startEngine } from '../../../engine/runtime/engine-main.js';
import { startNats, startQuestDb } from '../../support/servers.js';
import {
  eventually,
  expectedCandles,
  makeTrades,
  publishTrades,
  storedCandles,
  testEngineConfig,
  toStored,
} from './engine-harness.js';

// Real servers and worker threads: allow minutes on a loaded CI machine.
t.setTimeout(480_000);

t.test('a shard thread that dies is restarted and its partitions recover exactly', async (t) => {
  const [nats, qdb] = await Promise.all([startNats({ jetstream: true }), startQuestDb()]);
  t.teardown(() => Promise.all([nats.stop(), qdb.stop()]));
  const nc = await connect({ servers: nats.url });
  t.teardown(() => nc.close());
  const P = 4;
  const engine = await startEngine(testEngineConfig(nats, qdb, 'crash', P));
  t.teardown(() => engine.stop());

  const now = Date.now();
  const trades = makeTrades(2400, 16, now - 70_000, 60_000);
  await publishTrades(nc, trades.slice(0, 1200), P);
  // Let shard 0 process some of it (and snapshot), then kill its thread with an uncaught error.
  await new Promise((r) => setTimeout(r, 1500));
  await engine.supervisor.crashShard(0);
  t.pass('shard 0 died and its replacement took its partitions back');
  await publishTrades(nc, trades.slice(1200), P);

  const expected = expectedCandles(trades).map(toStored);
  expected.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const exact = await eventually(
    async () => JSON.stringify(await storedCandles(qdb)) === JSON.stringify(expected),
    240_000,
    500,
  );
  t.ok(exact, `QuestDB holds exactly the ${expected.length} candles of a run without the crash`);
  if (!exact) t.same(await storedCandles(qdb), expected);
  const stored = await qdb.exec('select count() from trades');
  t.equal(stored.dataset[0]![0], trades.length, 'every trade stored exactly once');
  const metrics = await (await fetch(`http://127.0.0.1:${engine.opsPort}/metrics`)).text();
  t.match(metrics, /tickflow_engine_worker_restarts_total\{shard="0"\} 1/, 'the restart is counted');
});
