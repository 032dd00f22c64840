/**
 * Options of the NATS side of the engine, their defaults and their validation, side by side.
 * Every resolver fails eagerly with `TF_ERR_NATS_OPTION` and a sentence naming the key and the
 * accepted range, so a bad config stops the engine at start instead of at the first message.
 */
import { NatsEngineError } from './errors.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Largest partition count accepted: each partition costs one durable consumer per input stream. */
export const MAX_ENGINE_PARTITIONS = 4096;

/** Stream provisioning settings (see `provisionStreams`). */
export interface ProvisionOptions {
  /** Partition count P of the input streams; fixed once a stream exists. Required. */
  partitions: number;
  /** Input streams keep messages at most this long. Default 24 h. */
  inputMaxAgeMs?: number;
  /** Input streams keep at most this many bytes each, oldest dropped first. Default 1 GiB. */
  inputMaxBytes?: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped as a duplicate. Default 2 min. */
  duplicateWindowMs?: number;
  /** How long a delivered message may stay unacked before redelivery. Default 30 s. */
  ackWaitMs?: number;
  /** Most unacked messages per partition consumer; bounds memory in flight. Default 10 000. */
  maxAckPending?: number;
  /** MD_OUT keeps messages at most this long. Default 1 h. */
  outMaxAgeMs?: number;
  /** MD_OUT keeps at most this many bytes. Default 1 GiB. */
  outMaxBytes?: number;
  /** MD_DLQ keeps dead letters at most this long. Default 7 days. */
  dlqMaxAgeMs?: number;
  /** MD_DLQ keeps at most this many bytes. Default 256 MiB. */
  dlqMaxBytes?: number;
  /** Stream replicas: 1 on a single server, 3 on a cluster. Default 1. */
  replicas?: number;
}

/** {@link ProvisionOptions} with every default filled in. */
export type ResolvedProvisionOptions = Required<ProvisionOptions>;

/** Partition lease settings (see `PartitionLeases`). */
export interface LeaseOptions {
  /** Partition count P; must match the input streams. Required. */
  partitions: number;
  /** This engine process's id, unique among live engines: letters, digits, `_`, `-`. Required. */
  engineId: string;
  /** A lease or membership not renewed for this long expires (the buckets' max age). Default 6 s. */
  ttlMs?: number;
  /** Renew leases and membership this often. Default ttlMs / 3. */
  heartbeatMs?: number;
  /** Re-check the fair share this often, besides on every KV change. Default heartbeatMs. */
  rebalanceMs?: number;
  /** Default `tickflow_leases`. */
  leaseBucket?: string;
  /** Default `tickflow_members`. */
  memberBucket?: string;
  /** Copies of both buckets on a NATS cluster. Default 1. */
  replicas?: number;
}

/** {@link LeaseOptions} with every default filled in. */
export type ResolvedLeaseOptions = Required<LeaseOptions>;

/** Snapshot store settings (see `SnapshotStore`). */
export interface SnapshotOptions {
  /** Default `tickflow_snapshots`. */
  bucket?: string;
  /** Largest chunk value; clamped below the server's max_payload. Default 512 KiB. */
  chunkBytes?: number;
  /** Chunk writes or reads in flight at once. Default 4. */
  concurrency?: number;
  /** Copies of the bucket on a NATS cluster. Default 1. */
  replicas?: number;
}

/** {@link SnapshotOptions} with every default filled in. */
export type ResolvedSnapshotOptions = Required<SnapshotOptions>;

/** Partition consumer loop settings (see `PartitionConsumer`). */
export interface ConsumerLoopOptions {
  /** Most messages one pull asks for, and so the most handed out before they are acked. Default 256. */
  maxBatch?: number;
  /** How long one pull waits at the server for messages (nats.js minimum 1 000). Default 5 000. */
  expiresMs?: number;
  /** While paused, re-check the predicate this often. Default 5 ms. */
  pausePollMs?: number;
  /** Report lag this often. Default 5 000 ms. */
  lagIntervalMs?: number;
  /** Wait after a failed pull before the next one. Default 250 ms. */
  retryDelayMs?: number;
}

/** {@link ConsumerLoopOptions} with every default filled in. */
export type ResolvedConsumerLoopOptions = Required<ConsumerLoopOptions>;

function fail(message: string): never {
  throw new NatsEngineError('TF_ERR_NATS_OPTION', message);
}

function int(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`options.${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

const BUCKET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function bucketName(name: string, value: string): string {
  if (typeof value !== 'string' || !BUCKET_NAME.test(value)) {
    fail(`options.${name} must be 1-64 characters of A-Z, a-z, 0-9, _ or -, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills defaults into {@link ProvisionOptions} and checks every key. */
export function resolveProvisionOptions(o: ProvisionOptions): ResolvedProvisionOptions {
  const r: ResolvedProvisionOptions = {
    partitions: int('partitions', o.partitions, 1, MAX_ENGINE_PARTITIONS),
    inputMaxAgeMs: int('inputMaxAgeMs', o.inputMaxAgeMs ?? DAY, SECOND, 365 * DAY),
    inputMaxBytes: int('inputMaxBytes', o.inputMaxBytes ?? GIB, MIB, 2 ** 50),
    duplicateWindowMs: int('duplicateWindowMs', o.duplicateWindowMs ?? 2 * MINUTE, 100, DAY),
    ackWaitMs: int('ackWaitMs', o.ackWaitMs ?? 30 * SECOND, 100, HOUR),
    maxAckPending: int('maxAckPending', o.maxAckPending ?? 10_000, 1, 1_000_000),
    outMaxAgeMs: int('outMaxAgeMs', o.outMaxAgeMs ?? HOUR, SECOND, 365 * DAY),
    outMaxBytes: int('outMaxBytes', o.outMaxBytes ?? GIB, MIB, 2 ** 50),
    dlqMaxAgeMs: int('dlqMaxAgeMs', o.dlqMaxAgeMs ?? 7 * DAY, SECOND, 365 * DAY),
    dlqMaxBytes: int('dlqMaxBytes', o.dlqMaxBytes ?? 256 * MIB, MIB, 2 ** 50),
    replicas: int('replicas', o.replicas ?? 1, 1, 5),
  };
  // The server refuses a duplicate window longer than the stream keeps messages.
  if (r.duplicateWindowMs > r.inputMaxAgeMs) {
    fail(
      `options.duplicateWindowMs (${r.duplicateWindowMs}) must not exceed options.inputMaxAgeMs (${r.inputMaxAgeMs})`,
    );
  }
  return r;
}

const ENGINE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Fills defaults into {@link LeaseOptions} and checks every key. */
export function resolveLeaseOptions(o: LeaseOptions): ResolvedLeaseOptions {
  if (typeof o.engineId !== 'string' || !ENGINE_ID.test(o.engineId)) {
    fail(
      `options.engineId must be 1-64 characters of A-Z, a-z, 0-9, _ or -, got ${JSON.stringify(o.engineId)}`,
    );
  }
  const partitions = int('partitions', o.partitions, 1, MAX_ENGINE_PARTITIONS);
  const ttlMs = int('ttlMs', o.ttlMs ?? 6 * SECOND, SECOND, 10 * MINUTE);
  // Renewing at least twice per TTL leaves one missed heartbeat of slack before a lease expires.
  const heartbeatMs = int('heartbeatMs', o.heartbeatMs ?? Math.floor(ttlMs / 3), 50, Math.floor(ttlMs / 2));
  const rebalanceMs = int('rebalanceMs', o.rebalanceMs ?? heartbeatMs, 50, 10 * MINUTE);
  const leaseBucket = bucketName('leaseBucket', o.leaseBucket ?? 'tickflow_leases');
  const memberBucket = bucketName('memberBucket', o.memberBucket ?? 'tickflow_members');
  if (leaseBucket === memberBucket) fail('options.leaseBucket and options.memberBucket must differ');
  const replicas = int('replicas', o.replicas ?? 1, 1, 5);
  return {
    partitions,
    engineId: o.engineId,
    ttlMs,
    heartbeatMs,
    rebalanceMs,
    leaseBucket,
    memberBucket,
    replicas,
  };
}

/** Fills defaults into {@link SnapshotOptions} and checks every key. */
export function resolveSnapshotOptions(o: SnapshotOptions = {}): ResolvedSnapshotOptions {
  return {
    bucket: bucketName('bucket', o.bucket ?? 'tickflow_snapshots'),
    chunkBytes: int('chunkBytes', o.chunkBytes ?? 512 * 1024, 1024, 64 * MIB),
    concurrency: int('concurrency', o.concurrency ?? 4, 1, 64),
    replicas: int('replicas', o.replicas ?? 1, 1, 5),
  };
}

/** Fills defaults into {@link ConsumerLoopOptions} and checks every key. */
export function resolveConsumerLoopOptions(o: ConsumerLoopOptions = {}): ResolvedConsumerLoopOptions {
  return {
    maxBatch: int('maxBatch', o.maxBatch ?? 256, 1, 100_000),
    expiresMs: int('expiresMs', o.expiresMs ?? 5 * SECOND, SECOND, 5 * MINUTE),
    pausePollMs: int('pausePollMs', o.pausePollMs ?? 5, 1, 10 * SECOND),
    lagIntervalMs: int('lagIntervalMs', o.lagIntervalMs ?? 5 * SECOND, 10, HOUR),
    retryDelayMs: int('retryDelayMs', o.retryDelayMs ?? 250, 1, MINUTE),
  };
}
