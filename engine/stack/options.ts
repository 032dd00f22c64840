import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './errors.js';

/** Settings of the project's own local stack (`make up`); every key can come from env or a flag. */
export interface StackOptions {
  /** Holds logs, pid files, the JetStream store and the QuestDB root. Default `<repo>/.stack`. */
  dataDir: string;
  /** Where the QuestDB jar is cached. Default `<repo>/.cache/questdb`. */
  cacheDir: string;
  natsPort: number;
  natsMonitorPort: number;
  qdbHttpPort: number;
  qdbPgPort: number;
  qdbIlpPort: number;
  /** Seconds to wait for each server to answer. */
  startTimeoutSeconds: number;
}

/**
 * Defaults stay clear of the usual ports (4222, 8222, 9000, 8812, 9009): this machine may already
 * run a NATS or QuestDB there, and the stack must never touch those.
 */
export const STACK_DEFAULT_PORTS = {
  natsPort: 14222,
  natsMonitorPort: 18222,
  qdbHttpPort: 19000,
  qdbPgPort: 18812,
  qdbIlpPort: 19009,
} as const;

type PortKey = keyof typeof STACK_DEFAULT_PORTS;

/** Environment variable and CLI flag for each option. */
export const STACK_OPTION_SOURCES = {
  dataDir: { env: 'TICKFLOW_STACK_DIR', flag: '--data-dir' },
  cacheDir: { env: 'TICKFLOW_CACHE_DIR', flag: '--cache-dir' },
  natsPort: { env: 'TICKFLOW_NATS_PORT', flag: '--nats-port' },
  natsMonitorPort: { env: 'TICKFLOW_NATS_MONITOR_PORT', flag: '--nats-monitor-port' },
  qdbHttpPort: { env: 'TICKFLOW_QDB_HTTP_PORT', flag: '--qdb-http-port' },
  qdbPgPort: { env: 'TICKFLOW_QDB_PG_PORT', flag: '--qdb-pg-port' },
  qdbIlpPort: { env: 'TICKFLOW_QDB_ILP_PORT', flag: '--qdb-ilp-port' },
  startTimeoutSeconds: { env: 'TICKFLOW_STACK_TIMEOUT', flag: '--timeout' },
} as const satisfies Record<keyof StackOptions, { env: string; flag: string }>;

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest folder above this module whose package.json is tickflow's.
 * Works both from sources and from the compiled `build/` tree.
 */
export function repoRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tickflow') {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // not ours; keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cachedRoot = process.cwd();
  return cachedRoot;
}

function describe(key: keyof StackOptions): string {
  const source = STACK_OPTION_SOURCES[key];
  return `options.${key} (${source.flag} or ${source.env})`;
}

function parsePort(key: PortKey, raw: string): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw.trim()) || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StackError(
      'TF_ERR_STACK_OPTION',
      `${describe(key)} must be an integer port from 1 to 65535, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** Reads `--flag value` and `--flag=value` pairs; unknown flags are an error naming the known ones. */
export function parseStackFlags(argv: readonly string[]): Partial<Record<keyof StackOptions, string>> {
  const byFlag = new Map<string, keyof StackOptions>();
  for (const key of Object.keys(STACK_OPTION_SOURCES) as (keyof StackOptions)[]) {
    byFlag.set(STACK_OPTION_SOURCES[key].flag, key);
  }
  const out: Partial<Record<keyof StackOptions, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const key = byFlag.get(flag);
    if (key === undefined) {
      throw new StackError(
        'TF_ERR_STACK_OPTION',
        `unknown option ${JSON.stringify(arg)}; known: ${[...byFlag.keys()].join(', ')}`,
      );
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) {
      throw new StackError('TF_ERR_STACK_OPTION', `${describe(key)} needs a value after ${flag}`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Resolves the stack options: flags win over environment variables, which win over defaults.
 * Every value is validated now; a bad one throws `TF_ERR_STACK_OPTION` with a sentence naming the
 * key, where it can be set and the accepted range.
 */
export function resolveStackOptions(
  flags: Partial<Record<keyof StackOptions, string>> = {},
  env: NodeJS.ProcessEnv = process.env,
): StackOptions {
  const raw = (key: keyof StackOptions): string | undefined => {
    const fromFlag = flags[key];
    if (fromFlag !== undefined) return fromFlag;
    const fromEnv = env[STACK_OPTION_SOURCES[key].env];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const root = repoRoot();
  const port = (key: PortKey): number => {
    const value = raw(key);
    return value === undefined ? STACK_DEFAULT_PORTS[key] : parsePort(key, value);
  };
  const dir = (key: 'dataDir' | 'cacheDir', fallback: string): string => {
    const value = raw(key);
    if (value !== undefined && value.trim() === '') {
      throw new StackError('TF_ERR_STACK_OPTION', `${describe(key)} must be a non-empty path`);
    }
    return resolve(root, value ?? fallback);
  };
  const timeoutRaw = raw('startTimeoutSeconds');
  let startTimeoutSeconds = 120;
  if (timeoutRaw !== undefined) {
    startTimeoutSeconds = Number(timeoutRaw);
    if (!Number.isFinite(startTimeoutSeconds) || startTimeoutSeconds <= 0 || startTimeoutSeconds > 3600) {
      throw new StackError(
        'TF_ERR_STACK_OPTION',
        `${describe('startTimeoutSeconds')} must be a number of seconds above 0 and at most 3600, got ${JSON.stringify(timeoutRaw)}`,
      );
    }
  }
  const options: StackOptions = {
    dataDir: dir('dataDir', '.stack'),
    cacheDir: dir('cacheDir', join('.cache', 'questdb')),
    natsPort: port('natsPort'),
    natsMonitorPort: port('natsMonitorPort'),
    qdbHttpPort: port('qdbHttpPort'),
    qdbPgPort: port('qdbPgPort'),
    qdbIlpPort: port('qdbIlpPort'),
    startTimeoutSeconds,
  };
  const owner = new Map<number, PortKey>();
  for (const key of Object.keys(STACK_DEFAULT_PORTS) as PortKey[]) {
    const other = owner.get(options[key]);
    if (other !== undefined) {
      throw new StackError(
        'TF_ERR_STACK_OPTION',
        `${describe(key)} and ${describe(other)} must differ, both are ${options[key]}`,
      );
    }
    owner.set(options[key], key);
  }
  return options;
}
