/**
 * Live infrastructure test: replaying files into a real nats-server with JetStream. Streams are
 * created here the way the engine creates them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { runReplay } from '../../../feeds/replay/index.js';
import { decodePayload, escapeSymbol, type InputRecord, partitionOf } from '../../../schemas/index.js';
import { startNats } from '../../support/servers.js';

const NOW = Date.UTC(2026, 0, 10);
const T0 = Date.UTC(2026, 0, 5, 9);

async function setup(t: Test): Promise<NatsConnection> {
  const nats = await startNats({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  const jsm = await jetstreamManager(nc);
  for (const [name, subject] of [
    ['MD_TRADES', 'md.trade.*.*.*'],
    ['MD_QUOTES', 'md.quote.*.*.*'],
  ] as const) {
    await jsm.streams.add({
      name,
      subjects: [subject],
      storage: StorageType.File,
      duplicate_window: nanos(120_000),
    });
  }
  return nc;
}

async function readStream(
  nc: NatsConnection,
  stream: string,
): Promise<Array<{ subject: string; records: InputRecord[] }>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const out: Array<{ subject: string; records: InputRecord[] }> = [];
  if (info.state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume();
  for await (const m of messages) {
    const d = decodePayload(m.data);
    if (!d.ok) throw new Error(`undecodable message ${m.seq}: ${d.detail}`);
    out.push({ subject: m.subject, records: d.records as InputRecord[] });
    if (m.info.pending === 0) break;
  }
  return out;
}

/** 600 trades and 399 quotes over 5 symbols; line 500 (a quote slot) is bad. */
function ndjsonFile(dir: string): { path: string; lines: string[] } {
  const symbols = ['BTC/USDT', 'ETH/USDT', 'SOL.X', 'AAA', 'B B'];
  const lines: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const symbol = symbols[i % symbols.length]!;
    const ts = T0 + i * 10;
    if (i === 499) {
      lines.push('{"v":1,"type":"trade","venue":"sim"');
      continue;
    }
    lines.push(
      JSON.stringify(
        i % 5 < 3
          ? {
              v: 1,
              type: 'trade',
              venue: 'sim',
              symbol,
              price: 100 + i,
              size: 1,
              side: 'buy',
              id: String(i),
              ts,
              recvTs: ts,
              seq: i,
            }
          : {
              v: 1,
              type: 'quote',
              venue: 'sim',
              symbol,
              bidPrice: 99,
              bidSize: 1,
              askPrice: 101,
              askSize: 2,
              ts,
              recvTs: ts,
            },
      ),
    );
  }
  const path = join(dir, 'records.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, lines };
}

t.test(
  'every replayed record arrives exactly once on its partitioned subject; the bad line is skipped',
  async (t) => {
    const nc = await setup(t);
    const { path, lines } = ndjsonFile(t.testdir());
    const bad: number[] = [];
    const s = await runReplay({
      natsUrl: 'unused',
      connection: nc,
      path,
      partitions: 4,
      frameMaxRecords: 16,
      onBadLine: (n) => bad.push(n),
      now: NOW,
    });
    t.same(bad, [500]);
    t.same(
      [s.records, s.badLines, s.stats.ackedRecords, s.stats.rejected, s.stats.failed],
      [999, 1, 999, 0, 0],
    );
    const stored = [...(await readStream(nc, 'MD_TRADES')), ...(await readStream(nc, 'MD_QUOTES'))];
    const seen = new Map<string, number>();
    let wrongSubject = 0;
    for (const m of stored) {
      for (const r of m.records) {
        const p = partitionOf(r.venue, escapeSymbol(r.symbol), 4);
        if (m.subject !== `md.${r.type}.${r.venue}.${escapeSymbol(r.symbol)}.${p}`) wrongSubject++;
        const k = JSON.stringify(r);
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
    }
    t.equal(wrongSubject, 0, 'every record is on md.<kind>.<venue>.<escaped symbol>.<partition>');
    const expected = lines.filter((_, i) => i !== 499);
    t.equal(seen.size, expected.length, 'every record, no extra');
    let once = 0;
    for (const line of expected) if (seen.get(JSON.stringify(JSON.parse(line))) === 1) once++;
    t.equal(once, expected.length, 'each exactly once');
  },
);

t.test('fail mode publishes the records before the bad line and nothing after', async (t) => {
  const nc = await setup(t);
  const { path } = ndjsonFile(t.testdir());
  const s = await runReplay({
    natsUrl: 'unused',
    connection: nc,
    path,
    onError: 'fail',
    partitions: 2,
    now: NOW,
  });
  t.same([s.stoppedBy, s.records, s.stats.ackedRecords], ['bad_line', 499, 499]);
  const jsm = await jetstreamManager(nc);
  const trades = (await jsm.streams.info('MD_TRADES')).state.messages;
  const quotes = (await jsm.streams.info('MD_QUOTES')).state.messages;
  t.ok(trades + quotes > 0);
  const stored = [...(await readStream(nc, 'MD_TRADES')), ...(await readStream(nc, 'MD_QUOTES'))];
  let n = 0;
  let maxTs = 0;
  for (const m of stored)
    for (const r of m.records) {
      n++;
      maxTs = Math.max(maxTs, r.ts);
    }
  t.equal(n, 499);
  t.equal(maxTs, T0 + 498 * 10, 'the last record stored is the one before the bad line');
});

t.test('an unframed replay of the same file again is de-duplicated by message id', async (t) => {
  const nc = await setup(t);
  const { path } = ndjsonFile(t.testdir());
  const o = { natsUrl: 'unused', connection: nc, path, frameMaxRecords: 1, now: NOW };
  const first = await runReplay(o);
  const again = await runReplay(o);
  t.same([first.stats.acked, first.stats.duplicates], [999, 0]);
  t.same([again.stats.acked, again.stats.duplicates], [999, 999]);
  const jsm = await jetstreamManager(nc);
  const trades = (await jsm.streams.info('MD_TRADES')).state.messages;
  const quotes = (await jsm.streams.info('MD_QUOTES')).state.messages;
  t.same([trades, quotes], [600, 399]); // line 500 (a quote slot) was bad
});

t.test('a missing stream is reported before anything is read', async (t) => {
  const nats = await startNats({ jetstream: true });
  t.teardown(() => nats.stop());
  const { path } = ndjsonFile(t.testdir());
  await t.rejects(runReplay({ natsUrl: nats.url, path }), {
    code: 'TF_ERR_FEED_NO_STREAM',
  });
});
