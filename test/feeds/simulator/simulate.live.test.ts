/**
 * Live infrastructure test: the publisher and the simulate loop against a real nats-server with
 * JetStream. Streams are created here the way the engine creates them (file storage, 2 min
 * duplicate window).
 */
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { type PublishAck, Publisher, type PublishTarget } from '../../../feeds/publisher/index.js';
import { SimulatedMarket } from '../../../feeds/simulator/market.js';
import { runSimulation } from '../../../feeds/simulator/simulate.js';
import {
  decodePayload,
  escapeSymbol,
  type InputRecord,
  partitionOf,
  type Quote,
  type Trade,
} from '../../../schemas/index.js';
import { startNats } from '../../support/servers.js';

const STREAMS = [
  { name: 'MD_TRADES', subject: 'md.trade.>' },
  { name: 'MD_QUOTES', subject: 'md.quote.>' },
];

async function setup(t: Test): Promise<NatsConnection> {
  const nats = await startNats({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  const jsm = await jetstreamManager(nc);
  for (const s of STREAMS) {
    await jsm.streams.add({
      name: s.name,
      subjects: [s.subject],
      storage: StorageType.File,
      duplicate_window: nanos(120_000),
    });
  }
  return nc;
}

interface Stored {
  subject: string;
  msgId: string | undefined;
  records: InputRecord[];
}

async function readStream(nc: NatsConnection, stream: string): Promise<Stored[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const out: Stored[] = [];
  if (info.state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume();
  for await (const m of messages) {
    const d = decodePayload(m.data);
    if (!d.ok) throw new Error(`undecodable message ${m.seq}: ${d.detail}`);
    out.push({
      subject: m.subject,
      msgId: m.headers?.get('Nats-Msg-Id'),
      records: d.records as InputRecord[],
    });
    if (m.info.pending === 0) break;
  }
  return out;
}

function key(r: InputRecord): string {
  return `${r.type}|${r.venue}|${r.symbol}`;
}

/** Records grouped by (kind, venue, symbol), in order. */
function bySymbol(records: Iterable<InputRecord>): Map<string, InputRecord[]> {
  const m = new Map<string, InputRecord[]>();
  for (const r of records) {
    const list = m.get(key(r));
    if (list === undefined) m.set(key(r), [r]);
    else list.push(r);
  }
  return m;
}

function* storedRecords(stored: Stored[]): Generator<InputRecord> {
  for (const s of stored) yield* s.records;
}

t.test('every simulated record arrives exactly once, in per-symbol order, on its partition', async (t) => {
  const nc = await setup(t);
  const o = { seed: 7, symbols: 40, lateFraction: 0.02, lateMaxMs: 300 };
  const summary = await runSimulation({
    natsUrl: 'unused',
    connection: nc,
    rate: 0,
    count: 20_000,
    partitions: 4,
    frameMaxRecords: 32,
    frameMaxDelayMs: 2,
    ...o,
  });
  t.equal(summary.records, 20_000);
  t.equal(summary.stoppedBy, 'count');
  t.same(
    [summary.stats.ackedRecords, summary.stats.failed, summary.stats.rejected, summary.stats.duplicates],
    [20_000, 0, 0, 0],
  );

  const market = new SimulatedMarket({ ...o, ratePerSec: 10_000 });
  const expected: InputRecord[] = [];
  for (let i = 0; i < 20_000; i++) expected.push(market.next());
  const trades = await readStream(nc, 'MD_TRADES');
  const quotes = await readStream(nc, 'MD_QUOTES');
  t.equal(trades.length + quotes.length, summary.stats.acked, 'one stored message per acked frame');
  t.equal(summary.trades, expected.filter((r) => r.type === 'trade').length);

  const got = bySymbol([...storedRecords(trades), ...storedRecords(quotes)]);
  const want = bySymbol(expected);
  t.equal(got.size, want.size, 'every (kind, symbol) present');
  let mismatched = 0;
  for (const [k, list] of want) if (JSON.stringify(got.get(k)) !== JSON.stringify(list)) mismatched++;
  t.equal(mismatched, 0, 'each symbol has exactly its records, each once, in publish order');

  let badSubjects = 0;
  let badIds = 0;
  for (const s of [...trades, ...quotes]) {
    const first = s.records[0]!;
    const last = s.records[s.records.length - 1]!;
    const token = escapeSymbol(first.symbol);
    if (s.subject !== `md.${first.type}.sim.${token}.${partitionOf('sim', token, 4)}`) badSubjects++;
    if (s.msgId !== `sim-7:sim:${token}:${first.type}:${first.seq}-${last.seq}`) badIds++;
  }
  t.equal(badSubjects, 0, 'subject partition token equals partitionOf');
  t.equal(badIds, 0, 'message ids follow <prefix>:<venue>:<symbol>:<kind>:<first>-<last>');
  t.ok(
    trades.some((s) => s.records.length > 1),
    'frames hold several records',
  );
});

t.test('republishing the same frames is de-duplicated by JetStream', async (t) => {
  const nc = await setup(t);
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const publishAll = async () => {
    // Count-bound frames only, so both runs cut the same frames.
    const p = new Publisher(js, {
      partitions: 3,
      frameMaxRecords: 16,
      frameMaxDelayMs: 60_000,
      msgIdPrefix: 'dd',
    });
    const market = new SimulatedMarket({ seed: 9, symbols: 12 });
    for (let i = 0; i < 3000; i++) {
      const w = p.publish(market.next());
      if (w !== undefined) await w;
    }
    await p.close();
    return p.stats();
  };
  const first = await publishAll();
  const stored = async () =>
    (await jsm.streams.info('MD_TRADES')).state.messages +
    (await jsm.streams.info('MD_QUOTES')).state.messages;
  const before = await stored();
  t.equal(before, first.acked);
  t.equal(first.duplicates, 0);
  const second = await publishAll();
  t.equal(second.acked, first.acked, 'the same frames again');
  t.equal(second.duplicates, second.acked, 'every one reported as a duplicate');
  t.equal(await stored(), before, 'the streams hold nothing new');
});

t.test('maxInFlight bounds outstanding acks against a real server', async (t) => {
  const nc = await setup(t);
  const js = jetstream(nc);
  let outstanding = 0;
  let peak = 0;
  const counting: PublishTarget = {
    async publish(subject, payload, options): Promise<PublishAck> {
      outstanding++;
      peak = Math.max(peak, outstanding);
      try {
        return await js.publish(subject, payload, options);
      } finally {
        outstanding--;
      }
    },
  };
  const p = new Publisher(counting, { partitions: 2, frameMaxRecords: 1, maxInFlight: 4 });
  const market = new SimulatedMarket({ seed: 3, symbols: 10 });
  let waits = 0;
  for (let i = 0; i < 2000; i++) {
    const w = p.publish(market.next());
    if (w !== undefined) {
      waits++;
      await w;
    }
  }
  await p.close();
  t.equal(peak, 4, 'the window fills and never overflows');
  t.ok(waits > 0, `the caller was held back ${waits} times`);
  t.equal(p.stats().ackedRecords, 2000);
});

t.test('realtime mode stamps wall-clock times; an abort flushes and stops cleanly', async (t) => {
  const nc = await setup(t);
  const abort = new AbortController();
  const before = Date.now();
  const progress: number[] = [];
  setTimeout(() => abort.abort(), 400);
  const s = await runSimulation({
    natsUrl: 'unused',
    connection: nc,
    rate: 2000,
    symbols: 5,
    seed: 2,
    realtime: true,
    lateFraction: 0.1,
    lateMaxMs: 250,
    signal: abort.signal,
    progressMs: 100,
    onProgress: (st) => progress.push(st.ackedRecords),
  });
  const after = Date.now();
  t.equal(s.stoppedBy, 'signal');
  t.ok(s.records > 300 && s.records < 1300, `about 800 records at 2000/s in 0.4 s (${s.records})`);
  t.equal(s.stats.ackedRecords, s.records, 'everything taken was acked before returning');
  t.ok(progress.length >= 2, `progress reported ${progress.length} times`);
  const trades = [...storedRecords(await readStream(nc, 'MD_TRADES'))] as Trade[];
  const quotes = [...storedRecords(await readStream(nc, 'MD_QUOTES'))] as Quote[];
  t.equal(trades.length + quotes.length, s.records);
  const outside = [...trades, ...quotes].filter((r) => r.recvTs < before || r.recvTs > after).length;
  t.equal(outside, 0, 'recvTs is the wall clock at publish');
  const late = trades.filter((r) => r.ts < r.recvTs);
  t.ok(late.length > 0, `${late.length} late trades`);
  t.ok(
    late.every((r) => r.recvTs - r.ts <= 250),
    'late trades lie behind by at most lateMaxMs',
  );
});

t.test('a missing stream is reported before anything is published', async (t) => {
  const nats = await startNats({ jetstream: true });
  t.teardown(() => nats.stop());
  await t.rejects(runSimulation({ natsUrl: nats.url, rate: 0, symbols: 1, seed: 1, count: 1 }), {
    code: 'TF_ERR_FEED_NO_STREAM',
    message:
      'no JetStream stream captures md.trade.>: start the engine first (it creates MD_TRADES and MD_QUOTES)',
  });
});

t.test('an unreachable server is reported as a connect error', async (t) => {
  await t.rejects(runSimulation({ natsUrl: 'nats://127.0.0.1:1', rate: 0, symbols: 1, seed: 1, count: 1 }), {
    code: 'TF_ERR_FEED_CONNECT',
    message: 'cannot connect to NATS at nats://127.0.0.1:1: connection refused',
  });
});

t.test('publish rate on this machine (measured, not asserted)', async (t) => {
  const nc = await setup(t);
  for (const [label, frameMaxRecords, count] of [
    ['framed (64)', 64, 200_000],
    ['unframed', 1, 50_000],
  ] as const) {
    const s = await runSimulation({
      natsUrl: 'unused',
      connection: nc,
      rate: 0,
      symbols: 200,
      seed: 11,
      count,
      partitions: 8,
      frameMaxRecords,
      msgIdPrefix: `rate-${frameMaxRecords}`,
    });
    t.equal(s.stats.ackedRecords, count, label);
    t.comment(
      `${label}: ${count} records in ${s.elapsedMs} ms = ${Math.round(s.ratePerSec)} records/s, ${s.stats.acked} messages`,
    );
  }
});
