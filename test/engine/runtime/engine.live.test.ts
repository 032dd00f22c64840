import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { startEngine } from '../../../engine/runtime/engine-main.js';
import type { Trade } from '../../../schemas/index.js';
import {
  decodePayload,
  encodeFrame,
  escapeSymbol,
  partitionOf,
  tradeSubject,
} from '../../../schemas/index.js';
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

// The file as a whole may take minutes on a loaded CI machine (the .taprc default is 120 s).
t.setTimeout(480_000);

t.test(
  'trades on JetStream become candles in QuestDB and on NATS; bad input is dead-lettered; restart resumes',
  // Real servers and engine processes: minutes, not seconds, on a loaded 2-core CI machine.
  { timeout: 420_000 },
  async (t) => {
    const [nats, qdb] = await Promise.all([startNats({ jetstream: true }), startQuestDb()]);
    t.teardown(() => Promise.all([nats.stop(), qdb.stop()]));
    const nc = await connect({ servers: nats.url });
    t.teardown(() => nc.close());

    const P = 4;
    const engine = await startEngine(testEngineConfig(nats, qdb, 'engine-a', P));
    let engineB: Awaited<ReturnType<typeof startEngine>> | null = null;
    t.teardown(async () => {
      await engine.stop();
      await engineB?.stop();
    });
    t.same(engine.supervisor.owned(), [0, 1, 2, 3], 'a lone engine owns every partition');

    // Outputs on core NATS, as a trading algorithm would consume them.
    const outputs: { subject: string; type: string }[] = [];
    const sub = nc.subscribe('md.>');
    void (async () => {
      for await (const m of sub) {
        if (!m.subject.startsWith('md.candle.') && !m.subject.startsWith('md.indicator.')) continue;
        const d = decodePayload(m.data);
        if (d.ok)
          for (const r of d.records) outputs.push({ subject: m.subject, type: (r as { type: string }).type });
      }
    })();

    const now = Date.now();
    // Event times in the past: once the feed stops, the partition's clock moves on from its newest
    // trade, and the quiet-symbol timer closes every candle soon after.
    const first = makeTrades(1500, 12, now - 120_000, 40_000);
    await publishTrades(nc, first, P);

    // Bad input: undecodable bytes, and a frame with one bad record among good ones.
    const js = jetstream(nc);
    const p0 = partitionOf('test', escapeSymbol('SYM0/USD'), P);
    await js.publish(tradeSubject('test', 'SYM0/USD', p0), new Uint8Array([0xc1, 0xff, 0x00]));
    const extra: Trade[] = [
      { ...first[0]!, id: '900001', ts: now - 120_500, recvTs: now - 120_500 },
      { ...first[0]!, id: '900002', price: -5, ts: now - 120_400, recvTs: now - 120_400 },
    ];
    await js.publish(tradeSubject('test', 'SYM0/USD', p0), encodeFrame(extra));
    const good = [...first, extra[0]!];

    const expected = expectedCandles(
      [...good].sort((a, b) => a.ts - b.ts || Number(a.id) - Number(b.id)),
    ).map(toStored);
    expected.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const t0 = Date.now();
    const landed = await eventually(
      async () => (await storedCandles(qdb)).length === expected.length,
      240_000,
    );
    t.comment(`first batch landed in ${Date.now() - t0} ms`);
    t.ok(landed, `QuestDB holds ${expected.length} closed candles`);
    t.same(await storedCandles(qdb), expected, 'exactly the candles the actors give, no loss, no duplicates');
    const trades = await qdb.exec('select count() from trades');
    t.equal(trades.dataset[0]![0], good.length, 'every valid trade stored once');

    const jsm = await jetstreamManager(nc);
    const dlq = await jsm.streams.info('MD_DLQ');
    t.equal(
      dlq.state.messages,
      2,
      'two dead letters: the undecodable message and the frame with a bad record',
    );
    const dl = await js.consumers.get('MD_DLQ');
    const m = await dl.next({ expires: 2000 });
    t.ok(m?.headers?.get('Tf-Reason'), `reason header: ${m?.headers?.get('Tf-Reason')}`);

    t.ok(
      outputs.some((o) => o.type === 'candle'),
      'candle updates published on core NATS',
    );
    t.ok(
      outputs.some((o) => o.type === 'indicator'),
      'indicator snapshots published on core NATS',
    );

    // Graceful stop writes snapshots; a new engine resumes from them and continues exactly.
    const t1 = Date.now();
    await engine.stop();
    engineB = await startEngine(testEngineConfig(nats, qdb, 'engine-b', P));
    t.comment(`stop and restart took ${Date.now() - t1} ms`);
    const t2 = Date.now();
    const later = makeTrades(600, 12, now - 65_000, 20_000, 500_000);
    await publishTrades(nc, later, P);
    const all = [...good, ...later].sort((a, b) => a.ts - b.ts || Number(a.id) - Number(b.id));
    const expectedAll = expectedCandles(all).map(toStored);
    expectedAll.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const resumed = await eventually(async () => {
      const rows = await storedCandles(qdb);
      return JSON.stringify(rows) === JSON.stringify(expectedAll);
    }, 240_000);
    t.comment(`second batch landed in ${Date.now() - t2} ms`);
    t.ok(
      resumed,
      'after a restart from snapshots QuestDB holds exactly the candles of one uninterrupted run',
    );
    if (!resumed) t.same(await storedCandles(qdb), expectedAll);
    sub.unsubscribe();
  },
);
