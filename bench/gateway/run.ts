/**
 * bench/gateway: messages delivered per second to N WebSocket clients (N =
 * 100 and 1000) by the gateway (uWebSockets.js topics) against the same
 * protocol served with the `ws` library, same records, same client harness.
 * Each server runs in its own process fed in-process with replayed trade
 * payloads; clients run in forked processes (several per process) and count
 * updates. Prints the ratio (target ≥ 5×) and appends it to bench/RESULTS.md.
 *
 * Runs alternate gateway and ws `--repeat` times per N and keep each side's
 * median, because a shared machine's load drifts between runs.
 *
 * Run: npx tsc -p . && node build/bench/gateway/run.js [--clients 100,1000] [--seconds 5] [--repeat 3] [--no-record]
 */

import { type ChildProcess, fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { recordResult } from '../results-file.js';
import type { ClientReport, ClientStart, FanoutImpl, FromServer, ToServer } from './messages.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100,1000' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '3' },
    'no-record': { type: 'boolean', default: false },
  },
});
const CLIENT_COUNTS = values.clients.split(',').map(Number);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const REPEAT = Number(values.repeat);

const SUBSCRIBE = JSON.stringify({ op: 'subscribe', id: 1, channels: ['trades'], symbols: ['sim:*'] });
const SERVER = fileURLToPath(new URL('./server-process.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('./client-process.js', import.meta.url));

/** Result of one run. */
interface Run {
  impl: FanoutImpl;
  detail: string;
  clients: number;
  delivered: number;
  recordsPerSec: number;
  drops: number;
}

function once<T>(child: ChildProcess, match: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T): void => {
      if (!match(m)) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measure(impl: FanoutImpl, clients: number): Promise<Run> {
  const server = fork(SERVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const listening = once<FromServer>(server, (m) => m.type === 'listening');
  server.send({ type: 'start', impl } satisfies ToServer);
  const l = (await listening) as Extract<FromServer, { type: 'listening' }>;
  // Clients share the machine with the server: a few processes, clients spread over them.
  const procs = Math.max(1, Math.min(4, cpus().length, Math.ceil(clients / 100)));
  const children: ChildProcess[] = [];
  const latest: ClientReport[] = [];
  const ready: Promise<unknown>[] = [];
  for (let p = 0; p < procs; p++) {
    const count = Math.floor(clients / procs) + (p < clients % procs ? 1 : 0);
    const child = fork(CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    latest.push({ type: 'ready', updates: 0, at: 0 });
    child.on('message', (m: ClientReport) => {
      latest[p] = m;
    });
    ready.push(once<ClientReport>(child, (m) => m.type === 'ready'));
    child.send({ port: l.port, count, subscribe: SUBSCRIBE } satisfies ClientStart);
  }
  await Promise.all(ready);
  server.send({ type: 'produce' } satisfies ToServer);
  await sleep(WARMUP * 1000);
  const total = (): number => latest.reduce((a, r) => a + r.updates, 0);
  const t0 = performance.now();
  const u0 = total();
  await sleep(SECONDS * 1000);
  const u1 = total();
  const t1 = performance.now();
  const stats = once<FromServer>(server, (m) => m.type === 'stats');
  server.send({ type: 'stop' } satisfies ToServer);
  const s = (await stats) as Extract<FromServer, { type: 'stats' }>;
  for (const c of children) c.kill();
  return {
    impl,
    detail: l.detail,
    clients,
    delivered: (u1 - u0) / ((t1 - t0) / 1000),
    recordsPerSec: s.records / s.seconds,
    drops: s.drops,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.delivered - b.delivered);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const lines: string[] = [];
for (const clients of CLIENT_COUNTS) {
  const gwRuns: Run[] = [];
  const wsRuns: Run[] = [];
  for (let i = 0; i < REPEAT; i++) {
    gwRuns.push(await measure('gateway', clients));
    wsRuns.push(await measure('ws', clients));
  }
  const gw = median(gwRuns);
  const ws = median(wsRuns);
  for (const [r, all] of [
    [gw, gwRuns],
    [ws, wsRuns],
  ] as const)
    console.log(
      `${r.detail.padEnd(16)} ${String(r.clients).padStart(5)} clients: ${fmt(r.delivered).padStart(12)} msgs/s delivered (median of ` +
        `${all.map((x) => fmt(x.delivered)).join(', ')}), ${fmt(r.recordsPerSec)} records/s fed, ${fmt(r.drops)} drops`,
    );
  const ratio = gw.delivered / ws.delivered;
  console.log(`  ratio gateway / ws at ${clients} clients: ${ratio.toFixed(2)}× (target ≥ 5×)\n`);
  lines.push(
    `${clients} clients: gateway ${fmt(gw.delivered)} msgs/s vs ws ${fmt(ws.delivered)} msgs/s = ${ratio.toFixed(2)}×`,
  );
}
if (!values['no-record'])
  await recordResult(
    'Gateway fan-out (bench/gateway)',
    `${lines.join('; ')} (median of ${REPEAT}, target ≥ 5×, load average ${loadavg()[0]!.toFixed(1)})`,
  );
