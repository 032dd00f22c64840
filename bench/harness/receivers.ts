/**
 * The harness's side of its receivers: the NATS probe thread and the WS client processes, each
 * asked for a window at once so every receiver's window covers the same interval.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BenchEngineError } from '../engine/bench-error.js';
import type {
  FromReceiver,
  NatsProbeInit,
  ToNatsProbe,
  ToWsClients,
  WindowReport,
  WsClientsStart,
} from './messages.js';

/** One receiver: a thread or a process that hands over latency windows. */
export interface Receiver {
  readonly name: string;
  /** Process id when it is a process of its own (for CPU and memory readings). */
  readonly pid: number | undefined;
  window(): Promise<WindowReport>;
  stop(): Promise<void>;
}

interface Endpoint {
  send(m: ToWsClients | ToNatsProbe): void;
  on(event: 'message', f: (m: FromReceiver) => void): void;
  off(event: 'message', f: (m: FromReceiver) => void): void;
  once(event: 'exit', f: (code: number | null) => void): void;
}

const WINDOW_TIMEOUT_MS = 30_000;

function nextMessage<T extends FromReceiver['type']>(
  name: string,
  ep: Endpoint,
  type: T,
): Promise<Extract<FromReceiver, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        ep.off('message', onMessage);
        reject(
          new BenchEngineError(
            'TF_ERR_BENCH_TIMEOUT',
            `${name} did not answer within ${WINDOW_TIMEOUT_MS} ms`,
          ),
        );
      },
      WINDOW_TIMEOUT_MS * (type === 'ready' ? 4 : 1),
    );
    const onMessage = (m: FromReceiver): void => {
      if (m.type !== type && m.type !== 'failed') return;
      ep.off('message', onMessage);
      clearTimeout(timer);
      if (m.type === 'failed')
        reject(new BenchEngineError('TF_ERR_BENCH_WORKER', `${name} failed: ${m.message}`));
      else resolve(m as Extract<FromReceiver, { type: T }>);
    };
    ep.on('message', onMessage);
  });
}

function receiver(name: string, pid: number | undefined, ep: Endpoint, done: Promise<unknown>): Receiver {
  let stopped: Promise<void> | null = null;
  return {
    name,
    pid,
    window: () => {
      const answer = nextMessage(name, ep, 'window');
      ep.send({ type: 'window' });
      return answer;
    },
    stop: () => {
      stopped ??= (async () => {
        ep.send({ type: 'stop' });
        await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      })();
      return stopped;
    },
  };
}

/** Starts the NATS probe thread subscribed to `subject`; resolves once it is subscribed. */
export async function startNatsProbe(servers: string[], subject: string): Promise<Receiver> {
  const worker = new Worker(new URL('./nats-probe-worker.js', import.meta.url), {
    workerData: { servers, subject } satisfies NatsProbeInit,
  });
  const done = new Promise((r) => worker.once('exit', r));
  const ep: Endpoint = {
    send: (m) => worker.postMessage(m),
    on: (e, f) => worker.on(e, f),
    off: (e, f) => worker.off(e, f),
    once: (e, f) => worker.once(e, f),
  };
  worker.on('error', (err) => process.stderr.write(`NATS probe thread crashed: ${err.message}\n`));
  const ready = nextMessage('the NATS probe', ep, 'ready');
  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return receiver('the NATS probe', undefined, ep, done);
}

const CLIENT = fileURLToPath(new URL('./ws-client-process.js', import.meta.url));

/**
 * Forks `procs` WS client processes holding `clients` clients in all (one timed client each, the
 * rest counting), all subscribed with `start.subscribe`; resolves once every client is subscribed.
 */
export async function startWsClients(
  procs: number,
  clients: number,
  start: Omit<WsClientsStart, 'type' | 'counting'>,
): Promise<Receiver[]> {
  const out: Receiver[] = [];
  const ready: Promise<unknown>[] = [];
  const children: ChildProcess[] = [];
  for (let p = 0; p < procs; p++) {
    const child = fork(CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    const name = `WS client process ${p + 1}`;
    const done = new Promise((r) => child.once('exit', r));
    const ep: Endpoint = {
      send: (m) => {
        if (child.connected) child.send(m);
      },
      on: (e, f) => child.on(e, f),
      off: (e, f) => child.off(e, f),
      once: (e, f) => child.once(e, f),
    };
    const share = Math.floor(clients / procs) + (p < clients % procs ? 1 : 0);
    ready.push(nextMessage(name, ep, 'ready'));
    ep.send({ ...start, type: 'start', counting: Math.max(0, share - 1) });
    out.push(receiver(name, child.pid, ep, done));
  }
  try {
    await Promise.all(ready);
  } catch (err) {
    for (const c of children) c.kill();
    throw err;
  }
  return out;
}
