import { setImmediate } from 'node:timers/promises';
import type { JsMsg } from '@nats-io/jetstream';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ActorFactory, SymbolActor } from '../../actors/index.js';
import type { Quote, ReasonCode, Trade } from '../../schemas/index.js';
import {
  decodePayload,
  escapeSymbol,
  partitionFilter,
  partitionOf,
  REASON_OK,
  validateQuote,
  validateTrade,
} from '../../schemas/index.js';
import type { ConsumerLag, SnapshotStore } from '../nats/index.js';
import { PartitionConsumer, partitionConsumerName } from '../nats/index.js';
import type { WorkerMetrics } from '../observability/index.js';
import type { OutputSink } from './output-sink.js';
import type { PartitionSnapshot } from './partition-snapshot.js';
import {
  decodePartitionSnapshot,
  encodePartitionSnapshot,
  PARTITION_SNAPSHOT_VERSION,
} from './partition-snapshot.js';

/** Input kinds and the streams that carry them. */
const KINDS = ['trade', 'quote'] as const;
type Kind = (typeof KINDS)[number];
const STREAM_OF: Record<Kind, string> = { trade: 'MD_TRADES', quote: 'MD_QUOTES' };
/**
 * Longest stretch of processing before the partition yields to the event loop. A pull of 256
 * framed messages is 16k trades, and several partitions' pulls can arrive in one socket read:
 * processed in one go they held a shard thread for up to a second or more while draining a
 * backlog (bench/engine, shard event-loop delay), and the outputs published early in it sat
 * unsent until it ended.
 */
const SLICE_MS = 5;
/** Snapshot key: one snapshot covers both input streams of a partition. */
export const SNAPSHOT_STREAM = 'MD';

/** A processed batch on its way to QuestDB: acked once its rows and dead letters landed. */
interface Landing {
  kind: Kind;
  batch: JsMsg[];
  deadLetters: Promise<void>[];
  /** The writer's stamp after its rows were added. */
  stamp: number;
  /** performance.now() when it arrived. */
  started: number;
}

/** What a partition needs from its shard. */
export interface PartitionDeps {
  nc: NatsConnection;
  partitions: number;
  factory: ActorFactory;
  sink: OutputSink;
  writer: {
    addTrade(t: Trade): void;
    addQuote(q: Quote): void;
    /**
     * `open`: also the held-back open candle and indicator rows (see questdb.openRowsEveryMs);
     * `now`: skip the batching gap (engine.flushIntervalMs).
     */
    flush(options?: { open?: boolean; now?: boolean }): Promise<{ ok: boolean; retryInMs: number }>;
    /** The flush attempt that rows added now go with. */
    readonly stamp: number;
    /** Rows added under a stamp up to this one have landed. */
    readonly landedStamp: number;
  };
  deadLetter(msg: JsMsg, reason: ReasonCode, detail: string): Promise<void>;
  snapshots: SnapshotStore;
  /** Shard-level backpressure: while true no partition pulls. */
  paused(): boolean;
  fetchBatch: number;
  fetchExpiresMs: number;
  snapshotIntervalMs: number;
  snapshotEveryMessages: number;
  metrics: WorkerMetrics;
  onLag?(lag: ConsumerLag): void;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
}

/**
 * One partition owned by this engine: its actors, its two durable consumers
 * (trades and quotes), recovery from snapshot + replay, and periodic
 * snapshots.
 *
 * Batches of both streams are processed one at a time (a per-partition
 * lock). Their outputs are on NATS at once; their rows are flushed to QuestDB
 * and their messages acked in the background while the next batches are
 * processed: one landing loop per partition takes every batch processed since
 * its last flush into the next one, so a trickle of tiny batches costs one
 * QuestDB transaction per flush, not one each. What bounds the work waiting
 * for QuestDB is the writer's row bound (`isFull()` stops the pulling) and the
 * consumers' max_ack_pending. A snapshot first waits for the landing, so it
 * covers exactly the acked messages.
 */
export class PartitionRunner {
  readonly partition: number;
  private readonly deps: PartitionDeps;
  /** venue -> symbol -> actor. */
  private readonly actors = new Map<string, Map<string, SymbolActor>>();
  private readonly lastSeq: Record<Kind, number> = { trade: 0, quote: 0 };
  private readonly consumers: PartitionConsumer[] = [];
  private readonly dirty = new Set<SymbolActor>();
  /** Batches processed whose rows have not been handed to a flush yet, oldest first. */
  private waiting: Landing[] = [];
  /** The loop that flushes and acks `waiting`; null while there is nothing to land. */
  private landing: Promise<void> | null = null;
  private lock: Promise<void> = Promise.resolve();
  /** `drain` is waiting for the landing: its flushes skip the batching gap meanwhile. */
  private hurryLanding = false;
  private sinceSnapshot = 0;
  /** Newest trade event time applied, and the wall clock when it was (see tick). */
  private newestTs = Number.NEGATIVE_INFINITY;
  private newestTsAt = 0;
  private lastSnapshotAt = Date.now();
  private stopped = false;

  private constructor(partition: number, deps: PartitionDeps) {
    this.partition = partition;
    this.deps = deps;
  }

  /** Restores the latest snapshot, replays what it does not cover, then starts consuming. */
  static async start(partition: number, deps: PartitionDeps): Promise<PartitionRunner> {
    const r = new PartitionRunner(partition, deps);
    await r.restore();
    for (const kind of KINDS) await r.replay(kind);
    for (const kind of KINDS) {
      const consumer = await PartitionConsumer.open(deps.nc, {
        stream: STREAM_OF[kind],
        partition,
        handler: (batch) => r.handle(kind, batch),
        paused: deps.paused,
        maxBatch: deps.fetchBatch,
        expiresMs: deps.fetchExpiresMs,
        ...(deps.onLag ? { onLag: deps.onLag } : {}),
        onError: (err) => deps.log.warn({ err, partition, kind }, 'consumer error'),
      });
      r.consumers.push(consumer);
      consumer.start();
    }
    return r;
  }

  /** Number of actors (symbols) this partition holds. */
  get symbols(): number {
    let n = 0;
    for (const m of this.actors.values()) n += m.size;
    return n;
  }

  /**
   * Timer closes and stale-feed checks, on the partition's event-time clock: the newest trade
   * time it has seen, advanced by the wall-clock time since it was seen, never past `now`. Live,
   * that is the wall clock; while a backlog drains it is where the backlog is, so a quiet
   * symbol's candle closes when the market around it has moved on, not at once because its
   * event times are in the past (which would have the next trade of it revise the candle).
   */
  tick(now: number): void {
    if (this.stopped) return;
    const clock =
      this.newestTs === Number.NEGATIVE_INFINITY
        ? now
        : Math.min(now, this.newestTs + (now - this.newestTsAt));
    for (const bySymbol of this.actors.values()) {
      for (const a of bySymbol.values()) {
        a.onTimer(clock);
        a.flushDue(now);
      }
    }
  }

  /** Lets a paused consumer pull again (backpressure cleared). */
  wake(): void {
    for (const c of this.consumers) c.wake();
  }

  /** Graceful hand-over: stop pulling, finish the batch in flight, flush, snapshot. */
  async release(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.withLock(async () => {
      // The next owner starts from QuestDB as we leave it: open candles included. This also
      // hurries the landing's flush past its batching gap.
      await this.flushUntilLanded({ open: true });
      await this.drain();
      await this.snapshot();
    });
    this.stopped = true;
  }

  /** The lease is gone: stop at once; unacked messages go to the new owner. */
  async revoke(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.consumers.map((c) => c.stop({ abort: true })));
  }

  private withLock(work: () => Promise<void>): Promise<void> {
    const next = this.lock.then(work);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async handle(kind: Kind, batch: JsMsg[]): Promise<void> {
    await this.withLock(async () => {
      if (this.stopped) return;
      const started = performance.now();
      const now = Date.now();
      const deadLetters: Promise<void>[] = [];
      let done = 0;
      for (;;) {
        done = this.processBatch(kind, batch, now, true, deadLetters, done, performance.now() + SLICE_MS);
        if (done >= batch.length) break;
        // Let timers, the socket writes of the outputs just published and other partitions run.
        await setImmediate();
        // Revoked meanwhile: the rest goes to the new owner unacked.
        if (this.stopped) break;
      }
      const handled = done === batch.length ? batch : batch.slice(0, done);
      this.waiting.push({ kind, batch: handled, deadLetters, started, stamp: this.deps.writer.stamp });
      this.landing ??= this.land();
      this.sinceSnapshot += handled.length;
      const every = this.deps.snapshotEveryMessages;
      if (
        (every > 0 && this.sinceSnapshot >= every) ||
        Date.now() - this.lastSnapshotAt >= this.deps.snapshotIntervalMs
      ) {
        // A snapshot covers exactly what is stored and acked: wait for the landing.
        await this.drain();
        await this.snapshot();
      }
    });
  }

  /**
   * Flushes and acks waiting batches, in order, until none is left. A batch is acked once the
   * flush that took its rows landed (the writer's stamps say which did), so batches processed
   * while a flush waits out its batching gap go with it, and those processed while it is in
   * flight go with the next one.
   */
  private async land(): Promise<void> {
    const writer = this.deps.writer;
    try {
      while (this.waiting.length > 0) {
        try {
          // Its rows may have landed already with a flush another partition of the shard asked
          // for; asking again would only wait out the next batching gap before the acks.
          if (this.waiting[0]!.stamp > writer.landedStamp) {
            await this.flushUntilLanded(this.hurryLanding ? { now: true } : {});
          }
        } catch (err) {
          // The writer closed (shutdown): nothing more is acked; JetStream delivers it again.
          this.deps.log.error(
            { err: (err as Error).message, partition: this.partition, batches: this.waiting.length },
            'batches not stored',
          );
          this.waiting = [];
          return;
        }
        let n = 0;
        while (n < this.waiting.length && this.waiting[n]!.stamp <= writer.landedStamp) n++;
        const group = this.waiting.splice(0, n);
        const settled = await Promise.all(group.map((g) => Promise.allSettled(g.deadLetters)));
        const landedAt = performance.now();
        for (let i = 0; i < group.length; i++) {
          const g = group[i]!;
          const failed = settled[i]!.find((r) => r.status === 'rejected');
          if (failed !== undefined) {
            // Not acked: JetStream delivers the batch again (to us or to the next owner).
            this.deps.log.error(
              {
                err: String((failed as PromiseRejectedResult).reason),
                partition: this.partition,
                kind: g.kind,
              },
              'batch not stored: its dead letter was not published',
            );
            continue;
          }
          for (let j = 0; j < g.batch.length; j++) g.batch[j]!.ack();
          // Time from the batch's arrival to its rows landing in QuestDB, charged to each message.
          const each = (landedAt - g.started) / 1000 / Math.max(g.batch.length, 1);
          for (let j = 0; j < g.batch.length; j++) this.deps.metrics.observeLatency(each);
        }
      }
    } finally {
      this.landing = null;
    }
  }

  /**
   * Lands every processed batch now and waits for its acks. Callers hold the partition's lock
   * (snapshot, hand-over), so the flushes skip the batching gap: waiting it out stalled the
   * partition, its live outputs too, for up to engine.flushIntervalMs (snapshot-landing.live).
   */
  private async drain(): Promise<void> {
    if (this.landing === null) return;
    this.hurryLanding = true;
    try {
      // Ends a gap the landing loop may be waiting in; its next flushes see hurryLanding.
      await this.flushUntilLanded({ now: true });
      while (this.landing !== null) await this.landing;
    } finally {
      this.hurryLanding = false;
    }
  }

  /**
   * Decodes, validates and applies a batch's messages from `from` on, until the batch ends or
   * `deadline` (performance.now() ms) passes, then publishes the open candles that changed;
   * returns the index of the first message not processed. Dead-letter publishes to wait for
   * are pushed to `dlq`. A replay (`live` false) re-applies messages whose dead letters were
   * published the first time, so it publishes none.
   */
  private processBatch(
    kind: Kind,
    batch: readonly JsMsg[],
    now: number,
    live: boolean,
    dlq: Promise<void>[],
    from = 0,
    deadline = Number.POSITIVE_INFINITY,
  ): number {
    let i = from;
    while (i < batch.length) {
      const m = batch[i++]!;
      // Already covered by the restored state (an ack that was lost, or a replayed range).
      if (m.seq > this.lastSeq[kind]) {
        const problem = this.processMessage(kind, m.data, now, live);
        if (problem !== null && live) dlq.push(this.deadLetter(m, problem.reason, problem.detail));
        this.lastSeq[kind] = m.seq;
      }
      if (deadline !== Number.POSITIVE_INFINITY && performance.now() >= deadline) break;
    }
    for (const a of this.dirty) a.flush(now);
    this.dirty.clear();
    return i;
  }

  /** Applies one message's records; returns why (some of) it was refused, or null. */
  private processMessage(
    kind: Kind,
    data: Uint8Array,
    now: number,
    live: boolean,
  ): { reason: ReasonCode; detail: string } | null {
    const decoded = decodePayload(data);
    if (!decoded.ok) return { reason: decoded.reason, detail: decoded.detail };
    const records = decoded.records;
    const metrics = this.deps.metrics;
    let firstReason: ReasonCode | null = null;
    let refused = '';
    for (let i = 0; i < records.length; i++) {
      const rec = records[i] as Trade | Quote;
      let reason: ReasonCode = kind === 'trade' ? validateTrade(rec, now) : validateQuote(rec, now);
      let actor: SymbolActor | null = null;
      if (reason === REASON_OK) {
        if (rec.type !== kind) reason = 'bad_type';
        else {
          actor = this.actorFor(rec.venue, rec.symbol);
          if (actor === null) reason = 'bad_partition';
        }
      }
      if (reason !== REASON_OK || actor === null) {
        if (live) metrics.reject(reason);
        if (firstReason === null) firstReason = reason;
        refused += refused.length === 0 ? `#${i} ${reason}` : `, #${i} ${reason}`;
        continue;
      }
      if (kind === 'trade') {
        if (live) metrics.trades++;
        if (actor.applyTrade(rec as Trade, now) === 'late' && live) metrics.lateTrades++;
        if (rec.ts > this.newestTs) {
          this.newestTs = rec.ts;
          this.newestTsAt = now;
        }
        this.deps.writer.addTrade(rec as Trade);
      } else {
        if (live) metrics.quotes++;
        actor.applyQuote(rec as Quote);
        this.deps.writer.addQuote(rec as Quote);
      }
      this.dirty.add(actor);
    }
    if (firstReason === null) return null;
    return {
      reason: firstReason,
      detail: `record(s) ${refused} of ${records.length} refused; the others were processed`,
    };
  }

  private deadLetter(m: JsMsg, reason: ReasonCode, detail: string): Promise<void> {
    this.deps.metrics.deadLetter(reason);
    return this.deps.deadLetter(m, reason, detail);
  }

  /** The actor of (venue, symbol), created on first use; null when the symbol belongs to another partition. */
  private actorFor(venue: string, symbol: string): SymbolActor | null {
    let bySymbol = this.actors.get(venue);
    if (bySymbol === undefined) {
      bySymbol = new Map();
      this.actors.set(venue, bySymbol);
    }
    let actor = bySymbol.get(symbol);
    if (actor === undefined) {
      if (partitionOf(venue, escapeSymbol(symbol), this.deps.partitions) !== this.partition) return null;
      actor = this.deps.factory.create(venue, symbol, this.deps.sink);
      bySymbol.set(symbol, actor);
    }
    return actor;
  }

  /** Flushes the shard's writer until this batch's rows landed (QuestDB down: wait, never drop). */
  private async flushUntilLanded(options: { open?: boolean; now?: boolean } = {}): Promise<void> {
    for (;;) {
      const r = await this.deps.writer.flush(options);
      if (r.ok) return;
    }
  }

  private async snapshot(): Promise<void> {
    const actors = [];
    for (const bySymbol of this.actors.values()) for (const a of bySymbol.values()) actors.push(a.snapshot());
    const snap: PartitionSnapshot = {
      v: PARTITION_SNAPSHOT_VERSION,
      partition: this.partition,
      tradesSeq: this.lastSeq.trade,
      quotesSeq: this.lastSeq.quote,
      takenAt: Date.now(),
      actors,
    };
    try {
      await this.deps.snapshots.put(
        SNAPSHOT_STREAM,
        this.partition,
        snap.tradesSeq,
        encodePartitionSnapshot(snap),
      );
    } catch (err) {
      // A failed snapshot only means a longer replay after a crash.
      this.deps.log.warn({ err, partition: this.partition }, 'snapshot failed');
    }
    this.sinceSnapshot = 0;
    this.lastSnapshotAt = Date.now();
  }

  private async restore(): Promise<void> {
    const stored = await this.deps.snapshots.get(SNAPSHOT_STREAM, this.partition);
    if (stored === null) return;
    const decoded = decodePartitionSnapshot(stored.bytes, this.partition);
    if (!decoded.ok) {
      this.deps.log.warn(
        { partition: this.partition, reason: decoded.reason },
        'snapshot ignored; replaying',
      );
      return;
    }
    const s = decoded.snapshot;
    for (const a of s.actors) {
      let bySymbol = this.actors.get(a.venue);
      if (bySymbol === undefined) {
        bySymbol = new Map();
        this.actors.set(a.venue, bySymbol);
      }
      bySymbol.set(a.symbol, this.deps.factory.restore(a, this.deps.sink));
    }
    this.lastSeq.trade = s.tradesSeq;
    this.lastSeq.quote = s.quotesSeq;
    this.deps.log.info(
      { partition: this.partition, symbols: s.actors.length, tradesSeq: s.tradesSeq, quotesSeq: s.quotesSeq },
      'restored snapshot',
    );
  }

  /**
   * Rebuilds actor state from every message after the snapshot that the
   * consumer already delivered: the acked ones (their rows are in QuestDB;
   * rewriting them is harmless) and the ones a previous owner took but never
   * acked. The server redelivers the latter only after the ack wait, after
   * newer messages, which would break per-symbol order; replaying them here,
   * in stream order, and skipping their redeliveries keeps it.
   */
  private async replay(kind: Kind): Promise<void> {
    const stream = STREAM_OF[kind];
    const jsm = await jetstreamManager(this.deps.nc);
    const info = await jsm.consumers.info(stream, partitionConsumerName(stream, this.partition));
    const acked = info.ack_floor.stream_seq;
    const upTo = Math.max(info.delivered.stream_seq, acked);
    const from = this.lastSeq[kind] + 1;
    if (upTo < from) return;
    const consumer = await jetstream(this.deps.nc).consumers.get(stream, {
      filter_subjects: partitionFilter(kind, this.partition),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
    });
    let replayed = 0;
    const now = Date.now();
    while (this.lastSeq[kind] < upTo) {
      const iter = await consumer.fetch({ max_messages: 1000, expires: 1000 });
      const batch: JsMsg[] = [];
      for await (const m of iter) {
        if (m.seq > upTo) break;
        batch.push(m);
        if (m.seq === upTo) break;
      }
      if (batch.length === 0) break;
      // Acked messages had their dead letters published the first time; unacked ones may not have.
      const split = batch.findIndex((m) => m.seq > acked);
      const done = split < 0 ? batch : batch.slice(0, split);
      const unacked = split < 0 ? [] : batch.slice(split);
      if (done.length > 0) this.processBatch(kind, done, now, false, []);
      if (unacked.length > 0) {
        const dlq: Promise<void>[] = [];
        this.processBatch(kind, unacked, now, true, dlq);
        await Promise.all(dlq);
      }
      replayed += batch.length;
      await this.flushUntilLanded({ now: true });
    }
    this.lastSeq[kind] = Math.max(this.lastSeq[kind], upTo);
    if (replayed > 0)
      this.deps.log.info(
        { partition: this.partition, kind, replayed, acked, upTo },
        'replayed delivered messages',
      );
  }
}
