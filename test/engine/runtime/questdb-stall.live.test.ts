import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { freePort } from '../../../engine/stack/ports.js';
import { Publisher } from '../../../feeds/publisher/index.js';
import { startNats, startQuestDb } from '../../support/servers.js';
import {
  eventually,
  expectedCandles,
  makeTrades,
  storedCandles,
  testEngineConfig,
  toStored,
} from './engine-harness.js';

const BIN = new URL('../../../../bin/tickflow.js', import.meta.url).pathname;
/** The bound this test holds the engine to while QuestDB is frozen (resident set of the whole process). */
const RSS_BOUND_BYTES = 400 * 2 ** 20;
const STALL_MS = 20_000;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) * 1024 : 0;
}

// The file as a whole may take minutes on a loaded CI machine (the .taprc default is 120 s).
t.setTimeout(480_000);

t.test(
  'QuestDB frozen for 20 s under a full-rate feed: bounded memory, no crash, exact candles after it resumes',
  // Real servers and engine processes: minutes, not seconds, on a loaded 2-core CI machine.
  { timeout: 420_000 },
  async (t) => {
    const [nats, qdb] = await Promise.all([startNats({ jetstream: true }), startQuestDb()]);
    const dir = await mkdtemp(join(tmpdir(), 'tf-stall-'));
    let engine: ChildProcess | null = null;
    t.teardown(async () => {
      qdb.resume();
      if (engine && engine.exitCode === null) engine.kill('SIGKILL');
      await Promise.all([nats.stop(), qdb.stop()]);
      await rm(dir, { recursive: true, force: true });
    });
    const nc = await connect({ servers: nats.url });
    t.teardown(() => nc.close());

    const P = 4;
    const config = testEngineConfig(nats, qdb, 'stall', P);
    config.http.port = await freePort();
    const file = join(dir, 'engine.json');
    await writeFile(file, JSON.stringify(config));
    engine = spawn(process.execPath, [BIN, 'engine', '--config', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let crashed = false;
    engine.on('exit', (code, signal) => {
      crashed = true;
      t.comment(`engine exited: code ${code} signal ${signal}`);
    });
    t.ok(
      await eventually(async () => (await fetch(`http://127.0.0.1:${config.http.port}/ready`)).ok, 30_000),
      'engine ready',
    );

    // Event times in the past, so the quiet-symbol timer closes every candle soon after its last trade.
    const trades = makeTrades(60_000, 200, Date.now() - 65_000, 120_000);
    const publisher = new Publisher(jetstream(nc), {
      partitions: P,
      frameMaxRecords: 32,
      frameMaxDelayMs: 2,
    });
    const pid = engine.pid!;
    let peak = 0;
    const sampler = setInterval(() => {
      if (!crashed) peak = Math.max(peak, rssOf(pid));
    }, 200);
    t.teardown(() => clearInterval(sampler));

    // Feed everything as fast as JetStream takes it; freeze QuestDB shortly after the feed starts.
    let stalledAt = 0;
    const freeze = setTimeout(() => {
      qdb.pause();
      stalledAt = Date.now();
      t.comment('QuestDB frozen (SIGSTOP)');
    }, 1500);
    const feedStart = Date.now();
    for (const trade of trades) {
      const wait = publisher.publish(trade);
      if (wait) await wait;
    }
    await publisher.flush();
    const fedMs = Date.now() - feedStart;
    t.comment(`fed ${trades.length} trades in ${fedMs} ms`);
    clearTimeout(freeze);
    if (stalledAt === 0) {
      qdb.pause();
      stalledAt = Date.now();
    }
    const left = STALL_MS - (Date.now() - stalledAt);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    const stalledPeak = peak;
    qdb.resume();
    t.comment(`QuestDB resumed after ${Date.now() - stalledAt} ms`);

    const expected = expectedCandles(trades).map(toStored);
    expected.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const exact = await eventually(
      async () => JSON.stringify(await storedCandles(qdb)) === JSON.stringify(expected),
      240_000,
      1000,
    );
    t.notOk(crashed, 'the engine kept running');
    t.ok(
      stalledPeak < RSS_BOUND_BYTES,
      `engine RSS peaked at ${(stalledPeak / 2 ** 20).toFixed(0)} MiB during the stall (bound ${RSS_BOUND_BYTES / 2 ** 20} MiB)`,
    );
    t.ok(exact, `after the stall QuestDB holds exactly the ${expected.length} expected candles`);
    if (!exact) t.same(await storedCandles(qdb), expected);
    const stored = await qdb.exec('select count() from trades');
    t.equal(stored.dataset[0]![0], trades.length, 'every trade stored exactly once');
    const metrics = await (await fetch(`http://127.0.0.1:${config.http.port}/metrics`)).text();
    t.match(metrics, /tickflow_engine_sink_flush_errors_total \d+/, 'flush errors were counted');
    engine.kill('SIGTERM');
  },
);
