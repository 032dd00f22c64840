import type { JsMsg } from '@nats-io/jetstream';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { ActorFactory } from '../../actors/index.js';
import type { OutputRecord, ReasonCode } from '../../schemas/index.js';
import type { EngineConfig } from '../config/index.js';
import { SnapshotStore } from '../nats/index.js';
import type { EngineLogger } from '../observability/index.js';
import { createLogger, shardLogger, WorkerMetrics } from '../observability/index.js';
import { DeadLetters, OutputPublisher } from '../outputs/index.js';
import { QuestDbWriter } from '../sink/index.js';
import type { FromShard, ShardInit, ShardStatusMessage } from './messages.js';
import { OutputSink } from './output-sink.js';
import { PartitionRunner } from './partition-runner.js';

/** `http://host:port` (or an ILP config string already) -> the QuestDB client's config string. */
export function ilpConfigString(url: string): string {
  if (url.includes('::')) return url;
  const u = new URL(url);
  return `${u.protocol.replace(':', '')}::addr=${u.host};`;
}

/**
 * One worker thread's share of the engine: its own NATS connection, QuestDB
 * writer and publishers, and the partitions the supervisor assigned to it,
 * end to end (consume, decode, actors, write, publish, ack, snapshot).
 */
export class Shard {
  readonly index: number;
  private readonly config: EngineConfig;
  private readonly nc: NatsConnection;
  private readonly writer: QuestDbWriter;
  private readonly publisher: OutputPublisher;
  private readonly deadLetters: DeadLetters;
  private readonly snapshots: SnapshotStore;
  private readonly factory: ActorFactory;
  private readonly sink: OutputSink;
  private readonly metrics: WorkerMetrics;
  private readonly log: EngineLogger;
  private readonly post: (m: FromShard) => void;
  private readonly runners = new Map<number, PartitionRunner>();
  private readonly lag = new Map<string, ShardStatusMessage['lag'][number]>();
  private readonly timers: NodeJS.Timeout[] = [];
  private backpressure = false;

  private constructor(
    init: ShardInit,
    parts: {
      nc: NatsConnection;
      writer: QuestDbWriter;
      publisher: OutputPublisher;
      deadLetters: DeadLetters;
      snapshots: SnapshotStore;
      metrics: WorkerMetrics;
      log: EngineLogger;
    },
    post: (m: FromShard) => void,
  ) {
    this.index = init.shard;
    this.config = init.config;
    this.nc = parts.nc;
    this.writer = parts.writer;
    this.publisher = parts.publisher;
    this.deadLetters = parts.deadLetters;
    this.snapshots = parts.snapshots;
    this.metrics = parts.metrics;
    this.log = parts.log;
    this.post = post;
    this.factory = new ActorFactory(init.config.actors);
    const publish = (r: OutputRecord): void => this.publisher.publish(r);
    this.sink = new OutputSink(this.writer, publish, this.metrics);
  }

  static async open(init: ShardInit, post: (m: FromShard) => void): Promise<Shard> {
    const c = init.config;
    const log = shardLogger(createLogger(c, 'engine'), init.shard);
    const metrics = new WorkerMetrics(init.shard, init.incarnation);
    const nc = await connect({
      servers: c.nats.servers,
      name: `${c.nats.name}-shard${init.shard}`,
      maxReconnectAttempts: -1,
    });
    const writer = await QuestDbWriter.open({
      ilpUrl: ilpConfigString(c.questdb.ilpUrl),
      retryMinMs: c.questdb.retryMinMs,
      openRowsEveryMs: c.questdb.openRowsEveryMs,
      flushEveryMs: c.engine.flushIntervalMs,
      flushRows: c.questdb.flushRows,
      retryMaxMs: c.questdb.retryMaxMs,
      onFlush: (r) => {
        metrics.observeSinkFlush(r.seconds);
        if (!r.ok) {
          metrics.sinkFlushErrors++;
          log.warn(
            { err: r.error?.message, attempt: r.attempt, rows: r.rows },
            'QuestDB flush failed; will retry',
          );
          return;
        }
        for (const [table, rows] of Object.entries(r.byTable)) if (rows > 0) metrics.rowsFlushed(table, rows);
      },
    });
    const publisher = new OutputPublisher(nc, { kinds: c.outputs.publish ? c.outputs.kinds : [] });
    const deadLetters = new DeadLetters(jetstream(nc));
    const snapshots = await SnapshotStore.open(nc, { replicas: c.streams.replicas });
    const shard = new Shard(init, { nc, writer, publisher, deadLetters, snapshots, metrics, log }, post);
    shard.startTimers();
    log.info({ incarnation: init.incarnation }, 'shard ready');
    return shard;
  }

  /** Takes a partition: restore, replay, consume. */
  async assign(partition: number): Promise<void> {
    if (this.runners.has(partition)) return;
    const c = this.config;
    const runner = await PartitionRunner.start(partition, {
      nc: this.nc,
      partitions: c.streams.partitions,
      factory: this.factory,
      sink: this.sink,
      writer: this.writer,
      deadLetter: (msg, reason, detail) => this.deadLetter(msg, reason, detail),
      snapshots: this.snapshots,
      paused: () => this.writer.isFull() || this.publisher.isCongested(),
      fetchBatch: c.streams.fetchBatch,
      fetchExpiresMs: c.streams.fetchExpiresMs,
      snapshotIntervalMs: c.engine.snapshotIntervalMs,
      snapshotEveryMessages: c.engine.snapshotEveryMessages,
      metrics: this.metrics,
      onLag: (lag) =>
        this.lag.set(`${lag.stream}/${lag.partition}`, {
          partition: lag.partition,
          stream: lag.stream,
          pending: lag.pending,
          ackPending: lag.ackPending,
        }),
      log: this.log,
    });
    this.runners.set(partition, runner);
    this.log.info({ partition, symbols: runner.symbols }, 'partition assigned');
  }

  async release(partition: number): Promise<void> {
    const runner = this.runners.get(partition);
    if (!runner) return;
    await runner.release();
    this.runners.delete(partition);
    this.dropLag(partition);
    this.log.info({ partition }, 'partition released');
  }

  async revoke(partition: number): Promise<void> {
    const runner = this.runners.get(partition);
    if (!runner) return;
    await runner.revoke();
    this.runners.delete(partition);
    this.dropLag(partition);
    this.log.warn({ partition }, 'partition revoked');
  }

  /** Releases every partition, flushes and closes connections. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.runners.keys()].map((p) => this.release(p)));
    await this.writer
      .close()
      .catch((err: Error) => this.log.error({ err: err.message }, 'rows left unflushed'));
    this.metrics.stop();
    const last = this.metrics.takeDelta();
    if (last) this.post(last);
    await this.nc.drain();
  }

  private deadLetter(msg: JsMsg, reason: ReasonCode, detail: string): Promise<void> {
    return this.deadLetters.publish(msg, reason, detail).catch((err: Error) => {
      // The message is still acked: a dead letter that cannot be stored must not stall the partition.
      this.log.error(
        { err: err.message, reason, subject: msg.subject, seq: msg.seq },
        'dead letter not stored',
      );
    });
  }

  private dropLag(partition: number): void {
    for (const [k, v] of this.lag) if (v.partition === partition) this.lag.delete(k);
  }

  private startTimers(): void {
    const c = this.config.engine;
    this.metrics.start((m) => this.post(m));
    // Actor timers: close quiet symbols' candles, detect stale feeds; their outputs are flushed periodically.
    this.timers.push(
      setInterval(() => {
        const now = Date.now();
        for (const r of this.runners.values()) r.tick(now);
      }, c.timerTickMs),
    );
    this.timers.push(
      setInterval(() => {
        if (this.writer.pendingRows() > 0 && this.writer.state !== 'flushing') void this.writer.flush();
      }, c.flushIntervalMs),
    );
    this.timers.push(
      setInterval(() => {
        const full = this.writer.isFull() || this.publisher.isCongested();
        if (full !== this.backpressure) {
          this.backpressure = full;
          this.log.warn(
            { pendingRows: this.writer.pendingRows() },
            full ? 'backpressure on' : 'backpressure off',
          );
          if (!full) for (const r of this.runners.values()) r.wake();
        }
        let symbols = 0;
        for (const r of this.runners.values()) symbols += r.symbols;
        this.post({
          type: 'shard-status',
          shard: this.index,
          partitions: [...this.runners.keys()].sort((a, b) => a - b),
          symbols,
          backpressure: this.backpressure,
          pendingRows: this.writer.pendingRows(),
          lag: [...this.lag.values()],
        });
      }, 250),
    );
    for (const t of this.timers) t.unref();
  }
}
