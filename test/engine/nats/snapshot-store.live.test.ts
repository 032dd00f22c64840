/**
 * Live infrastructure test: chunked snapshots in NATS KV against a real nats-server 2.9.
 */
import { performance } from 'node:perf_hooks';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import t from 'tap';
import { SnapshotStore } from '../../../engine/nats/index.js';
import { startNats } from '../../support/servers.js';

const MIB = 1024 * 1024;

/** Deterministic bytes that do not compress or repeat per chunk. */
function payload(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function chunkKeys(nc: NatsConnection): Promise<string[]> {
  const kv = await new Kvm(nc).open('tickflow_snapshots');
  const keys: string[] = [];
  for await (const k of await kv.keys('snap.*.*.*.*')) keys.push(k);
  return keys.sort();
}

t.test('a 5 MB snapshot round-trips in chunks; the hash check refuses corrupt or partial ones', async (t) => {
  const nats = await startNats({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  const warnings: string[] = [];
  const store = await SnapshotStore.open(nc, { warn: (m) => warnings.push(m) });
  t.equal(store.options.chunkBytes, 512 * 1024);

  t.equal(await store.get('MD_TRADES', 0), null, 'no snapshot yet');
  t.same(warnings, [], 'absence is not a warning');

  const five = payload(5 * MIB, 7);
  let start = performance.now();
  const m1 = await store.put('MD_TRADES', 0, 1234, five);
  const putMs = performance.now() - start;
  t.match(m1, { gen: 1, seq: 1234, chunks: 10, chunkBytes: 512 * 1024, bytes: 5 * MIB });
  t.match(m1.sha256, /^[0-9a-f]{64}$/);
  start = performance.now();
  const got = await store.get('MD_TRADES', 0);
  const getMs = performance.now() - start;
  t.equal(got?.seq, 1234);
  t.equal(got?.bytes.length, 5 * MIB);
  t.ok(got !== null && Buffer.compare(got.bytes, five) === 0, 'same bytes back');
  t.comment(`5 MiB snapshot: put ${putMs.toFixed(1)} ms, get ${getMs.toFixed(1)} ms`);

  // A second generation replaces the first, whose chunks are purged after the switch.
  const smaller = payload(1_300_000, 9);
  const m2 = await store.put('MD_TRADES', 0, 2000, smaller);
  t.match(m2, { gen: 2, seq: 2000, chunks: 3, bytes: 1_300_000 });
  t.same(await chunkKeys(nc), ['snap.MD_TRADES.0.2.0', 'snap.MD_TRADES.0.2.1', 'snap.MD_TRADES.0.2.2']);
  const got2 = await store.get('MD_TRADES', 0);
  t.equal(got2?.seq, 2000);
  t.ok(got2 !== null && Buffer.compare(got2.bytes, smaller) === 0);

  // Other partitions and streams are independent; an empty snapshot is a snapshot.
  await store.put('MD_QUOTES', 0, 5, new Uint8Array(0));
  t.same(await store.get('MD_QUOTES', 0), { seq: 5, bytes: new Uint8Array(0) });
  t.equal((await store.get('MD_TRADES', 0))?.seq, 2000);

  const kv = await new Kvm(nc).open('tickflow_snapshots');
  // Same length, different bytes: only the hash can tell.
  await kv.put('snap.MD_TRADES.0.2.1', payload(512 * 1024, 99));
  t.equal(await store.get('MD_TRADES', 0), null, 'corrupt chunk: no snapshot');
  t.match(warnings.at(-1), /snap\.MD_TRADES\.0 is incomplete \(SHA-256 does not match the manifest\)/);

  await store.put('MD_TRADES', 0, 3000, smaller);
  await kv.delete('snap.MD_TRADES.0.3.2');
  t.equal(await store.get('MD_TRADES', 0), null, 'missing chunk: no snapshot');
  t.match(warnings.at(-1), /chunk 2 of 3 is missing/);

  // A writer that died after its chunks but before its manifest leaves the old snapshot readable;
  // the next put purges its leftovers.
  await store.put('MD_TRADES', 1, 10, payload(2000, 1));
  await kv.put('snap.MD_TRADES.1.2.0', payload(100, 2));
  t.equal((await store.get('MD_TRADES', 1))?.seq, 10);
  await store.put('MD_TRADES', 1, 20, payload(2000, 3));
  t.same(
    (await chunkKeys(nc)).filter((k) => k.startsWith('snap.MD_TRADES.1.')),
    ['snap.MD_TRADES.1.2.0'],
    'gen 2 rewritten by the next put, nothing else left',
  );
  t.equal((await store.get('MD_TRADES', 1))?.seq, 20);
});

t.test('two writers racing on one partition: exactly one wins, the other gets a conflict', async (t) => {
  const nats = await startNats({ jetstream: true });
  const a = await connect({ servers: nats.url });
  const b = await connect({ servers: nats.url });
  t.teardown(async () => {
    await a.close();
    await b.close();
    await nats.stop();
  });
  const sa = await SnapshotStore.open(a, { chunkBytes: 64 * 1024 });
  const sb = await SnapshotStore.open(b, { chunkBytes: 64 * 1024 });
  const bytes = payload(300_000, 5);
  const results = await Promise.allSettled([
    sa.put('MD_TRADES', 3, 100, bytes),
    sb.put('MD_TRADES', 3, 200, bytes),
  ]);
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r) => r.status === 'rejected');
  t.equal(won.length, 1);
  t.equal(lost.length, 1);
  t.match((lost[0] as PromiseRejectedResult).reason, { code: 'TF_ERR_NATS_SNAPSHOT_CONFLICT' });
  const winnerSeq = (won[0] as PromiseFulfilledResult<{ seq: number }>).value.seq;
  const got = await sa.get('MD_TRADES', 3);
  t.equal(got?.seq, winnerSeq);
  t.ok(got !== null && Buffer.compare(got.bytes, bytes) === 0);
});

t.test('bad arguments are refused', async (t) => {
  const nats = await startNats({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  const store = await SnapshotStore.open(nc);
  await t.rejects(store.put('MD.TRADES', 0, 1, new Uint8Array(1)), { code: 'TF_ERR_NATS_OPTION' });
  await t.rejects(store.put('MD_TRADES', -1, 1, new Uint8Array(1)), { code: 'TF_ERR_NATS_OPTION' });
  await t.rejects(store.put('MD_TRADES', 0, 1.5, new Uint8Array(1)), {
    code: 'TF_ERR_NATS_OPTION',
    message: 'seq must be a non-negative integer, got 1.5',
  });
  await t.rejects(SnapshotStore.open(nc, { chunkBytes: 10 }), {
    code: 'TF_ERR_NATS_OPTION',
    message: 'options.chunkBytes must be an integer in [1024, 67108864], got 10',
  });
});
