/**
 * The benchmark's own NATS (JetStream) and QuestDB: free loopback ports, fresh temp data
 * directories, both stopped and removed by `stop()`, and killed on exit or a signal if the run
 * dies before it gets there, so a failed run leaves no server behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureQuestDbJar,
  freePorts,
  killProcess,
  type ServerProcess,
  startNatsServer,
  startQuestDbServer,
  stopProcess,
} from '../../engine/stack/index.js';

/** Running servers owned by one benchmark run. */
export interface BenchStack {
  natsUrl: string;
  qdbHttpUrl: string;
  /** Parent of both data dirs; engine config files may go here too. */
  dir: string;
  /** Process ids of nats-server and of QuestDB's JVM, for CPU and memory readings. */
  natsPid: number;
  questDbPid: number;
  /** Stops both servers and removes the data. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts NATS and QuestDB side by side; `heap` is QuestDB's JVM heap. */
export async function startBenchStack(heap = '1g'): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'tickflow-bench-engine-'));
  const pids: number[] = [];
  const killAll = (): void => {
    for (const pid of pids) killProcess(pid);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAll);
  const onSignal = (signal: NodeJS.Signals): void => {
    killAll();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const pid of pids) await stopProcess(pid).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      process.off('exit', killAll);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    })();
    return stopped;
  };
  try {
    const [natsPort, monitorPort, httpPort, pgPort, ilpPort] = (await freePorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const jar = await ensureQuestDbJar();
    // Settled, not all: a server that started must be tracked even when the other one failed.
    const started = await Promise.allSettled([
      startNatsServer({ port: natsPort, monitorPort, dataDir: join(dir, 'nats') }),
      startQuestDbServer({ jar, httpPort, pgPort, ilpTcpPort: ilpPort, dataDir: join(dir, 'questdb'), heap }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') pids.push(s.value.pid);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [nats, questDb] = started as [
      PromiseFulfilledResult<ServerProcess>,
      PromiseFulfilledResult<ServerProcess>,
    ];
    return {
      natsPid: nats.value.pid,
      questDbPid: questDb.value.pid,
      natsUrl: `nats://127.0.0.1:${natsPort}`,
      qdbHttpUrl: `http://127.0.0.1:${httpPort}`,
      dir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
