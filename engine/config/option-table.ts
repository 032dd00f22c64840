import { INTERVALS, SEVERITIES } from '../../schemas/records.js';
import { LOG_LEVELS, OUTPUT_KINDS } from './engine-config.js';

/**
 * How an option's value is read and checked. Kinds marked "(actors)" only check the type here;
 * ranges and cross-field rules come from the actors' own validator, so they are never duplicated.
 */
export type OptionKind =
  | 'integer'
  | 'number'
  | 'boolean'
  | 'string'
  | 'id'
  | 'host'
  | 'path'
  | 'url'
  | 'servers'
  | 'enum'
  | 'enum-list'
  | 'intervals'
  | 'indicators';

/** One row of the option table: everything loading, validation and `--help` need to know about a key. */
export interface EngineOption {
  /** Dotted path into `EngineConfig`, also the key in the JSON file and the long flag (`--streams.partitions`). */
  readonly key: string;
  readonly kind: OptionKind;
  /** One sentence for `--help`. */
  readonly description: string;
  /** Inclusive numeric range; absent for actors' keys, whose ranges the actors check. */
  readonly min?: number;
  readonly max?: number;
  /** A value outside [min, max] that is still accepted, with its meaning, e.g. -1 for unlimited. */
  readonly sentinel?: { readonly value: number; readonly meaning: string };
  /** Accepted words for `enum` and `enum-list`. */
  readonly values?: readonly string[];
  /** Short flag, e.g. `-p`. */
  readonly alias?: string;
  /** May be left unset (no default); an empty value in env or flags unsets it. */
  readonly optional?: boolean;
  /** Shown by `--help` instead of the default value when the default depends on the machine. */
  readonly defaultText?: string;
}

const SEC = 1_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Engine-side options, each with its own range. */
const ENGINE_OPTIONS: readonly EngineOption[] = [
  {
    key: 'nats.servers',
    kind: 'servers',
    alias: '-n',
    description: 'NATS seed servers, comma-separated in env and flags.',
  },
  { key: 'nats.name', kind: 'string', description: 'Connection name shown in NATS server monitoring.' },
  {
    key: 'nats.credentials',
    kind: 'path',
    optional: true,
    description: 'Path of a NATS .creds file; unset when the server needs no credentials.',
  },
  {
    key: 'streams.partitions',
    kind: 'integer',
    min: 1,
    max: 1024,
    alias: '-p',
    description: 'Partition count P of the input streams; must match the streams once they exist.',
  },
  {
    key: 'streams.maxAgeMs',
    kind: 'integer',
    min: 0,
    max: 365 * DAY,
    description: 'Stream retention by age in milliseconds; 0 keeps messages until maxBytes evicts them.',
  },
  {
    key: 'streams.maxBytes',
    kind: 'integer',
    min: 1_048_576,
    max: Number.MAX_SAFE_INTEGER,
    sentinel: { value: -1, meaning: 'unlimited' },
    description: 'Stream size cap in bytes; -1 is unlimited.',
  },
  {
    key: 'streams.duplicateWindowMs',
    kind: 'integer',
    min: 0,
    max: DAY,
    description: 'Window in which JetStream drops a repeated Nats-Msg-Id; at most maxAgeMs.',
  },
  {
    key: 'streams.replicas',
    kind: 'integer',
    min: 1,
    max: 5,
    description:
      'Copies of every stream and KV bucket the engine creates: 1 on one server, 3 on a NATS cluster.',
  },
  {
    key: 'streams.maxAckPending',
    kind: 'integer',
    min: 1,
    max: 1_000_000,
    description:
      'Unacknowledged messages per consumer before delivery stops: the end-to-end backpressure bound.',
  },
  {
    key: 'streams.ackWaitMs',
    kind: 'integer',
    min: SEC,
    max: HOUR,
    description: 'Time JetStream waits for an ack before redelivering; must cover a slow QuestDB flush.',
  },
  {
    key: 'streams.fetchBatch',
    kind: 'integer',
    min: 1,
    max: 10_000,
    description: 'Messages asked for in one pull; at most maxAckPending.',
  },
  {
    key: 'streams.fetchExpiresMs',
    kind: 'integer',
    min: SEC,
    max: 5 * MIN,
    description: 'How long one pull request waits for messages before it expires.',
  },
  {
    key: 'engine.id',
    kind: 'id',
    alias: '-i',
    defaultText: '<hostname>-<pid>',
    description: 'Identity of this process in partition leases and logs; unique per running engine.',
  },
  {
    key: 'engine.shards',
    kind: 'integer',
    min: 1,
    max: 256,
    alias: '-s',
    defaultText: 'number of cores',
    description: 'Worker threads; each owns a disjoint set of partitions.',
  },
  {
    key: 'engine.mailboxMessages',
    kind: 'integer',
    min: 16,
    max: 1_000_000,
    description: 'Messages a shard mailbox holds before its partitions stop pulling.',
  },
  {
    key: 'engine.leaseTtlMs',
    kind: 'integer',
    min: SEC,
    max: 5 * MIN,
    description: 'A partition lease not renewed for this long may be claimed by another engine.',
  },
  {
    key: 'engine.snapshotIntervalMs',
    kind: 'integer',
    min: SEC,
    max: HOUR,
    description: 'Actor state is snapshotted to NATS KV at least this often.',
  },
  {
    key: 'engine.snapshotEveryMessages',
    kind: 'integer',
    min: 0,
    max: 1_000_000_000,
    description: 'Also snapshot a partition after this many messages; 0 turns the count off.',
  },
  {
    key: 'engine.timerTickMs',
    kind: 'integer',
    min: 10,
    max: MIN,
    description: 'Period of the timer that closes quiet candles and detects stale feeds.',
  },
  {
    key: 'engine.flushIntervalMs',
    kind: 'integer',
    min: 1,
    max: MIN,
    description:
      'A shard starts at most one QuestDB flush per interval (sooner once questdb.flushRows rows wait): each flush is a transaction per table, with a fixed cost in QuestDB. Also the longest time rows wait, and so their input waits for its ack.',
  },
  {
    key: 'questdb.ilpUrl',
    kind: 'url',
    alias: '-q',
    description: 'QuestDB ILP-over-HTTP endpoint rows are written to.',
  },
  { key: 'questdb.httpUrl', kind: 'url', description: 'QuestDB REST endpoint for DDL and queries.' },
  {
    key: 'questdb.ttlDays',
    kind: 'integer',
    min: 0,
    max: 36_500,
    description: 'Table TTL in days; 0 keeps rows forever.',
  },
  {
    key: 'questdb.flushRows',
    kind: 'integer',
    min: 1,
    max: 1_000_000,
    description: 'This many rows waiting start a QuestDB flush without waiting out engine.flushIntervalMs.',
  },
  {
    key: 'questdb.openRowsEveryMs',
    kind: 'integer',
    min: 0,
    max: MIN,
    description:
      'Open candle and indicator rows go to QuestDB at most this often (latest per candle); 0 writes every update.',
  },
  {
    key: 'questdb.retryMinMs',
    kind: 'integer',
    min: 1,
    max: MIN,
    description: 'First retry delay after a failed flush; doubles on each further failure.',
  },
  {
    key: 'questdb.retryMaxMs',
    kind: 'integer',
    min: 1,
    max: 10 * MIN,
    description: 'Longest retry delay after repeated failed flushes; at least retryMinMs.',
  },
  { key: 'outputs.publish', kind: 'boolean', description: 'Publish results on core NATS.' },
  {
    key: 'outputs.kinds',
    kind: 'enum-list',
    values: OUTPUT_KINDS,
    description: 'Record kinds published on NATS, comma-separated in env and flags.',
  },
  {
    key: 'http.host',
    kind: 'host',
    description: 'Address the ops HTTP server (/metrics, /health, /ready) binds.',
  },
  {
    key: 'http.port',
    kind: 'integer',
    min: 0,
    max: 65_535,
    description: 'Port of the ops HTTP server; 0 picks a free one.',
  },
  {
    key: 'log.level',
    kind: 'enum',
    values: LOG_LEVELS,
    alias: '-l',
    description: 'Lowest log level written.',
  },
];

/** Actor options: the shape of `ActorConfig`; ranges are checked by `validateActorConfig`. */
const ACTOR_OPTIONS: readonly EngineOption[] = [
  {
    key: 'actors.candles.intervals',
    kind: 'intervals',
    description: 'Candle intervals to build, shortest first, comma-separated in env and flags.',
  },
  {
    key: 'actors.candles.closeDelayMs',
    kind: 'number',
    description:
      'The watermark trails the newest trade time by this much; a candle closes when it passes the end.',
  },
  {
    key: 'actors.candles.allowedLatenessMs',
    kind: 'number',
    description: 'A closed candle stays revisable by late trades this long; later trades are only counted.',
  },
  {
    key: 'actors.candles.idleCloseMs',
    kind: 'number',
    description:
      "A symbol whose latest trade arrived this long before its partition's clock is quiet: the timer closes its candles that ended closeDelayMs + this long before that clock.",
  },
  {
    key: 'actors.indicators',
    kind: 'indicators',
    description:
      "Indicators such as 'sma:20', 'macd:12,26,9', 'bb:20,2', 'vwap'; comma-separated in env and flags.",
  },
  {
    key: 'actors.indicatorIntervals',
    kind: 'intervals',
    description: 'Intervals whose candles feed the indicators; a subset of actors.candles.intervals.',
  },
  {
    key: 'actors.liveIndicators',
    kind: 'boolean',
    description: 'Also emit indicator values over the open candle, replaced as it changes.',
  },
  {
    key: 'actors.liveEveryMs',
    kind: 'number',
    description:
      'Open-candle updates of every interval but the shortest go out at most this often per symbol (closes at once); 0 sends every one.',
  },
  {
    key: 'actors.anomalies.cooldownMs',
    kind: 'number',
    description:
      'After an alert of a kind, further alerts of that kind for the symbol wait this long; 0 is off.',
  },
  ...detector('priceSpike', 'price spike detector', [
    ['windowMs', 'number', 'Trailing window the mean trade price is taken over.'],
    ['bucketMs', 'number', 'Bucket length of that window; windowMs must be a multiple of it.'],
    ['minTrades', 'number', 'Trades the window must hold before the detector judges anything.'],
    ['warnPct', 'number', 'Deviation from the mean, in percent, that raises a warning.'],
    ['criticalPct', 'number', 'Deviation from the mean, in percent, that raises a critical alert.'],
  ]),
  ...detector('volumeSpike', 'volume spike detector', [
    ['interval', 'interval', 'Interval whose closed candle volumes are compared.'],
    ['lookback', 'number', 'Previous closed candles the z-score is computed against.'],
    ['warnZ', 'number', 'Volume z-score that raises a warning.'],
    ['criticalZ', 'number', 'Volume z-score that raises a critical alert.'],
    ['flatFactor', 'number', 'Over a flat history, a volume this many times the mean warns; 0 never.'],
  ]),
  ...detector('staleFeed', 'stale feed detector', [
    ['afterMs', 'number', 'Silence after which an active symbol is reported stale.'],
    ['minUpdates', 'number', 'Arrivals within activeWindowMs that make a symbol active.'],
    ['activeWindowMs', 'number', 'Window the arrivals of an active symbol are counted in.'],
    ['severity', 'severity', 'Severity of a stale feed alert.'],
  ]),
  ...detector('crossedQuote', 'crossed quote detector (bid above ask)', [
    ['severity', 'severity', 'Severity of a crossed quote alert.'],
  ]),
  ...detector('lockedQuote', 'locked quote detector (bid equal to ask)', [
    ['severity', 'severity', 'Severity of a locked quote alert.'],
  ]),
  ...detector('sequenceGap', 'sequence gap detector', [
    ['severity', 'severity', 'Severity of a sequence gap alert.'],
    ['minMissing', 'number', 'Fewest missing sequence numbers that raise an alert.'],
  ]),
  ...detector('outlierPrint', 'outlier print detector', [
    ['pct', 'number', 'Distance in percent from the last price or quote mid that makes a trade an outlier.'],
    ['severity', 'severity', 'Severity of an outlier print alert.'],
  ]),
];

function detector(
  section: string,
  what: string,
  keys: readonly (readonly [string, 'number' | 'interval' | 'severity', string])[],
): EngineOption[] {
  const out: EngineOption[] = [
    { key: `actors.anomalies.${section}.enabled`, kind: 'boolean', description: `Turns the ${what} on.` },
  ];
  for (const [key, kind, description] of keys) {
    const at = `actors.anomalies.${section}.${key}`;
    if (kind === 'number') out.push({ key: at, kind: 'number', description });
    else
      out.push({ key: at, kind: 'enum', values: kind === 'interval' ? INTERVALS : SEVERITIES, description });
  }
  return out;
}

/** Every option the engine reads, in `--help` order. */
export const ENGINE_OPTIONS_TABLE: readonly EngineOption[] = Object.freeze([
  ...ENGINE_OPTIONS,
  ...ACTOR_OPTIONS,
]);

/** Sections of `EngineConfig`, i.e. the first segment of every key. */
export const CONFIG_SECTIONS = [
  'nats',
  'streams',
  'engine',
  'questdb',
  'outputs',
  'actors',
  'http',
  'log',
] as const;

/** Flags that are not options: the config file path and help. */
export const META_FLAGS = { config: '--config', configAlias: '-c', help: '--help', helpAlias: '-h' } as const;

/** Environment variable naming the config file, used when `--config` is absent. */
export const CONFIG_FILE_ENV = 'TICKFLOW_CONFIG';

/** `streams.maxAgeMs` → `TICKFLOW_STREAMS_MAX_AGE_MS`. */
export function optionEnvName(option: EngineOption): string {
  let out = 'TICKFLOW';
  for (const segment of option.key.split('.')) {
    out += `_${segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
  }
  return out;
}

/** `streams.partitions` → `--streams.partitions`. */
export function optionFlag(option: EngineOption): string {
  return `--${option.key}`;
}
