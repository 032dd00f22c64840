/**
 * One fan-out measurement: a server process (the gateway, or the `ws` baseline) fed replayed
 * trades in-process, N counting clients in a few forked processes, and the updates they received
 * per second over a window after a warm-up.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ClientReport, ClientStart, FanoutImpl, FromServer, ToServer } from './messages.js';

/** Result of one run. */
export interface FanoutRun {
  impl: FanoutImpl;
  detail: string;
  clients: number;
  delivered: number;
  recordsPerSec: number;
  drops: number;
}

/** How long one run lasts. */
export interface FanoutTiming {
  seconds: number;
  warmup: number;
}

const SUBSCRIBE = JSON.stringify({ op: 'subscribe', id: 1, channels: ['trades'], symbols: ['sim:*'] });
const SERVER = fileURLToPath(new URL('./server-process.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('./client-process.js', import.meta.url));

/** Resolves with the first message of `child` that `match` accepts; rejects if it exits first. */
export function once<T>(child: ChildProcess, match: (m: T) => boolean): Promise<T> {
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

/** Messages per second `impl` delivers to `clients` clients. */
export async function measureFanout(
  impl: FanoutImpl,
  clients: number,
  timing: FanoutTiming,
): Promise<FanoutRun> {
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
  await sleep(timing.warmup * 1000);
  const total = (): number => latest.reduce((a, r) => a + r.updates, 0);
  const t0 = performance.now();
  const u0 = total();
  await sleep(timing.seconds * 1000);
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

/** The run with the median delivered rate. */
export function medianRun(runs: FanoutRun[]): FanoutRun {
  const sorted = [...runs].sort((a, b) => a.delivered - b.delivered);
  return sorted[Math.floor(sorted.length / 2)]!;
}
