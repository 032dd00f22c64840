/**
 * Live infrastructure test: stream and consumer provisioning against real nats-server 2.9
 * instances started through test/support.
 */
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { provisionStreams, readPartitionCount, STREAMS } from '../../../engine/nats/index.js';
import { startNats } from '../../support/servers.js';

const MIB = 1024 * 1024;
const SMALL = {
  inputMaxAgeMs: 3_600_000,
  inputMaxBytes: 64 * MIB,
  outMaxBytes: 64 * MIB,
  dlqMaxBytes: 16 * MIB,
  duplicateWindowMs: 60_000,
  ackWaitMs: 10_000,
  maxAckPending: 500,
};

async function server(t: Test): Promise<NatsConnection> {
  const nats = await startNats({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  return nc;
}

t.test('creates the four streams and P consumers per input stream, then is a no-op', async (t) => {
  const nc = await server(t);
  const first = await provisionStreams(nc, { partitions: 4, ...SMALL });
  t.same(first.createdStreams.sort(), ['MD_DLQ', 'MD_OUT', 'MD_QUOTES', 'MD_TRADES']);
  t.equal(first.createdConsumers.length, 8);
  t.same(first.consumers['MD_TRADES'], ['MD_TRADES_p0', 'MD_TRADES_p1', 'MD_TRADES_p2', 'MD_TRADES_p3']);

  const jsm = await jetstreamManager(nc);
  const trades = await jsm.streams.info(STREAMS.trades);
  t.same(trades.config.subjects, ['md.trade.*.*.*']);
  t.equal(trades.config.storage, StorageType.File);
  t.equal(trades.config.max_age, nanos(3_600_000));
  t.equal(trades.config.max_bytes, 64 * MIB);
  t.equal(trades.config.duplicate_window, nanos(60_000));
  t.equal(readPartitionCount(trades), 4);
  const out = await jsm.streams.info(STREAMS.out);
  t.same(out.config.subjects.sort(), ['md.alert.*.*', 'md.candle.*.*.*', 'md.indicator.*.*.*']);
  t.same((await jsm.streams.info(STREAMS.dlq)).config.subjects, ['md.dlq.*.*']);

  const c2 = await jsm.consumers.info(STREAMS.quotes, 'MD_QUOTES_p2');
  t.equal(c2.config.filter_subject, 'md.quote.*.*.2');
  t.equal(c2.config.ack_policy, 'explicit');
  t.equal(c2.config.deliver_policy, 'all');
  t.equal(c2.config.ack_wait, nanos(10_000));
  t.equal(c2.config.max_ack_pending, 500);

  const again = await provisionStreams(nc, { partitions: 4, ...SMALL });
  t.same(again.createdStreams, []);
  t.same(again.updatedStreams, []);
  t.same(again.createdConsumers, []);
  t.same(again.updatedConsumers, []);

  // The duplicate window drops a repeated Nats-Msg-Id; partition filters route by the last token.
  const js = jetstream(nc);
  const a = await js.publish('md.trade.sim.BTC-USD.2', 'x', { msgID: 'trade-1' });
  const b = await js.publish('md.trade.sim.BTC-USD.2', 'x', { msgID: 'trade-1' });
  t.equal(a.duplicate, false);
  t.equal(b.duplicate, true);
  t.equal(b.seq, a.seq);
  t.equal((await jsm.consumers.info(STREAMS.trades, 'MD_TRADES_p2')).num_pending, 1);
  t.equal((await jsm.consumers.info(STREAMS.trades, 'MD_TRADES_p1')).num_pending, 0);
});

t.test('two engines provisioning at once both succeed and leave one consistent setup', async (t) => {
  const nats = await startNats({ jetstream: true });
  const a = await connect({ servers: nats.url });
  const b = await connect({ servers: nats.url });
  t.teardown(async () => {
    await a.close();
    await b.close();
    await nats.stop();
  });
  const [ra, rb] = await Promise.all([
    provisionStreams(a, { partitions: 8, ...SMALL }),
    provisionStreams(b, { partitions: 8, ...SMALL }),
  ]);
  t.same(ra.consumers, rb.consumers);
  const jsm = await jetstreamManager(a);
  const names: string[] = [];
  for await (const s of jsm.streams.list()) names.push(s.config.name);
  t.same(names.sort(), ['MD_DLQ', 'MD_OUT', 'MD_QUOTES', 'MD_TRADES']);
  for (const stream of [STREAMS.trades, STREAMS.quotes]) {
    const consumers: string[] = [];
    for await (const c of jsm.consumers.list(stream)) consumers.push(c.name);
    t.equal(consumers.length, 8, `${stream} has exactly 8 consumers`);
  }
});

t.test('a different P is refused naming both counts, and changes nothing', async (t) => {
  const nc = await server(t);
  await provisionStreams(nc, { partitions: 4, ...SMALL });
  const err = await provisionStreams(nc, { partitions: 6, ...SMALL }).then(
    () => null,
    (e: unknown) => e as Error & { code?: string },
  );
  t.equal(err?.code, 'TF_ERR_NATS_PARTITION_MISMATCH');
  t.match(err?.message ?? '', /MD_TRADES was created with 4 partitions but this engine was started with 6/);
  const jsm = await jetstreamManager(nc);
  const consumers: string[] = [];
  for await (const c of jsm.consumers.list(STREAMS.trades)) consumers.push(c.name);
  t.equal(consumers.length, 4);
});

t.test('changed limits update streams and consumers in place', async (t) => {
  const nc = await server(t);
  await provisionStreams(nc, { partitions: 2, ...SMALL });
  const r = await provisionStreams(nc, {
    partitions: 2,
    ...SMALL,
    inputMaxAgeMs: 7_200_000,
    inputMaxBytes: 128 * MIB,
    ackWaitMs: 20_000,
    maxAckPending: 1000,
  });
  t.same(r.updatedStreams.sort(), ['MD_QUOTES', 'MD_TRADES']);
  t.same(r.updatedConsumers.sort(), ['MD_QUOTES_p0', 'MD_QUOTES_p1', 'MD_TRADES_p0', 'MD_TRADES_p1']);
  const jsm = await jetstreamManager(nc);
  const s = await jsm.streams.info(STREAMS.quotes);
  t.equal(s.config.max_age, nanos(7_200_000));
  t.equal(s.config.max_bytes, 128 * MIB);
  const c = await jsm.consumers.info(STREAMS.trades, 'MD_TRADES_p1');
  t.equal(c.config.ack_wait, nanos(20_000));
  t.equal(c.config.max_ack_pending, 1000);
});

t.test('conflicting immutable settings and foreign streams are reported clearly', async (t) => {
  const nc = await server(t);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'MD_DLQ', subjects: ['md.dlq.*.*'], storage: StorageType.Memory });
  const dlq = await provisionStreams(nc, { partitions: 2, ...SMALL }).catch((e: unknown) => e as Error);
  t.match(dlq, { code: 'TF_ERR_NATS_STREAM_CONFLICT' });
  t.match((dlq as Error).message, /MD_DLQ exists with settings.*storage is memory, tickflow needs file/);
  const names: string[] = [];
  for await (const n of jsm.streams.names()) names.push(n);
  t.same(names, ['MD_DLQ'], 'a refusal creates nothing');
  await jsm.streams.delete('MD_DLQ');

  await jsm.streams.add({ name: 'MD_TRADES', subjects: ['md.trade.*.*.*'], description: 'someone else' });
  const foreign = await provisionStreams(nc, { partitions: 2, ...SMALL }).catch((e: unknown) => e as Error);
  t.match(foreign, { code: 'TF_ERR_NATS_STREAM_CONFLICT' });
  t.match((foreign as Error).message, /MD_TRADES exists but records no partition count/);

  await jsm.streams.delete('MD_TRADES');
  await jsm.streams.add({ name: 'OTHER', subjects: ['md.trade.>'] });
  const overlap = await provisionStreams(nc, { partitions: 2, ...SMALL }).catch((e: unknown) => e as Error);
  t.match(overlap, { code: 'TF_ERR_NATS_STREAM_CONFLICT' });
  t.match((overlap as Error).message, /cannot create stream MD_TRADES over md\.trade\.\*\.\*\.\*: .*overlap/);
});

t.test('options are validated eagerly with the key named', async (t) => {
  const nc = await server(t);
  await t.rejects(provisionStreams(nc, { partitions: 0 }), {
    code: 'TF_ERR_NATS_OPTION',
    message: 'options.partitions must be an integer in [1, 4096], got 0',
  });
  await t.rejects(provisionStreams(nc, { partitions: 2, inputMaxAgeMs: 10_000, duplicateWindowMs: 60_000 }), {
    code: 'TF_ERR_NATS_OPTION',
    message: 'options.duplicateWindowMs (60000) must not exceed options.inputMaxAgeMs (10000)',
  });
});

t.test(
  'replicas above 1 on a single server are refused with the server named reason, creating nothing',
  async (t) => {
    const nc = await server(t);
    const err = await provisionStreams(nc, { partitions: 2, ...SMALL, replicas: 3 }).catch(
      (e: unknown) => e as Error,
    );
    t.ok(err instanceof Error, 'refused');
    t.match((err as Error).message, /MD_TRADES/, 'the sentence names the stream');
    t.match((err as Error).message, /replicas|cluster/i, 'and why');
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const n of jsm.streams.names()) names.push(n);
    t.same(names, [], 'nothing was created');
  },
);
