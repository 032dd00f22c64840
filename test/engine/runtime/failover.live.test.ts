import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import t from 'tap';
import { defaultEngineConfig } from '../../../engine/config/index.js';
import { freePorts } from '../../../engine/stack/ports.js';
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

const BIN = new URL('../../../../bin/tickflow.js', import.meta.url).pathname;

/** Who holds each partition lease now (partition -> engine id). */
async function leaseOwners(nc: NatsConnection): Promise<Map<number, string>> {
  const kv = await new Kvm(nc).open('tickflow_leases');
  const owners = new Map<number, string>();
  for await (const key of await kv.keys()) {
    const e = await kv.get(key);
    if (e?.operation !== 'PUT') continue;
    const p = Number(key.split('.').at(-1));
    const value = e.string();
    let owner = value;
    try {
      owner = (JSON.parse(value) as { owner?: string; engineId?: string }).owner ?? value;
    } catch {
      // plain owner id
    }
    owners.set(p, owner);
  }
  return owners;
}

// The file as a whole may take minutes on a loaded CI machine (the .taprc default is 120 s).
t.setTimeout(480_000);

t.test(
  'two engine processes split the partitions; kill -9 one and the other takes over with no loss or duplicates',
  // Real servers and engine processes: minutes, not seconds, on a loaded 2-core CI machine.
  { timeout: 420_000 },
  async (t) => {
    const [nats, qdb] = await Promise.all([startNats({ jetstream: true }), startQuestDb()]);
    const dir = await mkdtemp(join(tmpdir(), 'tf-failover-'));
    const children: ChildProcess[] = [];
    t.teardown(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await Promise.all([nats.stop(), qdb.stop()]);
      await rm(dir, { recursive: true, force: true });
    });
    const nc = await connect({ servers: nats.url });
    t.teardown(() => nc.close());

    const P = 8;
    const ports = await freePorts(2);
    const engines = ['engine-1', 'engine-2'];
    const spawnEngine = async (id: string, port: number): Promise<ChildProcess> => {
      const c = testEngineConfig(nats, qdb, id, P);
      // Production lease timing: the takeover bound below is the one operators get.
      c.engine.leaseTtlMs = defaultEngineConfig().engine.leaseTtlMs;
      c.http.port = port;
      const file = join(dir, `${id}.json`);
      await writeFile(file, JSON.stringify(c));
      const child = spawn(process.execPath, [BIN, 'engine', '--config', file], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', (d: Buffer) => t.comment(`${id}: ${d.toString().trim()}`));
      children.push(child);
      return child;
    };
    const a = await spawnEngine(engines[0]!, ports[0]!);
    t.ok(
      await eventually(async () => (await fetch(`http://127.0.0.1:${ports[0]}/ready`)).ok, 30_000),
      'engine 1 ready',
    );
    await spawnEngine(engines[1]!, ports[1]!);
    const split = await eventually(async () => {
      const owners = await leaseOwners(nc);
      const counts = engines.map((id) => [...owners.values()].filter((o) => o === id).length);
      return owners.size === P && counts[0] === P / 2 && counts[1] === P / 2;
    }, 30_000);
    t.ok(split, 'the partitions split 4/4 between the two engines');

    // Feed trades in waves; kill engine 1 with SIGKILL in the middle of the feed.
    // Event times in the past, so the quiet-symbol timer closes every candle soon after its last trade.
    const end = Date.now() - 65_000;
    const trades = makeTrades(3000, 24, end, 60_000);
    await publishTrades(nc, trades.slice(0, 1500), P);
    await new Promise((r) => setTimeout(r, 1500));
    a.kill('SIGKILL');
    const killedAt = Date.now();
    const feeding = publishTrades(nc, trades.slice(1500), P);
    const tookOver = await eventually(
      async () => {
        const owners = await leaseOwners(nc);
        return owners.size === P && [...owners.values()].every((o) => o === engines[1]);
      },
      20_000,
      100,
    );
    const takeoverMs = Date.now() - killedAt;
    t.ok(tookOver, `engine 2 owns all ${P} partitions ${takeoverMs} ms after the kill`);
    t.ok(takeoverMs <= 10_000, `takeover within 10 s (${takeoverMs} ms)`);
    await feeding;

    const expected = expectedCandles(trades).map(toStored);
    expected.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const exact = await eventually(
      async () => JSON.stringify(await storedCandles(qdb)) === JSON.stringify(expected),
      240_000,
      500,
    );
    t.ok(exact, `QuestDB holds exactly the ${expected.length} candles of one uninterrupted run`);
    if (!exact) t.same(await storedCandles(qdb), expected);
    const stored = await qdb.exec('select count() from trades');
    t.equal(stored.dataset[0]![0], trades.length, 'every trade stored exactly once');
  },
);
