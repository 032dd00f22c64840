/**
 * Live infrastructure test: real nats-server and QuestDB started through test/support, then the
 * stack CLI's up/status/down on free ports. Needs nats-server, Java 17+ and Maven (for the first
 * QuestDB jar fetch); `.ci/run` installs them.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { startNatsServer } from '../../engine/stack/nats-server.js';
import { repoRoot } from '../../engine/stack/options.js';
import { freePorts, isPortFree } from '../../engine/stack/ports.js';
import { startNats, startQuestDb } from '../support/servers.js';

const execFileAsync = promisify(execFile);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Pids whose command line mentions `needle` (our servers name their data dir in their arguments). */
function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

t.test('startNats: JetStream stores and replays, extra config applies, stop leaves nothing', async (t) => {
  const nats = await startNats({ config: 'mappings: { "in.*": "out.{{wildcard(1)}}" }' });
  t.teardown(() => nats.stop());
  t.match(nats.url, /^nats:\/\/127\.0\.0\.1:[0-9]+$/);
  t.not(nats.port, 4222, 'never the machine NATS port');
  t.equal(pidsMentioning(nats.dataDir).length, 1, 'one server process runs for this data dir');

  const nc = await connect({ servers: nats.url });
  t.equal(nc.info?.max_payload, 8 * 1024 * 1024, 'max_payload is 8MB');
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'T', subjects: ['out.>'] });
  const js = jetstream(nc);
  // Published on in.a, stored as out.a through the mapping appended to the config.
  const ack1 = await js.publish('in.a', encoder.encode('first'));
  const ack2 = await js.publish('out.b', encoder.encode('second'));
  t.same([ack1.stream, ack1.seq, ack2.seq], ['T', 1, 2]);
  const info = await jsm.streams.info('T');
  t.equal(info.state.messages, 2);
  const consumer = await js.consumers.get('T');
  const m1 = await consumer.next({ expires: 5000 });
  const m2 = await consumer.next({ expires: 5000 });
  t.same(
    [m1?.subject, m1 && decoder.decode(m1.data), m2?.subject, m2 && decoder.decode(m2.data)],
    ['out.a', 'first', 'out.b', 'second'],
  );
  await nc.close();

  const jsz = (await (await fetch(`http://127.0.0.1:${nats.monitorPort}/jsz`)).json()) as {
    streams: number;
    messages: number;
    config: { store_dir: string };
  };
  t.same([jsz.streams, jsz.messages], [1, 2], 'monitor /jsz reports the stream');
  t.equal(jsz.config.store_dir, join(nats.dataDir, 'nats', 'jetstream'), 'store lives in the data dir');

  await nats.stop();
  t.same(pidsMentioning(nats.dataDir), [], 'no process left');
  t.ok(await isPortFree(nats.port), 'client port free');
  t.ok(await isPortFree(nats.monitorPort), 'monitor port free');
  t.notOk(existsSync(nats.dataDir), 'data dir removed');
  await nats.stop();
  t.pass('stop twice is harmless');
});

t.test('startNats: pause holds the server silent, resume brings it back, kill ends it', async (t) => {
  const nats = await startNats({ jetstream: false });
  t.teardown(() => nats.stop());
  const varz = () => fetch(`http://127.0.0.1:${nats.monitorPort}/varz`, { signal: AbortSignal.timeout(500) });
  t.equal((await varz()).status, 200);
  const jsz = (await (await fetch(`http://127.0.0.1:${nats.monitorPort}/jsz`)).json()) as {
    disabled?: boolean;
  };
  t.equal(jsz.disabled, true, 'jetstream: false disables JetStream');
  nats.pause();
  await t.rejects(varz(), 'a paused server does not answer');
  nats.resume();
  t.equal((await varz()).status, 200, 'answers again after resume');
  nats.kill();
  for (let i = 0; i < 100 && pidsMentioning(nats.dataDir).length > 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  t.same(pidsMentioning(nats.dataDir), [], 'kill ends the process');
  t.ok(existsSync(nats.dataDir), 'kill keeps the data dir for inspection until stop');
  await nats.stop();
  t.notOk(existsSync(nats.dataDir));
});

t.test('startQuestDb: answers SQL, writes and reads rows, stop leaves nothing', async (t) => {
  const qdb = await startQuestDb();
  t.teardown(() => qdb.stop());
  t.equal(qdb.ilpUrl, `http::addr=127.0.0.1:${qdb.httpPort};`);
  t.equal(qdb.httpUrl, `http://127.0.0.1:${qdb.httpPort}`);
  const one = await qdb.exec('select 1 as x');
  t.same(one, { columns: [{ name: 'x', type: 'INT' }], dataset: [[1]], count: 1 });

  await qdb.exec(
    'create table t (ts timestamp, sym symbol, px double) timestamp(ts) partition by day wal dedup upsert keys(ts, sym)',
  );
  await qdb.exec("insert into t values ('2024-01-01T00:00:00.000000Z', 'BTC', 42000.5)");
  // Same key again: DEDUP UPSERT keeps one row with the newer price.
  await qdb.exec("insert into t values ('2024-01-01T00:00:00.000000Z', 'BTC', 42001.25)");
  await qdb.exec("insert into t values ('2024-01-01T00:00:01.000000Z', 'ETH', 2200)");
  let rows = await qdb.exec('select sym, px from t order by ts');
  // WAL tables apply asynchronously; poll briefly.
  for (let i = 0; i < 100 && rows.count < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
    rows = await qdb.exec('select sym, px from t order by ts');
  }
  t.same(rows.dataset, [
    ['BTC', 42001.25],
    ['ETH', 2200],
  ]);
  t.same(rows.columns, [
    { name: 'sym', type: 'SYMBOL' },
    { name: 'px', type: 'DOUBLE' },
  ]);
  await t.rejects(qdb.exec('select nope from t'), { code: 'TF_ERR_STACK_SQL' }, 'SQL errors carry a code');

  qdb.pause();
  await t.rejects(fetch(`${qdb.httpUrl}/exec?query=select%201`, { signal: AbortSignal.timeout(500) }));
  qdb.resume();
  t.equal((await qdb.exec('select 2 y')).dataset[0]?.[0], 2, 'answers after resume');

  await qdb.stop();
  t.same(pidsMentioning(qdb.dataDir), [], 'no JVM left');
  for (const port of [qdb.httpPort, qdb.pgPort]) t.ok(await isPortFree(port), `port ${port} free`);
  t.notOk(existsSync(qdb.dataDir), 'data dir removed');
});

t.test('stack CLI: up is idempotent, status reports, down stops everything', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-stack-'));
  const ports = await freePorts(5);
  const env = {
    ...process.env,
    TICKFLOW_STACK_DIR: dataDir,
    TICKFLOW_NATS_PORT: String(ports[0]),
    TICKFLOW_NATS_MONITOR_PORT: String(ports[1]),
    TICKFLOW_QDB_HTTP_PORT: String(ports[2]),
    TICKFLOW_QDB_PG_PORT: String(ports[3]),
    TICKFLOW_QDB_ILP_PORT: String(ports[4]),
  };
  const cli = join(repoRoot(), 'build', 'engine', 'stack', 'cli.js');
  const run = async (...args: string[]) => {
    try {
      const { stdout } = await execFileAsync(process.execPath, [cli, ...args], { env });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  };
  t.teardown(async () => {
    await run('down');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const up = await run('up');
  t.equal(up.code, 0, up.stdout);
  t.match(
    up.stdout,
    new RegExp(`nats-server: v[0-9.]+ ready in [0-9]+ ms .*nats://127\\.0\\.0\\.1:${ports[0]}`),
  );
  t.match(
    up.stdout,
    new RegExp(`QuestDB 9\\.3\\.4 on Java [0-9]+ .*ready in [0-9]+ ms .*http://127\\.0\\.0\\.1:${ports[2]}`),
  );
  const natsPid = Number(readFileSync(join(dataDir, 'nats.pid'), 'utf8'));
  const qdbPid = Number(readFileSync(join(dataDir, 'questdb.pid'), 'utf8'));

  const again = await run('up');
  t.equal(again.code, 0);
  t.match(again.stdout, `nats-server already running (pid ${natsPid})`);
  t.match(again.stdout, `QuestDB already running (pid ${qdbPid})`);

  const status = await run('status');
  t.equal(status.code, 0, status.stdout);
  t.match(
    status.stdout,
    `nats: running, pid ${natsPid}, natsPort=${ports[0]} natsMonitorPort=${ports[1]}, answering`,
  );
  t.match(status.stdout, `questdb: running, pid ${qdbPid}`);

  const down = await run('down');
  t.equal(down.code, 0);
  t.match(down.stdout, `QuestDB stopped (pid ${qdbPid})`);
  t.match(down.stdout, `nats-server stopped (pid ${natsPid})`);
  t.same(pidsMentioning(dataDir), [], 'nothing of the stack runs');
  for (const port of ports) t.ok(await isPortFree(port), `port ${port} free`);
  t.notOk(existsSync(join(dataDir, 'nats.pid')), 'pid files removed');

  const after = await run('status');
  t.equal(after.code, 3, 'status exits 3 when stopped');
  t.match(after.stdout, 'nats: stopped');
  const downAgain = await run('down');
  t.match(downAgain.stdout, 'nats-server was not running');
});

t.test('start failures: a taken port is reported with its code, and nothing is left running', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-taken-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const address = blocker.address();
  const taken = typeof address === 'object' && address !== null ? address.port : 0;
  const [monitorPort] = await freePorts(1);
  await t.rejects(startNatsServer({ port: taken, monitorPort: monitorPort!, dataDir }), {
    code: 'TF_ERR_STACK_PORT_IN_USE',
  });
  t.same(pidsMentioning(dataDir), [], 'the failed server was stopped');
  t.match(readFileSync(join(dataDir, 'nats.log'), 'utf8'), /address already in use/);

  const ports = await freePorts(4);
  const env = {
    ...process.env,
    TICKFLOW_STACK_DIR: dataDir,
    TICKFLOW_NATS_PORT: String(taken),
    TICKFLOW_NATS_MONITOR_PORT: String(ports[0]),
  };
  const cli = join(repoRoot(), 'build', 'engine', 'stack', 'cli.js');
  const failed = await execFileAsync(process.execPath, [cli, 'up'], { env }).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => err,
  );
  t.equal(failed.code, 1);
  t.equal(
    failed.stderr,
    `tickflow stack: options.natsPort: port ${taken} on 127.0.0.1 is taken by another process; ` +
      `choose another with TICKFLOW_NATS_PORT=<port> or --nats-port <port> [TF_ERR_STACK_PORT_IN_USE]\n`,
  );
});

t.test('down never signals a process that is not this stack’s server', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-foreign-'));
  const foreign = spawn('sleep', ['300'], { stdio: 'ignore' });
  t.teardown(() => {
    foreign.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  writeFileSync(join(dataDir, 'nats.pid'), `${foreign.pid}\n`);
  const cli = join(repoRoot(), 'build', 'engine', 'stack', 'cli.js');
  const { stdout } = await execFileAsync(process.execPath, [cli, 'down'], {
    env: { ...process.env, TICKFLOW_STACK_DIR: dataDir },
  });
  t.match(
    stdout,
    `nats-server: pid ${foreign.pid} from ${join(dataDir, 'nats.pid')} is not this stack's server; left it alone`,
  );
  t.equal(foreign.exitCode, null);
  t.equal(foreign.signalCode, null, 'the foreign process still runs');
});
