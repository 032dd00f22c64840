/**
 * Real NATS and QuestDB servers for tests: each call picks free loopback ports, makes a fresh data
 * directory under the OS temp dir, and returns a handle whose stop() kills the server and removes
 * the directory. Servers still running when the test process exits are killed then, so a failed
 * test leaves nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackError } from '../../engine/stack/errors.js';
import { startNatsServer } from '../../engine/stack/nats-server.js';
import { freePorts } from '../../engine/stack/ports.js';
import {
  killProcess,
  pauseProcess,
  resumeProcess,
  type ServerProcess,
  stopProcess,
} from '../../engine/stack/process.js';
import {
  ensureQuestDbJar,
  type QuestDbResult,
  questDbExec,
  startQuestDbServer,
} from '../../engine/stack/questdb.js';

/** A running nats-server owned by one test. */
export interface NatsHandle {
  /** `nats://127.0.0.1:<port>` */
  url: string;
  port: number;
  monitorPort: number;
  dataDir: string;
  /** SIGTERM, then SIGKILL after a grace period; removes the data dir. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGSTOP: the server holds its sockets open but answers nothing. */
  pause(): void;
  /** SIGCONT after {@link NatsHandle.pause}. */
  resume(): void;
  /** SIGKILL without waiting: a crash. The data dir stays until stop(). */
  kill(): void;
}

/** A running QuestDB owned by one test. */
export interface QuestDbHandle {
  /** `http://127.0.0.1:<httpPort>` */
  httpUrl: string;
  httpPort: number;
  /** Configuration string for `@questdb/nodejs-client`: `http::addr=127.0.0.1:<httpPort>;` */
  ilpUrl: string;
  pgPort: number;
  dataDir: string;
  /** Runs SQL through the REST `/exec` endpoint; rejects with `TF_ERR_STACK_SQL` on a SQL error. */
  exec(sql: string): Promise<QuestDbResult>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
}

interface Owned {
  pid: number | undefined;
  dataDir: string;
}

const owned = new Set<Owned>();
let exitHookInstalled = false;

function cleanupAllSync(): void {
  for (const entry of owned) {
    if (entry.pid !== undefined) killProcess(entry.pid);
    rmSync(entry.dataDir, { recursive: true, force: true });
  }
  owned.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', cleanupAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanupAllSync();
      // Die of the same signal so the runner sees the usual outcome.
      process.kill(process.pid, signal);
    });
  }
}

function track(dataDir: string): Owned {
  installExitHook();
  const entry: Owned = { pid: undefined, dataDir };
  owned.add(entry);
  return entry;
}

async function release(entry: Owned): Promise<void> {
  if (entry.pid !== undefined) await stopProcess(entry.pid);
  rmSync(entry.dataDir, { recursive: true, force: true });
  owned.delete(entry);
}

const START_ATTEMPTS = 5;

/**
 * Starts a nats-server (JetStream on unless `jetstream: false`) on free ports. `config` is extra
 * nats-server config text appended to the generated file, e.g. subject mappings.
 */
export async function startNats(opts: { config?: string; jetstream?: boolean } = {}): Promise<NatsHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-nats-'));
  const entry = track(dataDir);
  let server: ServerProcess | undefined;
  let ports: number[] = [];
  for (let attempt = 1; server === undefined; attempt++) {
    ports = await freePorts(2);
    try {
      server = await startNatsServer({
        port: ports[0]!,
        monitorPort: ports[1]!,
        dataDir,
        jetstream: opts.jetstream,
        extraConfig: opts.config,
      });
    } catch (err) {
      // Another process may grab a free port between our probe and the server's bind.
      if (
        !(err instanceof StackError && err.code === 'TF_ERR_STACK_PORT_IN_USE') ||
        attempt >= START_ATTEMPTS
      ) {
        await release(entry);
        throw err;
      }
    }
  }
  entry.pid = server.pid;
  const pid = server.pid;
  const port = ports[0]!;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort: ports[1]!,
    dataDir,
    stop: () => release(entry),
    pause: () => pauseProcess(pid),
    resume: () => resumeProcess(pid),
    kill: () => killProcess(pid),
  };
}

/** Starts QuestDB on free ports with a fresh data dir; the jar is fetched once and cached. */
export async function startQuestDb(): Promise<QuestDbHandle> {
  const jar = await ensureQuestDbJar();
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-questdb-'));
  const entry = track(dataDir);
  let server: ServerProcess | undefined;
  let ports: number[] = [];
  for (let attempt = 1; server === undefined; attempt++) {
    ports = await freePorts(3);
    try {
      server = await startQuestDbServer({
        jar,
        httpPort: ports[0]!,
        pgPort: ports[1]!,
        ilpTcpPort: ports[2]!,
        dataDir,
      });
    } catch (err) {
      if (
        !(err instanceof StackError && err.code === 'TF_ERR_STACK_PORT_IN_USE') ||
        attempt >= START_ATTEMPTS
      ) {
        await release(entry);
        throw err;
      }
    }
  }
  entry.pid = server.pid;
  const pid = server.pid;
  const httpPort = ports[0]!;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  return {
    httpUrl,
    httpPort,
    ilpUrl: `http::addr=127.0.0.1:${httpPort};`,
    pgPort: ports[1]!,
    dataDir,
    exec: (sql) => questDbExec(httpUrl, sql),
    stop: () => release(entry),
    pause: () => pauseProcess(pid),
    resume: () => resumeProcess(pid),
  };
}
