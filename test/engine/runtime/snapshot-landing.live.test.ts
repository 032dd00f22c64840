/**
 * A periodic snapshot waits, inside the partition's lock, until every processed batch has
 * landed in QuestDB. It must hurry that flush: waiting out `engine.flushIntervalMs` instead
 * stalled the partition's processing, and so its live outputs, for up to that long (seen as
 * ~1 s spikes in the harness's publish -> NATS p99.9 once the interval became 1 s).
 */
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { startEngine } from '../../../engine/runtime/engine-main.js';
import type { Candle } from '../../../schemas/index.js';
import { decodePayload } from '../../../schemas/index.js';
import { startNats, startQuestDb } from '../../support/servers.js';
import { eventually, makeTrades, publishTrades, testEngineConfig } from './engine-harness.js';

t.setTimeout(240_000);

const FLUSH_INTERVAL_MS = 20_000;

t.test('a snapshot lands the waiting rows at once instead of stalling its partition', async (t) => {
  const [nats, qdb] = await Promise.all([startNats({ jetstream: true }), startQuestDb()]);
  t.teardown(() => Promise.all([nats.stop(), qdb.stop()]));
  const nc = await connect({ servers: nats.url });
  t.teardown(() => nc.close());

  const P = 2;
  const config = testEngineConfig(nats, qdb, 'snapshot-landing', P);
  config.engine.flushIntervalMs = FLUSH_INTERVAL_MS;
  config.engine.snapshotEveryMessages = 1;
  config.engine.snapshotIntervalMs = 600_000;
  const engine = await startEngine(config);
  t.teardown(() => engine.stop());

  // The newest trade count seen per 1s candle of the one symbol, from core NATS.
  const seen = new Map<number, number>();
  const sub = nc.subscribe('md.candle.1s.>');
  void (async () => {
    for await (const m of sub) {
      const d = decodePayload(m.data);
      if (!d.ok) continue;
      for (const r of d.records as Candle[]) seen.set(r.start, Math.max(seen.get(r.start) ?? 0, r.trades));
    }
  })();
  const total = () => [...seen.values()].reduce((a, b) => a + b, 0);

  // Three messages of one symbol, one after another, in one 1s candle each far from the others.
  const [a, b, c] = makeTrades(3, 1, Date.now(), 3);
  const waves = [a!, b!, c!].map((trade, i) => ({ ...trade, ts: trade.ts - (3 - i) * 10_000 }));
  for (const [i, trade] of waves.entries()) {
    const sent = Date.now();
    await publishTrades(nc, [trade], P);
    t.ok(await eventually(async () => total() >= i + 1, 60_000, 10), `message ${i + 1} reached NATS`);
    const took = Date.now() - sent;
    // Each message triggers a snapshot; from the second one on, the writer's next flush would
    // wait out the 20 s interval. The third message must not queue behind that wait.
    t.ok(took < FLUSH_INTERVAL_MS / 4, `in ${took} ms`);
  }
});
