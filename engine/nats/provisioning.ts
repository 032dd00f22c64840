/**
 * Idempotent provisioning of tickflow's JetStream streams and partition consumers, run by every
 * engine at start. Safe when several engines start at once: a create that loses the race is
 * followed by a fresh read and a reconcile, never by a second different create.
 *
 * Written for nats-server 2.9: stream `metadata` needs 2.10, so the partition count P is recorded
 * in the stream description (`partitions=P`) and read back from there; each partition consumer
 * has one `filter_subject` (multiple filter subjects also need 2.10).
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import {
  alertFilter,
  candleFilter,
  dlqFilter,
  type InputKind,
  indicatorFilter,
  inputFilter,
  partitionFilter,
} from '../../schemas/index.js';
import { NatsEngineError } from './errors.js';
import { type ProvisionOptions, type ResolvedProvisionOptions, resolveProvisionOptions } from './options.js';

/** Stream names tickflow uses. */
export const STREAMS = {
  trades: 'MD_TRADES',
  quotes: 'MD_QUOTES',
  out: 'MD_OUT',
  dlq: 'MD_DLQ',
} as const;

/** The two partitioned input streams and the input kind each one holds. */
export const INPUT_STREAMS: ReadonlyArray<{ stream: string; kind: InputKind }> = [
  { stream: STREAMS.trades, kind: 'trade' },
  { stream: STREAMS.quotes, kind: 'quote' },
];

/** Durable name of the pull consumer of partition `p` on an input stream, e.g. `MD_TRADES_p3`. */
export function partitionConsumerName(stream: string, partition: number): string {
  return `${stream}_p${partition}`;
}

const PARTITIONS_TAG = /\bpartitions=(\d+)\b/;

/**
 * The partition count recorded in an input stream's description, or null when there is none
 * (a stream tickflow did not create).
 */
export function readPartitionCount(info: StreamInfo): number | null {
  const m = PARTITIONS_TAG.exec(info.config.description ?? '');
  return m === null ? null : Number(m[1]);
}

/** What {@link provisionStreams} did, stream by stream. */
export interface ProvisionResult {
  /** Streams made by this call. */
  createdStreams: string[];
  /** Streams whose limits this call changed. */
  updatedStreams: string[];
  /** Consumers made by this call. */
  createdConsumers: string[];
  /** Consumers whose ack wait or max ack pending this call changed. */
  updatedConsumers: string[];
  /** Every partition consumer, by input stream: index p holds partition p's durable name. */
  consumers: Record<string, string[]>;
  options: ResolvedProvisionOptions;
}

// JetStream API error codes seen when two engines create the same thing at once.
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}

interface WantedStream {
  name: string;
  subjects: string[];
  description: string;
  maxAgeMs: number;
  maxBytes: number;
  duplicateWindowMs: number;
  partitions: number | null;
}

function wantedStreams(o: ResolvedProvisionOptions): WantedStream[] {
  const out: WantedStream[] = [];
  for (const { stream, kind } of INPUT_STREAMS) {
    out.push({
      name: stream,
      subjects: [inputFilter(kind)],
      description: `tickflow ${kind} input; partitions=${o.partitions}`,
      maxAgeMs: o.inputMaxAgeMs,
      maxBytes: o.inputMaxBytes,
      duplicateWindowMs: o.duplicateWindowMs,
      partitions: o.partitions,
    });
  }
  out.push({
    name: STREAMS.out,
    subjects: [candleFilter(), indicatorFilter(), alertFilter()],
    description: 'tickflow outputs: candles, indicators, alerts',
    maxAgeMs: o.outMaxAgeMs,
    maxBytes: o.outMaxBytes,
    duplicateWindowMs: Math.min(o.duplicateWindowMs, o.outMaxAgeMs),
    partitions: null,
  });
  out.push({
    name: STREAMS.dlq,
    subjects: [dlqFilter()],
    description: 'tickflow dead letters',
    maxAgeMs: o.dlqMaxAgeMs,
    maxBytes: o.dlqMaxBytes,
    duplicateWindowMs: Math.min(o.duplicateWindowMs, o.dlqMaxAgeMs),
    partitions: null,
  });
  return out;
}

function sameSubjects(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (const s of a) if (!b.includes(s)) return false;
  return true;
}

async function streamInfoOrNull(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (apiCode(err) === STREAM_NOT_FOUND) return null;
    throw err;
  }
}

function checkImmutable(info: StreamInfo, want: WantedStream, o: ResolvedProvisionOptions): void {
  const c = info.config;
  if (want.partitions !== null) {
    const have = readPartitionCount(info);
    if (have === null) {
      throw new NatsEngineError(
        'TF_ERR_NATS_STREAM_CONFLICT',
        `stream ${want.name} exists but records no partition count in its description ` +
          `(${JSON.stringify(c.description ?? '')}); it was not made by tickflow: delete it or rename it`,
      );
    }
    if (have !== want.partitions) {
      throw new NatsEngineError(
        'TF_ERR_NATS_PARTITION_MISMATCH',
        `stream ${want.name} was created with ${have} partitions but this engine was started with ` +
          `${want.partitions}; P is fixed per stream: start with partitions=${have}, or drain and delete the stream`,
      );
    }
  }
  const conflicts: string[] = [];
  if (c.storage !== StorageType.File) conflicts.push(`storage is ${c.storage}, tickflow needs file`);
  if (c.retention !== RetentionPolicy.Limits) {
    conflicts.push(`retention is ${c.retention}, tickflow needs limits`);
  }
  if (c.num_replicas !== o.replicas) {
    conflicts.push(`replicas is ${c.num_replicas}, options.replicas is ${o.replicas}`);
  }
  if (conflicts.length > 0) {
    throw new NatsEngineError(
      'TF_ERR_NATS_STREAM_CONFLICT',
      `stream ${want.name} exists with settings tickflow will not change in place: ${conflicts.join('; ')}`,
    );
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  want: WantedStream,
  o: ResolvedProvisionOptions,
  result: ProvisionResult,
): Promise<void> {
  const cfg: Partial<StreamConfig> & { name: string } = {
    name: want.name,
    subjects: want.subjects,
    description: want.description,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(want.maxAgeMs),
    max_bytes: want.maxBytes,
    duplicate_window: nanos(want.duplicateWindowMs),
    num_replicas: o.replicas,
  };
  // Two rounds: when a concurrent engine creates the stream between our read and our create,
  // the second round reads it and reconciles.
  for (let round = 0; ; round++) {
    const info = await streamInfoOrNull(jsm, want.name);
    if (info === null) {
      try {
        await jsm.streams.add(cfg);
        result.createdStreams.push(want.name);
        return;
      } catch (err) {
        if (round === 0 && (await streamInfoOrNull(jsm, want.name)) !== null) continue;
        throw new NatsEngineError(
          'TF_ERR_NATS_STREAM_CONFLICT',
          `cannot create stream ${want.name} over ${want.subjects.join(', ')}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    checkImmutable(info, want, o);
    const c = info.config;
    if (
      c.max_age === cfg.max_age &&
      c.max_bytes === cfg.max_bytes &&
      c.duplicate_window === cfg.duplicate_window &&
      sameSubjects(c.subjects ?? [], want.subjects)
    ) {
      return;
    }
    try {
      await jsm.streams.update(want.name, {
        subjects: want.subjects,
        max_age: cfg.max_age!,
        max_bytes: cfg.max_bytes!,
        duplicate_window: cfg.duplicate_window!,
      });
    } catch (err) {
      throw new NatsEngineError(
        'TF_ERR_NATS_STREAM_CONFLICT',
        `cannot update the limits of stream ${want.name}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    result.updatedStreams.push(want.name);
    return;
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  kind: InputKind,
  partition: number,
  o: ResolvedProvisionOptions,
  result: ProvisionResult,
): Promise<string> {
  const durable = partitionConsumerName(stream, partition);
  const filter = partitionFilter(kind, partition);
  const ackWait = nanos(o.ackWaitMs);
  for (let round = 0; ; round++) {
    let existing: Awaited<ReturnType<typeof jsm.consumers.info>> | null = null;
    try {
      existing = await jsm.consumers.info(stream, durable);
    } catch (err) {
      if (apiCode(err) !== CONSUMER_NOT_FOUND) throw err;
    }
    if (existing === null) {
      try {
        await jsm.consumers.add(stream, {
          durable_name: durable,
          description: `tickflow partition ${partition} of ${stream}`,
          filter_subject: filter,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: ackWait,
          max_ack_pending: o.maxAckPending,
        });
        result.createdConsumers.push(durable);
        return durable;
      } catch (err) {
        if (round === 0) continue;
        throw new NatsEngineError(
          'TF_ERR_NATS_CONSUMER_CONFLICT',
          `cannot create consumer ${durable} on ${stream}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    const c = existing.config;
    const conflicts: string[] = [];
    if ((c.filter_subject ?? '') !== filter) {
      conflicts.push(`filter_subject is ${JSON.stringify(c.filter_subject ?? '')}, tickflow needs ${filter}`);
    }
    if (c.ack_policy !== AckPolicy.Explicit)
      conflicts.push(`ack_policy is ${c.ack_policy}, tickflow needs explicit`);
    if (c.deliver_policy !== DeliverPolicy.All) {
      conflicts.push(`deliver_policy is ${c.deliver_policy}, tickflow needs all`);
    }
    if (c.deliver_subject !== undefined && c.deliver_subject !== '') {
      conflicts.push('it is a push consumer, tickflow needs pull');
    }
    if (conflicts.length > 0) {
      throw new NatsEngineError(
        'TF_ERR_NATS_CONSUMER_CONFLICT',
        `consumer ${durable} on ${stream} exists with settings tickflow will not change: ${conflicts.join('; ')}`,
      );
    }
    if (c.ack_wait !== ackWait || c.max_ack_pending !== o.maxAckPending) {
      try {
        await jsm.consumers.update(stream, durable, { ack_wait: ackWait, max_ack_pending: o.maxAckPending });
      } catch (err) {
        throw new NatsEngineError(
          'TF_ERR_NATS_CONSUMER_CONFLICT',
          `cannot update consumer ${durable} on ${stream}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      result.updatedConsumers.push(durable);
    }
    return durable;
  }
}

/**
 * Creates or reconciles MD_TRADES, MD_QUOTES (partitioned inputs with P recorded), MD_OUT and
 * MD_DLQ, and one durable pull consumer per partition per input stream. Limits that differ are
 * updated in place; a different P rejects with `TF_ERR_NATS_PARTITION_MISMATCH` naming both
 * counts; immutable settings that differ (storage, retention, replicas, a consumer's filter, ack
 * or deliver policy) reject with `TF_ERR_NATS_STREAM_CONFLICT` / `TF_ERR_NATS_CONSUMER_CONFLICT`.
 * Every existing stream is checked before anything is created or updated, so a refusal changes nothing.
 */
export async function provisionStreams(
  nc: NatsConnection,
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const o = resolveProvisionOptions(options);
  const jsm = await jetstreamManager(nc);
  const result: ProvisionResult = {
    createdStreams: [],
    updatedStreams: [],
    createdConsumers: [],
    updatedConsumers: [],
    consumers: {},
    options: o,
  };
  const wanted = wantedStreams(o);
  // Refuse a P or immutable mismatch on any existing stream before changing anything.
  for (const want of wanted) {
    const info = await streamInfoOrNull(jsm, want.name);
    if (info !== null) checkImmutable(info, want, o);
  }
  for (const want of wanted) await ensureStream(jsm, want, o, result);
  for (const { stream, kind } of INPUT_STREAMS) {
    const pending: Promise<string>[] = [];
    for (let p = 0; p < o.partitions; p++) pending.push(ensureConsumer(jsm, stream, kind, p, o, result));
    result.consumers[stream] = await Promise.all(pending);
  }
  return result;
}
