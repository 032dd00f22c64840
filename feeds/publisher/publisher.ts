/**
 * The publisher every feed uses: validates records, frames them per symbol, publishes frames to
 * JetStream with deterministic message ids, bounds outstanding acks and retries failures.
 */
import {
  type Quote,
  type ReasonCode,
  type Trade,
  validateQuote,
  validateTrade,
} from '../../schemas/index.js';
import { FeedError } from './errors.js';
import { type Frame, Framer } from './framer.js';
import { type PublisherOptions, type ResolvedPublisherOptions, resolvePublisherOptions } from './options.js';

/** What a JetStream publish ack must carry; `@nats-io/jetstream`'s `PubAck` has it. */
export interface PublishAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/**
 * The JetStream edge: `jetstream(nc)` from `@nats-io/jetstream` satisfies it; unit tests pass a
 * fake. The promise settles when the stream acks (or refuses) the message.
 */
export interface PublishTarget {
  publish(
    subject: string,
    payload: Uint8Array,
    options: { msgID: string; timeout: number },
  ): Promise<PublishAck>;
}

/** A snapshot of a publisher's counters. */
export interface PublisherStats {
  /** Valid records taken by `publish`. */
  records: number;
  /** Records refused by validation (never sent). */
  rejected: number;
  /** Refused records by reason code. */
  rejectedByReason: Partial<Record<ReasonCode, number>>;
  /** Messages made (frames, or single records when unframed). */
  frames: number;
  /** Messages acked by the stream, duplicates included. */
  acked: number;
  /** Records in acked messages. */
  ackedRecords: number;
  /** Acked messages the stream recognised as duplicates (same message id within its window). */
  duplicates: number;
  /** Failed publish attempts (each retry that fails counts again). */
  errors: number;
  /** Publish attempts after the first for some message. */
  retries: number;
  /** Messages given up after their retries or refused by the stream. */
  failed: number;
  /** Records in failed messages. */
  failedRecords: number;
  /** Messages sent and not yet acked, retries waiting included. */
  inFlight: number;
  /** Messages made but waiting for an in-flight slot. */
  queued: number;
  /** Frames still collecting records. */
  openFrames: number;
  /** Acked records per second since the previous `stats()` call (or since the start). */
  ratePerSec: number;
  /** Message of the most recent publish error, if any. */
  lastError: string | undefined;
}

/**
 * Publishes trades and quotes to partitioned JetStream subjects.
 *
 * `publish()` returns undefined while there is room, and a promise when `maxInFlight` acks are
 * outstanding: the caller must await it before publishing more, which is what bounds memory.
 * `flush()` sends open frames and waits for every ack; `close()` flushes and refuses further records.
 *
 * Per-symbol order holds on the stream as long as publishes succeed. A message retried after a
 * failure can land after later messages of its symbol that were already in flight.
 */
export class Publisher {
  readonly options: ResolvedPublisherOptions;
  private readonly target: PublishTarget;
  private readonly framer: Framer;
  private readonly queue: Frame[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private slotWaiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private idleWaiters: Array<() => void> = [];
  private records = 0;
  private rejected = 0;
  private readonly rejectedByReason: Partial<Record<ReasonCode, number>> = {};
  private frames = 0;
  private acked = 0;
  private ackedRecords = 0;
  private duplicates = 0;
  private errors = 0;
  private retries = 0;
  private failed = 0;
  private failedRecords = 0;
  private lastError: string | undefined;
  private rateAt: number;
  private rateRecords = 0;

  constructor(target: PublishTarget, options: PublisherOptions) {
    this.options = resolvePublisherOptions(options);
    this.target = target;
    const o = this.options;
    this.framer = new Framer(
      {
        partitions: o.partitions,
        maxRecords: o.frameMaxRecords,
        maxBytes: o.frameMaxBytes,
        maxDelayMs: o.frameMaxDelayMs,
        msgIdPrefix: o.msgIdPrefix,
      },
      this.onFrame,
    );
    this.rateAt = o.clock.now();
  }

  /**
   * Takes one record: validates it (a bad one is counted, reported to `onReject` and dropped),
   * frames it, and sends frames that are due. Returns a promise only when the caller must wait
   * for an in-flight slot. Throws `TF_ERR_FEED_CLOSED` after `close()`.
   */
  publish(record: Trade | Quote): Promise<void> | undefined {
    if (this.closed) throw new FeedError('TF_ERR_FEED_CLOSED', 'the publisher is closed');
    const now = this.options.clock.now();
    const type = (record as { type?: unknown }).type;
    const reason: ReasonCode =
      type === 'trade'
        ? validateTrade(record, now)
        : type === 'quote'
          ? validateQuote(record, now)
          : 'bad_type';
    if (reason !== 'ok') {
      this.rejected++;
      this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
      this.options.onReject?.(record, reason);
    } else {
      this.records++;
      this.framer.add(record, now);
      if (this.framer.nextDeadline <= now) this.framer.expire(now);
      this.armTimer();
    }
    return this.inFlight >= this.options.maxInFlight ? this.waitForSlot() : undefined;
  }

  /** Sends every open frame and resolves once every message is acked or given up. */
  flush(): Promise<void> {
    this.framer.flushAll();
    if (this.inFlight === 0 && this.queueHead === this.queue.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes, then refuses further records. Safe to call twice. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A snapshot of the counters; also restarts the rate window. */
  stats(): PublisherStats {
    const now = this.options.clock.now();
    const dt = now - this.rateAt;
    const ratePerSec = dt > 0 ? ((this.ackedRecords - this.rateRecords) * 1000) / dt : 0;
    this.rateAt = now;
    this.rateRecords = this.ackedRecords;
    return {
      records: this.records,
      rejected: this.rejected,
      rejectedByReason: { ...this.rejectedByReason },
      frames: this.frames,
      acked: this.acked,
      ackedRecords: this.ackedRecords,
      duplicates: this.duplicates,
      errors: this.errors,
      retries: this.retries,
      failed: this.failed,
      failedRecords: this.failedRecords,
      inFlight: this.inFlight,
      queued: this.queue.length - this.queueHead,
      openFrames: this.framer.openFrames,
      ratePerSec,
      lastError: this.lastError,
    };
  }

  // Arrow fields: created once per publisher, so handing them to the framer and to timers costs
  // no closure per record.
  private readonly onFrame = (frame: Frame): void => {
    this.frames++;
    if (this.inFlight < this.options.maxInFlight && this.queueHead === this.queue.length) this.send(frame);
    else this.queue.push(frame);
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.framer.expire(this.options.clock.now());
    this.armTimer();
  };

  private armTimer(): void {
    const at = this.framer.nextDeadline;
    if (at === Number.POSITIVE_INFINITY || at >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(0, at - this.options.clock.now()));
  }

  private send(frame: Frame): void {
    if (frame.attempts === 0) this.inFlight++;
    else this.retries++;
    frame.attempts++;
    let ack: Promise<PublishAck>;
    try {
      ack = this.target.publish(frame.subject, frame.payload, {
        msgID: frame.msgId,
        timeout: this.options.ackTimeoutMs,
      });
    } catch (err) {
      this.onFailure(frame, err);
      return;
    }
    ack.then(
      (a) => this.onAck(frame, a),
      (err: unknown) => this.onFailure(frame, err),
    );
  }

  private onAck(frame: Frame, ack: PublishAck): void {
    this.acked++;
    this.ackedRecords += frame.records;
    if (ack.duplicate) this.duplicates++;
    this.release();
  }

  private onFailure(frame: Frame, err: unknown): void {
    this.errors++;
    this.lastError = err instanceof Error ? err.message : String(err);
    if (frame.attempts > this.options.maxRetries || !isRetryable(err)) {
      this.failed++;
      this.failedRecords += frame.records;
      this.options.onError?.(
        new FeedError(
          'TF_ERR_FEED_PUBLISH_FAILED',
          `message ${frame.msgId} to ${frame.subject} failed after ${frame.attempts} attempts: ${this.lastError}`,
          { cause: err },
        ),
        frame,
      );
      this.release();
      return;
    }
    const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (frame.attempts - 1));
    // The message keeps its in-flight slot while it waits, so retries cannot grow memory.
    setTimeout(() => this.send(frame), delay);
  }

  /** One message left flight: send queued messages into the free slots, then wake waiters. */
  private release(): void {
    this.inFlight--;
    const q = this.queue;
    while (this.inFlight < this.options.maxInFlight && this.queueHead < q.length) {
      const next = q[this.queueHead]!;
      q[this.queueHead++] = undefined as unknown as Frame;
      this.send(next);
    }
    if (this.queueHead === q.length && this.queueHead > 0) {
      q.length = 0;
      this.queueHead = 0;
    }
    if (
      this.inFlight < this.options.maxInFlight &&
      this.queueHead === q.length &&
      this.slotWaiter !== undefined
    ) {
      const w = this.slotWaiter;
      this.slotWaiter = undefined;
      w.resolve();
    }
    if (this.inFlight === 0 && this.queueHead === q.length && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (let i = 0; i < waiters.length; i++) waiters[i]!();
    }
  }

  // Every caller blocked at the same moment shares one promise.
  private waitForSlot(): Promise<void> {
    if (this.slotWaiter === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.slotWaiter = { promise, resolve };
    }
    return this.slotWaiter.promise;
  }
}

/**
 * A stream's explicit refusal (a JetStream API error with a 4xx status, e.g. a message over the
 * stream's size limit) will not change on retry; timeouts, no responders (a stream or leader
 * missing for now), 503s and connection errors may.
 */
function isRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return true;
  const e = err as { name?: unknown; status?: unknown };
  if (e.name === 'FeedError') return false;
  return !(typeof e.status === 'number' && e.status >= 400 && e.status < 500);
}
