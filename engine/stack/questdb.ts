import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { StackError } from './errors.js';
import { findJava, type JavaRuntime } from './java.js';
import { repoRoot } from './options.js';
import { LOOPBACK } from './ports.js';
import { logTail, type ServerProcess, spawnServer, stopProcess } from './process.js';

const execFileAsync = promisify(execFile);

/**
 * The QuestDB release the stack runs: the newest that Maven Central serves here (9.4.0 is not
 * published there) and that runs on the Java 17 this machine has.
 */
export const QUESTDB_VERSION = '9.3.4';

/** Maven coordinates of the server jar. */
export const QUESTDB_ARTIFACT = 'org.questdb:questdb';

/** Java feature release a QuestDB version needs: 9.4 and later are built for Java 25. */
export function javaMajorFor(version: string): number {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 9 || (major === 9 && minor >= 4) ? 25 : 17;
}

/** Default jar cache, gitignored: `<repo>/.cache/questdb`. */
export function defaultQuestDbCacheDir(): string {
  return join(repoRoot(), '.cache', 'questdb');
}

/** A lock older than this belongs to a fetch that died; a real fetch of ~30 MB takes seconds. */
const STALE_LOCK_MS = 10 * 60_000;

function tryLock(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    try {
      if (Date.now() - statSync(lockDir).mtimeMs > STALE_LOCK_MS)
        rmSync(lockDir, { recursive: true, force: true });
    } catch {
      // the holder just released it
    }
    return false;
  }
}

/**
 * Path of the cached QuestDB jar, fetching it with Maven first if missing. Safe under parallel
 * callers (test files run in several processes): one holds a lock folder and fetches into a temp
 * folder, then renames the jar into place, so a jar that exists is always complete.
 */
export async function ensureQuestDbJar(
  options: {
    cacheDir?: string;
    version?: string;
    /** Maven executable; default `mvn` from PATH. */
    mvn?: string;
    log?: (line: string) => void;
  } = {},
): Promise<string> {
  const version = options.version ?? QUESTDB_VERSION;
  const cacheDir = options.cacheDir ?? defaultQuestDbCacheDir();
  const jar = join(cacheDir, `questdb-${version}.jar`);
  if (existsSync(jar)) return jar;
  mkdirSync(cacheDir, { recursive: true });
  const lockDir = join(cacheDir, '.fetch.lock');
  const deadline = Date.now() + STALE_LOCK_MS + 60_000;
  while (!tryLock(lockDir)) {
    if (existsSync(jar)) return jar;
    if (Date.now() > deadline) {
      throw new StackError(
        'TF_ERR_STACK_JAR_FETCH',
        `timed out waiting for another fetch of ${jar} (${lockDir})`,
      );
    }
    await sleep(250);
  }
  try {
    if (existsSync(jar)) return jar;
    const tmp = mkdtempSync(join(cacheDir, '.fetch-'));
    try {
      const args = [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=${QUESTDB_ARTIFACT}:${version}`,
        `-DoutputDirectory=${tmp}`,
      ];
      options.log?.(`fetching QuestDB ${version}: mvn ${args.join(' ')}`);
      try {
        await execFileAsync(options.mvn ?? 'mvn', args, {
          cwd: tmp,
          timeout: 10 * 60_000,
          maxBuffer: 16 * 1024 * 1024,
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new StackError(
            'TF_ERR_STACK_JAR_FETCH',
            `Maven (${options.mvn ?? 'mvn'}) is not installed; run as root: apt-get update && apt-get install -y maven`,
            { cause: err },
          );
        }
        const detail = (err as { stdout?: string }).stdout ?? '';
        throw new StackError(
          'TF_ERR_STACK_JAR_FETCH',
          `mvn could not fetch ${QUESTDB_ARTIFACT}:${version}: ${(err as Error).message}\n${detail}`,
          { cause: err },
        );
      }
      const fetched = join(tmp, `questdb-${version}.jar`);
      if (!existsSync(fetched)) {
        throw new StackError('TF_ERR_STACK_JAR_FETCH', `mvn finished but ${fetched} is missing`);
      }
      renameSync(fetched, jar);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return jar;
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Ports of one QuestDB server, all bound to 127.0.0.1. */
export interface QuestDbPorts {
  httpPort: number;
  pgPort: number;
  ilpTcpPort: number;
}

/**
 * How long QuestDB's worker threads keep polling for work before they park. Its defaults suit a
 * host of its own; the local stack shares a small machine with NATS, the engine and the gateway,
 * where that polling took CPU from them. Measured on 2 cores (scratch, two writers committing
 * trades and candles): at 5k trades/s with commits every 250 ms QuestDB used 57-66% of a core
 * with the defaults and 22-26% with these; flushes landed as fast or faster (median 5.5 vs 9 ms);
 * a small REST query took 5.5 instead of 3 ms. A variable already set in the environment wins.
 */
export const QUESTDB_WORKER_IDLE_ENV: Readonly<Record<string, string>> = {
  QDB_SHARED_WORKER_YIELD_THRESHOLD: '10',
  QDB_SHARED_WORKER_NAP_THRESHOLD: '100',
  QDB_SHARED_WORKER_SLEEP_THRESHOLD: '200',
  QDB_WAL_APPLY_WORKER_YIELD_THRESHOLD: '10',
  QDB_WAL_APPLY_WORKER_NAP_THRESHOLD: '100',
  QDB_WAL_APPLY_WORKER_SLEEP_THRESHOLD: '200',
};

/**
 * Environment for ServerMain: ports on loopback, UDP ILP and the minimal health server off
 * (each would claim a fixed port and collide between parallel servers), telemetry off, and the
 * workers' idle polling of {@link QUESTDB_WORKER_IDLE_ENV} unless `inherited` sets it.
 */
export function questDbEnv(
  ports: QuestDbPorts,
  inherited: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const idle: Record<string, string> = {};
  for (const [name, value] of Object.entries(QUESTDB_WORKER_IDLE_ENV)) {
    if (inherited[name] === undefined) idle[name] = value;
  }
  return {
    ...idle,
    QDB_HTTP_BIND_TO: `${LOOPBACK}:${ports.httpPort}`,
    QDB_HTTP_MIN_ENABLED: 'false',
    QDB_PG_NET_BIND_TO: `${LOOPBACK}:${ports.pgPort}`,
    QDB_LINE_TCP_NET_BIND_TO: `${LOOPBACK}:${ports.ilpTcpPort}`,
    QDB_LINE_UDP_ENABLED: 'false',
    QDB_TELEMETRY_ENABLED: 'false',
  };
}

/** JVM arguments for ServerMain; the add-exports matches QuestDB's own launcher script. */
export function questDbJvmArgs(jar: string, rootDir: string, heap: string): string[] {
  return [
    `-Xmx${heap}`,
    '--add-exports',
    'java.base/jdk.internal.math=io.questdb',
    '-p',
    jar,
    '-m',
    'io.questdb/io.questdb.ServerMain',
    '-d',
    rootDir,
  ];
}

/** A `/exec` answer: column names and types, rows, and the row count. */
export interface QuestDbResult {
  columns: { name: string; type: string }[];
  dataset: unknown[][];
  count: number;
}

/** Runs one SQL statement over the REST API; a SQL error rejects with `TF_ERR_STACK_SQL`. */
export async function questDbExec(httpUrl: string, sql: string, timeoutMs = 30_000): Promise<QuestDbResult> {
  const url = `${httpUrl}/exec?query=${encodeURIComponent(sql)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json()) as Partial<QuestDbResult> & {
    error?: string;
    position?: number;
    ddl?: string;
  };
  if (!res.ok || body.error !== undefined) {
    throw new StackError(
      'TF_ERR_STACK_SQL',
      `QuestDB rejected ${JSON.stringify(sql)}: ${body.error ?? `HTTP ${res.status}`}` +
        (body.position === undefined ? '' : ` at position ${body.position}`),
    );
  }
  // DDL answers `{"ddl":"OK"}` with no columns.
  return { columns: body.columns ?? [], dataset: body.dataset ?? [], count: body.count ?? 0 };
}

/** Waits until `GET /exec?query=select 1` answers; fails fast when the JVM exits meanwhile. */
export async function waitForQuestDb(
  server: ServerProcess,
  httpPort: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const url = `http://${LOOPBACK}:${httpPort}`;
  while (Date.now() < deadline) {
    if (server.exit !== undefined) {
      const tail = logTail(server.logFile, 40);
      const code = /address already in use|could not bind|bind.*failed/i.test(tail)
        ? 'TF_ERR_STACK_PORT_IN_USE'
        : 'TF_ERR_STACK_START';
      throw new StackError(code, `QuestDB exited during start (see ${server.logFile})\n${tail}`);
    }
    try {
      const result = await questDbExec(url, 'select 1', 1000);
      if (result.count === 1) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new StackError(
    'TF_ERR_STACK_TIMEOUT',
    `QuestDB did not answer on ${url} within ${timeoutMs} ms\n${logTail(server.logFile, 40)}`,
  );
}

/** What {@link startQuestDbServer} needs. */
export interface StartQuestDbOptions extends QuestDbPorts {
  /** From {@link ensureQuestDbJar}. */
  jar: string;
  /** Default: {@link findJava} for the pinned version. */
  java?: JavaRuntime;
  /** Log and pid file go here; the QuestDB root is `<dataDir>/questdb`. */
  dataDir: string;
  pidFile?: string;
  /** JVM max heap; QuestDB keeps its data off-heap, so 1g is plenty and lets tests run several. */
  heap?: string;
  timeoutMs?: number;
}

/** Starts QuestDB and resolves once it answers SQL. A server that fails to start is stopped first. */
export async function startQuestDbServer(options: StartQuestDbOptions): Promise<ServerProcess> {
  const java = options.java ?? findJava(javaMajorFor(QUESTDB_VERSION));
  const rootDir = join(options.dataDir, 'questdb');
  mkdirSync(rootDir, { recursive: true });
  const server = spawnServer({
    command: java.java,
    args: questDbJvmArgs(options.jar, rootDir, options.heap ?? '1g'),
    env: questDbEnv(options),
    logFile: join(options.dataDir, 'questdb.log'),
    pidFile: options.pidFile,
  });
  try {
    await waitForQuestDb(server, options.httpPort, options.timeoutMs ?? 120_000);
  } catch (err) {
    await stopProcess(server.pid, 5000);
    throw err;
  }
  return server;
}
