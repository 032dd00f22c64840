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
 * Batches of one partition processed ahead of their QuestDB flush. What bounds
 * the work waiting for QuestDB is the writer's row bound (`isFull()` stops the
 * pulling) and the consumer's max_ack_pending; this only caps the promises held.
 * It was 4: at a trickle every message is its own batch, so a handful of
 * messages waiting on one flush round trip held back the next one's outputs,
 * and publish-to-candle latency grew with QuestDB's flush time (bench/harness,
 * 1,000 trades/s: WS p50 906 ms with 4, 425 ms with 64, same machine and load).
 */
const MAX_BATCHES_IN_FLIGHT = 64;
/** Snapshot key: one snapshot covers both input streams of a partition. */
export const SNAPSHOT_STREAM = 'MD';

/** What a partition needs from its shard. */
export interface PartitionDeps {
  nc: NatsConnection;
  partitions: number;
  factory: ActorFactory;
  sink: OutputSink;
  writer: {
    addTrade(t: Trade): void;
    addQuote(q: Quote): void;
    /** `open`: also the held-back open candle and indicator rows (see questdb.openRowsEveryMs). */
    flush(options?: { open?: boolean }): Promise<{ ok: boolean; retryInMs: number }>;
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
 * lock); each one's rows are flushed to QuestDB and its messages acked in the
 * background while the next is processed, up to MAX_BATCHES_IN_FLIGHT. A
 * snapshot first waits for those, so it covers exactly the acked messages.
 */
export class PartitionRunner {
  readonly partition: number;
  private readonly deps: PartitionDeps;
  /** venue -> symbol -> actor. */
  private readonly actors = new Map<string, Map<string, SymbolActor>>();
  private readonly lastSeq: Record<Kind, number> = { trade: 0, quote: 0 };
  private readonly consumers: PartitionConsumer[] = [];
  private readonly dirty = new Set<SymbolActor>();
  /** Batches processed but not yet stored and acked, oldest first. */
  private readonly inFlight: Promise<void>[] = [];
  private lock: Promise<void> = Promise.resolve();
  private sinceSnapshot = 0;
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

  /** Wall-clock tick: timer closes and stale-feed checks. */
  tick(now: number): void {
    if (this.stopped) return;
    for (const bySymbol of this.actors.values()) for (const a of bySymbol.values()) a.onTimer(now);
  }

  /** Lets a paused consumer pull again (backpressure cleared). */
  wake(): void {
    for (const c of this.consumers) c.wake();
  }

  /** Graceful hand-over: stop pulling, finish the batch in flight, flush, snapshot. */
  async release(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.withLock(async () => {
      await this.drain();
      // The next owner starts from QuestDB as we leave it: open candles included.
      await this.flushUntilLanded({ open: true });
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
      const dlq = this.processBatch(kind, batch, Date.now(), true);
      // The batch's rows land and its messages are acked in the background while the next batch
      // is pulled and processed (outputs are already on NATS): the QuestDB round trip no longer
      // sets the pace. The writer serializes flushes, so batches land in order.
      const landed = (dlq.length > 0 ? Promise.all(dlq) : Promise.resolve())
        .then(() => this.flushUntilLanded())
        .then(() => {
          for (let i = 0; i < batch.length; i++) batch[i]!.ack();
          // Time from the batch's arrival to its rows landing in QuestDB, charged to each message.
          const each = (performance.now() - started) / 1000 / Math.max(batch.length, 1);
          for (let i = 0; i < batch.length; i++) this.deps.metrics.observeLatency(each);
        })
        .catch((err: Error) => {
          // Not acked: JetStream delivers the batch again (to us or to the next owner).
          this.deps.log.error({ err: err.message, partition: this.partition, kind }, 'batch not stored');
        })
        .finally(() => {
          const i = this.inFlight.indexOf(landed);
          if (i >= 0) this.inFlight.splice(i, 1);
        });
      this.inFlight.push(landed);
      if (this.inFlight.length >= MAX_BATCHES_IN_FLIGHT) await this.inFlight[0];
      this.sinceSnapshot += batch.length;
      const every = this.deps.snapshotEveryMessages;
      if (
        (every > 0 && this.sinceSnapshot >= every) ||
        Date.now() - this.lastSnapshotAt >= this.deps.snapshotIntervalMs
      ) {
        // A snapshot covers exactly what is stored and acked: wait for the batches in flight.
        await this.drain();
        await this.snapshot();
      }
    });
  }

  /** Waits until every processed batch has landed in QuestDB and been acked. */
  private async drain(): Promise<void> {
    while (this.inFlight.length > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * Decodes, validates and applies a batch; returns the dead-letter publishes
   * to wait for. A replay (`live` false) re-applies messages whose dead
   * letters were published the first time, so it publishes none.
   */
  private processBatch(kind: Kind, batch: readonly JsMsg[], now: number, live: boolean): Promise<void>[] {
    const dlq: Promise<void>[] = [];
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      // Already covered by the restored state (an ack that was lost, or a replayed range).
      if (m.seq <= this.lastSeq[kind]) continue;
      const problem = this.processMessage(kind, m.data, now, live);
      if (problem !== null && live) dlq.push(this.deadLetter(m, problem.reason, problem.detail));
      this.lastSeq[kind] = m.seq;
    }
    for (const a of this.dirty) a.flush();
    this.dirty.clear();
    return dlq;
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
        if (actor.applyTrade(rec as Trade) === 'late' && live) metrics.lateTrades++;
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
  private async flushUntilLanded(options: { open?: boolean } = {}): Promise<void> {
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
      if (done.length > 0) this.processBatch(kind, done, now, false);
      if (unacked.length > 0) await Promise.all(this.processBatch(kind, unacked, now, true));
      replayed += batch.length;
      await this.flushUntilLanded();
    }
    this.lastSeq[kind] = Math.max(this.lastSeq[kind], upTo);
    if (replayed > 0)
      this.deps.log.info(
        { partition: this.partition, kind, replayed, acked, upTo },
        'replayed delivered messages',
      );
  }
}
