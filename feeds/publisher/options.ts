/**
 * Publisher options: the shape, the defaults and the validator side by side. Every message names
 * the option and the accepted range, so a bad configuration reads as one sentence.
 */
import { DEFAULT_FRAME_LIMITS, MAX_PARTITIONS, type ReasonCode } from '../../schemas/index.js';
import { FeedError } from './errors.js';

/** A clock in epoch milliseconds; injected so framing deadlines are testable without waiting. */
export interface PublisherClock {
  now(): number;
}

/** Options of a {@link Publisher}. Only `partitions` is required. */
export interface PublisherOptions {
  /** Partition count P of the input streams; the subject's last token is `partitionOf(venue, symbol, P)`. */
  partitions: number;
  /** Most publish acks outstanding at once (retries keep their slot). Default 256. */
  maxInFlight?: number;
  /** Most records in one message; 1 sends every record as its own message (unframed). Default 64. */
  frameMaxRecords?: number;
  /** Largest framed payload in bytes, at most the 1 MiB wire limit. Default 65536. */
  frameMaxBytes?: number;
  /** How long a frame may stay open waiting for more records of its symbol, ms. Default 5. */
  frameMaxDelayMs?: number;
  /** First token of every message id; make it unique per producer and run. Default `tf`. */
  msgIdPrefix?: string;
  /** Publish attempts after the first one before a frame is given up. Default 8. */
  maxRetries?: number;
  /** First retry delay, ms; doubles per attempt up to `retryMaxMs`. Default 50. */
  retryBaseMs?: number;
  /** Longest retry delay, ms. Default 2000. */
  retryMaxMs?: number;
  /** Ack timeout of one publish, ms. Default 5000. */
  ackTimeoutMs?: number;
  /** Clock for validation and frame deadlines. Default `Date`. */
  clock?: PublisherClock;
  /** Called for each refused record with the reason; the record is not sent. */
  onReject?: (record: unknown, reason: ReasonCode) => void;
  /** Called when a frame is given up after its retries, or refused by the stream. */
  onError?: (error: unknown, frame: { subject: string; msgId: string; records: number }) => void;
}

/** {@link PublisherOptions} with every default applied. */
export interface ResolvedPublisherOptions {
  partitions: number;
  maxInFlight: number;
  frameMaxRecords: number;
  frameMaxBytes: number;
  frameMaxDelayMs: number;
  msgIdPrefix: string;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  ackTimeoutMs: number;
  clock: PublisherClock;
  onReject: ((record: unknown, reason: ReasonCode) => void) | undefined;
  onError: ((error: unknown, frame: { subject: string; msgId: string; records: number }) => void) | undefined;
}

/** Defaults of the numeric options. */
export const DEFAULT_PUBLISHER_OPTIONS = {
  maxInFlight: 256,
  frameMaxRecords: 64,
  frameMaxBytes: 65_536,
  frameMaxDelayMs: 5,
  msgIdPrefix: 'tf',
  maxRetries: 8,
  retryBaseMs: 50,
  retryMaxMs: 2000,
  ackTimeoutMs: 5000,
} as const;

// Message ids are `<prefix>:<venue>:<symbol>:...`: a prefix with `:` or spaces would blur the fields.
const PREFIX = /^[A-Za-z0-9_.~-]{1,64}$/;

function integer(name: string, value: number, min: number, max: number): number {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new FeedError(
      'TF_ERR_FEED_OPTION',
      `options.${name} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

function finite(name: string, value: number, min: number, max: number): number {
  if (!(typeof value === 'number' && value >= min && value <= max)) {
    throw new FeedError(
      'TF_ERR_FEED_OPTION',
      `options.${name} must be a number in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

/** Applies defaults and validates; throws `TF_ERR_FEED_OPTION` naming the first bad option. */
export function resolvePublisherOptions(o: PublisherOptions): ResolvedPublisherOptions {
  const d = DEFAULT_PUBLISHER_OPTIONS;
  const prefix = o.msgIdPrefix ?? d.msgIdPrefix;
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new FeedError(
      'TF_ERR_FEED_OPTION',
      `options.msgIdPrefix must be 1-64 characters of A-Z a-z 0-9 _ . ~ -, got ${JSON.stringify(prefix)}`,
    );
  }
  const retryBaseMs = finite('retryBaseMs', o.retryBaseMs ?? d.retryBaseMs, 0, 60_000);
  return {
    partitions: integer('partitions', o.partitions, 1, MAX_PARTITIONS - 1),
    maxInFlight: integer('maxInFlight', o.maxInFlight ?? d.maxInFlight, 1, 1_000_000),
    frameMaxRecords: integer(
      'frameMaxRecords',
      o.frameMaxRecords ?? d.frameMaxRecords,
      1,
      DEFAULT_FRAME_LIMITS.maxRecords,
    ),
    frameMaxBytes: integer(
      'frameMaxBytes',
      o.frameMaxBytes ?? d.frameMaxBytes,
      64,
      DEFAULT_FRAME_LIMITS.maxBytes,
    ),
    frameMaxDelayMs: finite('frameMaxDelayMs', o.frameMaxDelayMs ?? d.frameMaxDelayMs, 0, 60_000),
    msgIdPrefix: prefix,
    maxRetries: integer('maxRetries', o.maxRetries ?? d.maxRetries, 0, 1_000_000),
    retryBaseMs,
    retryMaxMs: finite('retryMaxMs', o.retryMaxMs ?? d.retryMaxMs, retryBaseMs, 600_000),
    ackTimeoutMs: finite('ackTimeoutMs', o.ackTimeoutMs ?? d.ackTimeoutMs, 1, 600_000),
    clock: o.clock ?? Date,
    onReject: o.onReject,
    onError: o.onError,
  };
}
