/**
 * Gateway options in one place: defaults, environment variables
 * (`TICKFLOW_GATEWAY_*`), command-line flags, and eager validation whose
 * messages name the option and the accepted range. Flags win over the
 * environment, which wins over defaults.
 */

import { parseArgs } from 'node:util';
import { GatewayError } from './errors.js';

/** Every gateway setting. */
export interface GatewayOptions {
  /** HTTP and WebSocket port; 0 picks a free one. */
  port: number;
  host: string;
  natsUrl: string;
  questdbUrl: string;
  questdbTimeoutMs: number;
  /** Prefix of the QuestDB table names (schemas' questDbTableNames). */
  tablePrefix: string;
  /** Require credentials on WebSocket and REST (not on /health, /ready, /metrics). */
  auth: boolean;
  keysFile: string;
  jwtSecret: string | undefined;
  jwksFile: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  /** Browser origins allowed; `*` allows any. Requests without an Origin header (non-browsers) always pass. */
  allowedOrigins: string[];
  /** Largest client message in bytes; bigger ones get `payload_too_large`. */
  maxPayloadBytes: number;
  /** Most stream subscriptions per connection. */
  maxSubscriptions: number;
  /** Defaults for principals without their own limits (auth off, JWTs without claims). */
  ratePerSecond: number;
  burst: number;
  maxConnectionsPerPrincipal: number;
  /** uWS idle timeout in seconds: 0 or a multiple of 4 in [8, 960]. */
  idleTimeoutSec: number;
  /** uWS max lifetime in minutes: 0 (off) to 240. */
  maxLifetimeMin: number;
  /** Buffered bytes past which a client is conflated. */
  softBackpressureBytes: number;
  /** Buffered bytes past which a client is closed with 4008. */
  hardBackpressureBytes: number;
  /** A client still conflated after this long is closed with 4008. */
  slowClientTimeoutMs: number;
  recentTrades: number;
  recentAlerts: number;
  maxInstruments: number;
  heartbeatMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

type Kind = 'int' | 'string' | 'optional' | 'bool' | 'list' | 'level';

interface Spec {
  key: keyof GatewayOptions;
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  /** [min, max] for integers. */
  range?: [number, number];
}

const SPECS: Spec[] = [
  {
    key: 'port',
    flag: 'port',
    env: 'PORT',
    kind: 'int',
    range: [0, 65535],
    help: 'HTTP/WebSocket port (8080)',
  },
  { key: 'host', flag: 'host', env: 'HOST', kind: 'string', help: 'listen address (0.0.0.0)' },
  {
    key: 'natsUrl',
    flag: 'nats-url',
    env: 'NATS_URL',
    kind: 'string',
    help: 'NATS server (nats://127.0.0.1:14222)',
  },
  {
    key: 'questdbUrl',
    flag: 'questdb-url',
    env: 'QUESTDB_URL',
    kind: 'string',
    help: 'QuestDB HTTP (http://127.0.0.1:19000)',
  },
  {
    key: 'questdbTimeoutMs',
    flag: 'questdb-timeout-ms',
    env: 'QUESTDB_TIMEOUT_MS',
    kind: 'int',
    range: [100, 120_000],
    help: 'QuestDB query timeout (5000)',
  },
  {
    key: 'tablePrefix',
    flag: 'table-prefix',
    env: 'TABLE_PREFIX',
    kind: 'string',
    help: 'QuestDB table prefix ("")',
  },
  { key: 'auth', flag: 'auth', env: 'AUTH', kind: 'bool', help: 'require credentials: true|false (true)' },
  {
    key: 'keysFile',
    flag: 'keys-file',
    env: 'KEYS_FILE',
    kind: 'string',
    help: 'API keys file (tickflow-keys.json)',
  },
  {
    key: 'jwtSecret',
    flag: 'jwt-secret',
    env: 'JWT_SECRET',
    kind: 'optional',
    help: 'HS256 secret for bearer JWTs',
  },
  {
    key: 'jwksFile',
    flag: 'jwks-file',
    env: 'JWKS_FILE',
    kind: 'optional',
    help: 'JWKS file for bearer JWTs',
  },
  { key: 'jwtIssuer', flag: 'jwt-issuer', env: 'JWT_ISSUER', kind: 'optional', help: 'required JWT iss' },
  {
    key: 'jwtAudience',
    flag: 'jwt-audience',
    env: 'JWT_AUDIENCE',
    kind: 'optional',
    help: 'required JWT aud',
  },
  {
    key: 'allowedOrigins',
    flag: 'allowed-origins',
    env: 'ALLOWED_ORIGINS',
    kind: 'list',
    help: 'comma-separated browser origins, or * ("")',
  },
  {
    key: 'maxPayloadBytes',
    flag: 'max-payload-bytes',
    env: 'MAX_PAYLOAD_BYTES',
    kind: 'int',
    range: [256, 1_048_576],
    help: 'largest client message (16384)',
  },
  {
    key: 'maxSubscriptions',
    flag: 'max-subscriptions',
    env: 'MAX_SUBSCRIPTIONS',
    kind: 'int',
    range: [1, 100_000],
    help: 'subscriptions per connection (1000)',
  },
  {
    key: 'ratePerSecond',
    flag: 'rate',
    env: 'RATE',
    kind: 'int',
    range: [1, 100_000],
    help: 'client messages per second (20)',
  },
  {
    key: 'burst',
    flag: 'burst',
    env: 'BURST',
    kind: 'int',
    range: [1, 100_000],
    help: 'client message burst (40)',
  },
  {
    key: 'maxConnectionsPerPrincipal',
    flag: 'max-connections',
    env: 'MAX_CONNECTIONS',
    kind: 'int',
    range: [1, 100_000],
    help: 'connections per token without max_conn (100)',
  },
  {
    key: 'idleTimeoutSec',
    flag: 'idle-timeout',
    env: 'IDLE_TIMEOUT',
    kind: 'int',
    range: [0, 960],
    help: 'idle seconds: 0 or 8..960, multiple of 4 (120)',
  },
  {
    key: 'maxLifetimeMin',
    flag: 'max-lifetime',
    env: 'MAX_LIFETIME',
    kind: 'int',
    range: [0, 240],
    help: 'connection lifetime minutes, 0 = off (0)',
  },
  {
    key: 'softBackpressureBytes',
    flag: 'soft-backpressure',
    env: 'SOFT_BACKPRESSURE',
    kind: 'int',
    range: [1024, 1 << 30],
    help: 'bytes buffered before conflation (262144)',
  },
  {
    key: 'hardBackpressureBytes',
    flag: 'hard-backpressure',
    env: 'HARD_BACKPRESSURE',
    kind: 'int',
    range: [2048, 1 << 30],
    help: 'bytes buffered before close 4008 (4194304)',
  },
  {
    key: 'slowClientTimeoutMs',
    flag: 'slow-client-timeout-ms',
    env: 'SLOW_CLIENT_TIMEOUT_MS',
    kind: 'int',
    range: [100, 600_000],
    help: 'ms a conflated client may take to catch up (10000)',
  },
  {
    key: 'recentTrades',
    flag: 'recent-trades',
    env: 'RECENT_TRADES',
    kind: 'int',
    range: [0, 1000],
    help: 'trades per symbol in snapshots (50)',
  },
  {
    key: 'recentAlerts',
    flag: 'recent-alerts',
    env: 'RECENT_ALERTS',
    kind: 'int',
    range: [0, 1000],
    help: 'alerts per symbol in snapshots (20)',
  },
  {
    key: 'maxInstruments',
    flag: 'max-instruments',
    env: 'MAX_INSTRUMENTS',
    kind: 'int',
    range: [1, 10_000_000],
    help: 'instruments cached (100000)',
  },
  {
    key: 'heartbeatMs',
    flag: 'heartbeat-ms',
    env: 'HEARTBEAT_MS',
    kind: 'int',
    range: [100, 60_000],
    help: 'heartbeat period (1000)',
  },
  { key: 'logLevel', flag: 'log-level', env: 'LOG_LEVEL', kind: 'level', help: 'pino level (info)' },
];

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Defaults of every option. */
export const GATEWAY_DEFAULTS: Readonly<GatewayOptions> = {
  port: 8080,
  host: '0.0.0.0',
  // The project's own local stack (`make up`), never a server that merely happens to run on 4222/9000.
  natsUrl: 'nats://127.0.0.1:14222',
  questdbUrl: 'http://127.0.0.1:19000',
  questdbTimeoutMs: 5000,
  tablePrefix: '',
  auth: true,
  keysFile: 'tickflow-keys.json',
  jwtSecret: undefined,
  jwksFile: undefined,
  jwtIssuer: undefined,
  jwtAudience: undefined,
  allowedOrigins: [],
  maxPayloadBytes: 16_384,
  maxSubscriptions: 1000,
  ratePerSecond: 20,
  burst: 40,
  maxConnectionsPerPrincipal: 100,
  idleTimeoutSec: 120,
  maxLifetimeMin: 0,
  softBackpressureBytes: 262_144,
  hardBackpressureBytes: 4_194_304,
  slowClientTimeoutMs: 10_000,
  recentTrades: 50,
  recentAlerts: 20,
  maxInstruments: 100_000,
  heartbeatMs: 1000,
  logLevel: 'info',
};

/** Prefix of every environment variable. */
export const ENV_PREFIX = 'TICKFLOW_GATEWAY_';

/** The options section of `tickflow gateway --help`. */
export function optionsHelp(): string {
  let out = '';
  for (const s of SPECS) out += `  --${s.flag.padEnd(20)} ${ENV_PREFIX}${s.env.padEnd(20)} ${s.help}\n`;
  return out;
}

function bad(message: string): GatewayError {
  return new GatewayError('TF_ERR_GATEWAY_CONFIG', message);
}

function convert(s: Spec, raw: string, source: string): unknown {
  const where = `options.${s.key} (${source})`;
  switch (s.kind) {
    case 'int': {
      const [min, max] = s.range!;
      const n = /^-?[0-9]{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
      if (!(n >= min && n <= max))
        throw bad(`${where} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw bad(`${where} must be true or false, got ${JSON.stringify(raw)}`);
    case 'list':
      return raw
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0);
    case 'level':
      if (!(LEVELS as readonly string[]).includes(raw))
        throw bad(`${where} must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw;
    default:
      return raw;
  }
}

/**
 * Resolves options from flags, environment and defaults, then validates them
 * together. Returns the options and the arguments left over (positionals).
 * Throws `TF_ERR_GATEWAY_CONFIG` naming the option for any bad value.
 */
export function resolveGatewayOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { options: GatewayOptions; positionals: string[] } {
  const flagConfig: Record<string, { type: 'string' }> = {};
  for (const s of SPECS) flagConfig[s.flag] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: flagConfig, allowPositionals: true, strict: true });
  } catch (err) {
    throw bad((err as Error).message);
  }
  const out: Record<string, unknown> = { ...GATEWAY_DEFAULTS, allowedOrigins: [] };
  for (const s of SPECS) {
    const fromEnv = env[ENV_PREFIX + s.env];
    const fromFlag = parsed.values[s.flag];
    if (typeof fromFlag === 'string') out[s.key] = convert(s, fromFlag, `--${s.flag}`);
    else if (fromEnv !== undefined && fromEnv !== '') out[s.key] = convert(s, fromEnv, ENV_PREFIX + s.env);
  }
  const options = out as unknown as GatewayOptions;
  validateGatewayOptions(options);
  return { options, positionals: parsed.positionals };
}

/** Cross-field and range checks; throws `TF_ERR_GATEWAY_CONFIG` naming the option. */
export function validateGatewayOptions(o: GatewayOptions): void {
  for (const s of SPECS) {
    if (s.kind !== 'int') continue;
    const v = o[s.key] as number;
    const [min, max] = s.range!;
    if (!Number.isInteger(v) || v < min || v > max)
      throw bad(`options.${s.key} must be an integer in [${min}, ${max}], got ${v}`);
  }
  if (o.idleTimeoutSec !== 0 && (o.idleTimeoutSec < 8 || o.idleTimeoutSec % 4 !== 0)) {
    throw bad(`options.idleTimeoutSec must be 0 or a multiple of 4 in [8, 960], got ${o.idleTimeoutSec}`);
  }
  if (o.hardBackpressureBytes <= o.softBackpressureBytes) {
    throw bad(
      `options.hardBackpressureBytes (${o.hardBackpressureBytes}) must be greater than options.softBackpressureBytes (${o.softBackpressureBytes})`,
    );
  }
  if (!/^nats:\/\/|^tls:\/\//.test(o.natsUrl))
    throw bad(`options.natsUrl must start with nats:// or tls://, got ${JSON.stringify(o.natsUrl)}`);
  if (!/^https?:\/\/[^\s/]+/.test(o.questdbUrl))
    throw bad(`options.questdbUrl must be an http(s) URL, got ${JSON.stringify(o.questdbUrl)}`);
  if (o.tablePrefix !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.tablePrefix)) {
    throw bad(
      `options.tablePrefix must be letters, digits and _, not starting with a digit, got ${JSON.stringify(o.tablePrefix)}`,
    );
  }
  if (o.jwtSecret !== undefined && o.jwksFile !== undefined)
    throw bad('options.jwtSecret and options.jwksFile are exclusive; give one');
  if (o.jwtSecret !== undefined && Buffer.byteLength(o.jwtSecret) < 32)
    throw bad('options.jwtSecret must be at least 32 bytes');
  for (const origin of o.allowedOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^\s/]+$/.test(origin)) {
      throw bad(
        `options.allowedOrigins entry ${JSON.stringify(origin)} must be * or scheme://host[:port] without a path`,
      );
    }
  }
}
