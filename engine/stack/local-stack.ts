import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { findJava } from './java.js';
import { ensureNatsServer, startNatsServer } from './nats-server.js';
import { repoRoot, STACK_OPTION_SOURCES, type StackOptions } from './options.js';
import { isPortFree, isPortOpen, LOOPBACK } from './ports.js';
import { commandLine, isAlive, readPidFile, removeFile, stopProcess } from './process.js';
import {
  ensureQuestDbJar,
  javaMajorFor,
  QUESTDB_VERSION,
  questDbExec,
  startQuestDbServer,
} from './questdb.js';

/** The two servers of the local stack. */
export type StackServiceName = 'nats' | 'questdb';

/** What `status` knows about one service. */
export interface StackServiceStatus {
  name: StackServiceName;
  running: boolean;
  pid: number | undefined;
  /** Ports recorded when it was started (or the configured ones when stopped). */
  ports: Record<string, number>;
  /** Set when running: whether it answered just now. */
  answering: boolean | undefined;
  logFile: string;
}

/** Written next to the pid file at start so `status` reports what actually runs. */
interface ServiceRecord {
  pid: number;
  ports: Record<string, number>;
  startedAt: string;
  startMs: number;
  detail: string;
}

/** Receives one human-readable line per step. */
export type StackLog = (line: string) => void;

/** `stackUp` takes at most this long to stop a server that fails half-way. */
const GRACE_MS = { nats: 10_000, questdb: 30_000 } as const;

function files(options: StackOptions, name: StackServiceName) {
  return {
    pid: join(options.dataDir, `${name}.pid`),
    record: join(options.dataDir, `${name}.json`),
    log: join(options.dataDir, `${name}.log`),
    // Our servers carry their data folder on the command line; a pid that does not is not ours.
    marker: join(options.dataDir, name),
  };
}

function configuredPorts(options: StackOptions, name: StackServiceName): Record<string, number> {
  return name === 'nats'
    ? { natsPort: options.natsPort, natsMonitorPort: options.natsMonitorPort }
    : { qdbHttpPort: options.qdbHttpPort, qdbPgPort: options.qdbPgPort, qdbIlpPort: options.qdbIlpPort };
}

/** Pid of the running server of this stack, verified by its command line; undefined otherwise. */
function ownedPid(options: StackOptions, name: StackServiceName): number | undefined {
  const f = files(options, name);
  const pid = readPidFile(f.pid);
  if (pid === undefined || !isAlive(pid)) return undefined;
  const args = commandLine(pid);
  if (args === undefined || !args.includes(f.marker)) return undefined;
  return pid;
}

function readRecord(file: string): ServiceRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServiceRecord;
  } catch {
    return undefined;
  }
}

async function assertPortsFree(options: StackOptions, name: StackServiceName): Promise<void> {
  const ports = configuredPorts(options, name);
  for (const key of Object.keys(ports) as (keyof typeof STACK_OPTION_SOURCES)[]) {
    const port = ports[key]!;
    if (!(await isPortFree(port))) {
      const source = STACK_OPTION_SOURCES[key];
      throw new StackError(
        'TF_ERR_STACK_PORT_IN_USE',
        `options.${key}: port ${port} on ${LOOPBACK} is taken by another process; ` +
          `choose another with ${source.env}=<port> or ${source.flag} <port>`,
      );
    }
  }
}

function natsVersion(binary: string): string {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return (out.stdout ?? '').trim() || 'nats-server';
}

async function upNats(options: StackOptions, log: StackLog): Promise<void> {
  const f = files(options, 'nats');
  const running = ownedPid(options, 'nats');
  if (running !== undefined) {
    const ports = readRecord(f.record)?.ports ?? configuredPorts(options, 'nats');
    log(`nats-server already running (pid ${running}) on nats://${LOOPBACK}:${ports['natsPort']}`);
    return;
  }
  removeFile(f.pid);
  await assertPortsFree(options, 'nats');
  const binary = ensureNatsServer({ install: true, log });
  const started = Date.now();
  const server = await startNatsServer({
    binary,
    configFile: join(repoRoot(), 'deploy', 'nats', 'tickflow.conf'),
    port: options.natsPort,
    monitorPort: options.natsMonitorPort,
    dataDir: options.dataDir,
    pidFile: f.pid,
    timeoutMs: options.startTimeoutSeconds * 1000,
  });
  const startMs = Date.now() - started;
  const detail = natsVersion(binary);
  const record: ServiceRecord = {
    pid: server.pid,
    ports: configuredPorts(options, 'nats'),
    startedAt: new Date().toISOString(),
    startMs,
    detail,
  };
  writeFileSync(f.record, `${JSON.stringify(record, null, 2)}\n`);
  log(
    `${detail} ready in ${startMs} ms (pid ${server.pid}): nats://${LOOPBACK}:${options.natsPort}, ` +
      `monitor http://${LOOPBACK}:${options.natsMonitorPort}, log ${f.log}`,
  );
}

async function upQuestDb(options: StackOptions, log: StackLog): Promise<void> {
  const f = files(options, 'questdb');
  const running = ownedPid(options, 'questdb');
  if (running !== undefined) {
    const ports = readRecord(f.record)?.ports ?? configuredPorts(options, 'questdb');
    log(`QuestDB already running (pid ${running}) on http://${LOOPBACK}:${ports['qdbHttpPort']}`);
    return;
  }
  removeFile(f.pid);
  await assertPortsFree(options, 'questdb');
  const java = findJava(javaMajorFor(QUESTDB_VERSION));
  const jar = await ensureQuestDbJar({ cacheDir: options.cacheDir, log });
  const started = Date.now();
  const server = await startQuestDbServer({
    jar,
    java,
    httpPort: options.qdbHttpPort,
    pgPort: options.qdbPgPort,
    ilpTcpPort: options.qdbIlpPort,
    dataDir: options.dataDir,
    pidFile: f.pid,
    timeoutMs: options.startTimeoutSeconds * 1000,
  });
  const startMs = Date.now() - started;
  const detail = `QuestDB ${QUESTDB_VERSION} on Java ${java.major} (${java.java})`;
  const record: ServiceRecord = {
    pid: server.pid,
    ports: configuredPorts(options, 'questdb'),
    startedAt: new Date().toISOString(),
    startMs,
    detail,
  };
  writeFileSync(f.record, `${JSON.stringify(record, null, 2)}\n`);
  log(
    `${detail} ready in ${startMs} ms (pid ${server.pid}): http://${LOOPBACK}:${options.qdbHttpPort}, ` +
      `pg ${options.qdbPgPort}, ilp tcp ${options.qdbIlpPort}, log ${f.log}`,
  );
}

/**
 * Starts NATS then QuestDB unless they already run (idempotent). Servers outlive this process;
 * their pids are in `<dataDir>/<name>.pid` for {@link stackDown}.
 */
export async function stackUp(options: StackOptions, log: StackLog): Promise<void> {
  mkdirSync(options.dataDir, { recursive: true });
  await upNats(options, log);
  await upQuestDb(options, log);
}

/**
 * Stops the stack's servers (SIGTERM, then SIGKILL after a grace period) and removes their pid
 * files. Only processes whose command line names this stack's data dir are signalled, so any
 * other NATS or QuestDB on the machine is left alone.
 */
export async function stackDown(options: StackOptions, log: StackLog): Promise<void> {
  // QuestDB first: it is the slower one to stop and nothing depends on NATS while it does.
  for (const name of ['questdb', 'nats'] as const) {
    const f = files(options, name);
    const label = name === 'nats' ? 'nats-server' : 'QuestDB';
    const recorded = readPidFile(f.pid);
    const pid = ownedPid(options, name);
    if (pid === undefined) {
      if (recorded !== undefined && isAlive(recorded)) {
        log(`${label}: pid ${recorded} from ${f.pid} is not this stack's server; left it alone`);
      } else {
        log(`${label} was not running`);
      }
    } else {
      const started = Date.now();
      await stopProcess(pid, GRACE_MS[name]);
      log(`${label} stopped (pid ${pid}) in ${Date.now() - started} ms`);
    }
    removeFile(f.pid);
    removeFile(f.record);
  }
}

async function answering(name: StackServiceName, ports: Record<string, number>): Promise<boolean> {
  if (name === 'nats') return isPortOpen(ports['natsPort'] ?? 0);
  try {
    await questDbExec(`http://${LOOPBACK}:${ports['qdbHttpPort']}`, 'select 1', 2000);
    return true;
  } catch {
    return false;
  }
}

/** Whether each server of the stack runs, on which ports, and whether it answers now. */
export async function stackStatus(options: StackOptions): Promise<StackServiceStatus[]> {
  const out: StackServiceStatus[] = [];
  for (const name of ['nats', 'questdb'] as const) {
    const f = files(options, name);
    const pid = ownedPid(options, name);
    const ports =
      (pid === undefined ? undefined : readRecord(f.record)?.ports) ?? configuredPorts(options, name);
    out.push({
      name,
      running: pid !== undefined,
      pid,
      ports,
      answering: pid === undefined ? undefined : await answering(name, ports),
      logFile: f.log,
    });
  }
  return out;
}
