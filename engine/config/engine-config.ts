import type { ActorConfig } from '../../actors/index.js';

/** How the engine reaches NATS. */
export interface NatsConnectionConfig {
  /** Seed servers, e.g. `nats://10.0.0.1:4222`; the client discovers the rest of the cluster. */
  servers: string[];
  /** Connection name shown by the NATS server's monitoring endpoints. */
  name: string;
  /** Path of a `.creds` file (JWT + nkey seed); absent when the server needs no credentials. */
  credentials?: string;
}

/** Shape of the JetStream input streams and how their consumers pull. */
export interface StreamsConfig {
  /** Partition count P; fixed per stream once it exists. */
  partitions: number;
  /** Messages older than this are discarded by the server; 0 keeps them forever. */
  maxAgeMs: number;
  /** Per-stream size cap in bytes; -1 means unlimited. */
  maxBytes: number;
  /** Window in which the server drops a repeated `Nats-Msg-Id`. */
  duplicateWindowMs: number;
  /** Unacknowledged messages per consumer before the server stops delivering: the backpressure bound. */
  maxAckPending: number;
  /**
   * Copies of every stream and KV bucket the engine creates: 1 on a single server, 3 (or 5)
   * on a NATS cluster so losing a server loses no data. Fixed at creation; a stream or bucket
   * made with another value is refused, not changed.
   */
  replicas: number;
  /** Time the server waits for an ack before redelivering. */
  ackWaitMs: number;
  /** Messages asked for in one pull. */
  fetchBatch: number;
  /** How long one pull request waits for messages before it expires. */
  fetchExpiresMs: number;
}

/** The engine process itself: identity, shards, mailboxes, leases, snapshots and timers. */
export interface EngineRuntimeConfig {
  /** Identity in partition leases and logs; unique per running process. */
  id: string;
  /** Worker threads; each owns a disjoint set of partitions. */
  shards: number;
  /** Messages a shard mailbox holds before the partitions feeding it stop pulling. */
  mailboxMessages: number;
  /** A partition lease not renewed for this long may be claimed by another engine. */
  leaseTtlMs: number;
  /** Actor state is snapshotted at least this often. */
  snapshotIntervalMs: number;
  /** ...and after this many messages per partition, whichever comes first; 0 turns the count off. */
  snapshotEveryMessages: number;
  /** Period of the timer that closes quiet candles and checks stale feeds. */
  timerTickMs: number;
  /**
   * A shard starts at most one QuestDB flush per interval, unless `questdb.flushRows` rows wait;
   * also the longest time rows wait before a flush (and so before their messages are acked).
   */
  flushIntervalMs: number;
}

/** Where results are stored. */
export interface QuestDbConfig {
  /** ILP-over-HTTP endpoint rows are written to, e.g. `http://127.0.0.1:9000`. */
  ilpUrl: string;
  /** REST endpoint for DDL and queries (`/exec`). */
  httpUrl: string;
  /** Table TTL in days; 0 keeps rows forever. */
  ttlDays: number;
  /** This many rows waiting start a flush without waiting out `engine.flushIntervalMs`. */
  flushRows: number;
  /**
   * Open (not yet closed) candle and indicator rows are written at most this often, the
   * latest per candle; closed candles and revisions are written with their batch. 0 writes
   * every update. NATS carries every update at once either way.
   */
  openRowsEveryMs: number;
  /** First retry delay after a failed flush; doubles up to `retryMaxMs`. */
  retryMinMs: number;
  /** Longest retry delay after repeated failed flushes. */
  retryMaxMs: number;
}

/** Kinds of output record the engine can publish on core NATS. */
export const OUTPUT_KINDS = ['candle', 'indicator', 'alert'] as const;

/** One of {@link OUTPUT_KINDS}. */
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** What the engine publishes back on NATS for trading algorithms. */
export interface OutputsConfig {
  /** Publish results on core NATS at all. */
  publish: boolean;
  /** Which record kinds to publish. */
  kinds: OutputKind[];
}

/** The ops HTTP server (/metrics, /health, /ready). */
export interface OpsHttpConfig {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

/** pino levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Logging. */
export interface LogConfig {
  level: LogLevel;
}

/**
 * Everything `tickflow engine` needs, one value per process. Built by
 * `loadEngineConfig` from defaults, a JSON file of this same shape, `TICKFLOW_*`
 * environment variables and flags; every key is listed by `engineHelp()`.
 */
export interface EngineConfig {
  nats: NatsConnectionConfig;
  streams: StreamsConfig;
  engine: EngineRuntimeConfig;
  questdb: QuestDbConfig;
  outputs: OutputsConfig;
  /** The actors' own config, unchanged in shape (see `actors/config.ts`). */
  actors: ActorConfig;
  http: OpsHttpConfig;
  log: LogConfig;
}
