import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { NatsConnection } from '@nats-io/transport-node';
import { Piscina } from 'piscina';
import type { EngineConfig } from '../config/index.js';
import { PartitionLeases } from '../nats/index.js';
import type { EngineLogger, EngineMetrics, MetricsAggregator } from '../observability/index.js';
import { isWorkerMetricsMessage } from '../observability/index.js';
import type { FromShard, ShardStatusMessage, ToShard } from './messages.js';
import type { ShardTask } from './shard-thread.js';

interface ShardSlot {
  index: number;
  port: MessagePort | null;
  ready: Promise<void>;
  status: ShardStatusMessage | null;
  /** Resolves once a restarted shard got its partitions back. */
  reassigned: Promise<void>;
  /** Requests in flight: id -> settle. */
  pending: Map<number, { resolve: () => void; reject: (err: Error) => void }>;
  stopping: boolean;
}

/**
 * The main thread: runs one shard per worker thread in a piscina pool,
 * claims partitions through leases in NATS KV and hands each to its shard
 * (partition p -> shard p mod N, so a partition's actors always live on one
 * thread), folds worker metrics, and restarts a shard whose thread died.
 *
 * piscina is used for what it is good at here: owning the threads and
 * replacing a dead one. Each shard is one long-running task, so the pool's
 * queue and load balancing play no part; `atomics: 'disabled'` keeps the
 * workers' event loops free so their timers and sockets run.
 */
export class Supervisor {
  private readonly config: EngineConfig;
  private readonly nc: NatsConnection;
  private readonly log: EngineLogger;
  private readonly metrics: EngineMetrics;
  private readonly aggregator: MetricsAggregator;
  private readonly pool: Piscina;
  private readonly slots: ShardSlot[] = [];
  private leases: PartitionLeases | null = null;
  private nextId = 1;
  private stopping = false;

  constructor(
    config: EngineConfig,
    nc: NatsConnection,
    log: EngineLogger,
    metrics: EngineMetrics,
    aggregator: MetricsAggregator,
  ) {
    this.config = config;
    this.nc = nc;
    this.log = log;
    this.metrics = metrics;
    this.aggregator = aggregator;
    const n = config.engine.shards;
    this.pool = new Piscina({
      filename: new URL('./shard-thread.js', import.meta.url).href,
      minThreads: n,
      maxThreads: n,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      atomics: 'disabled',
    });
  }

  /** Starts every shard, then claims partitions. */
  async start(): Promise<void> {
    for (let s = 0; s < this.config.engine.shards; s++) this.slots.push(this.launch(s));
    await Promise.all(this.slots.map((slot) => slot.ready));
    this.leases = await PartitionLeases.open(
      this.nc,
      {
        partitions: this.config.streams.partitions,
        engineId: this.config.engine.id,
        ttlMs: this.config.engine.leaseTtlMs,
        replicas: this.config.streams.replicas,
      },
      {
        onAcquired: (p) => this.request(this.shardOf(p), { type: 'assign', id: 0, partition: p }),
        onReleasing: (p) => this.request(this.shardOf(p), { type: 'release', id: 0, partition: p }),
        onRevoked: (p) => this.request(this.shardOf(p), { type: 'revoke', id: 0, partition: p }),
      },
    );
    this.leases.on('rebalanced', (b: { owned: number[] }) =>
      this.metrics.partitionsOwned.set(b.owned.length),
    );
    await this.leases.start();
  }

  /** Partitions this engine owns now. */
  owned(): number[] {
    return this.leases?.owned() ?? [];
  }

  /** Latest status of each shard (null until it reported). */
  status(): (ShardStatusMessage | null)[] {
    return this.slots.map((s) => s.status);
  }

  /** Graceful stop: release every lease (each partition drains, flushes, acks, snapshots), then stop the shards. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.leases?.stop();
    await Promise.all(
      this.slots.map((s) => this.request(s.index, { type: 'stop', id: 0 }).catch(() => undefined)),
    );
    await this.pool.destroy();
  }

  /** Crash simulation for tests and drills: kill -9 of the whole process's ownership (no release). */
  abandon(): void {
    this.leases?.abandon();
  }

  /**
   * Crash drill: makes a shard thread die of an uncaught error, as a bug
   * would. The supervisor restarts it and its partitions recover from their
   * snapshots plus replay. Resolves once the replacement holds them again.
   */
  async crashShard(index: number): Promise<void> {
    const before = this.slots[index]!;
    before.port?.postMessage({ type: 'crash', id: this.nextId++ });
    while (this.slots[index] === before) await new Promise((r) => setTimeout(r, 20));
    await this.slots[index]!.ready;
    await this.slots[index]!.reassigned;
  }

  private shardOf(partition: number): number {
    return partition % this.config.engine.shards;
  }

  private launch(index: number, incarnation = 0): ShardSlot {
    const channel = new MessageChannel();
    let markReady: () => void = () => undefined;
    const slot: ShardSlot = {
      index,
      port: channel.port1,
      ready: new Promise<void>((resolve) => {
        markReady = resolve;
      }),
      status: null,
      reassigned: Promise.resolve(),
      pending: new Map(),
      stopping: false,
    };
    channel.port1.on('message', (m: FromShard) => {
      if (isWorkerMetricsMessage(m)) {
        this.aggregator.fold(m);
        return;
      }
      switch (m.type) {
        case 'ready':
          markReady();
          break;
        case 'shard-status':
          slot.status = m;
          this.metrics.setBackpressure(index, m.backpressure);
          for (const l of m.lag)
            this.metrics.consumerLag.set({ stream: l.stream, partition: String(l.partition) }, l.pending);
          break;
        case 'done': {
          const waiter = slot.pending.get(m.id);
          slot.pending.delete(m.id);
          if (m.ok) waiter?.resolve();
          else waiter?.reject(new Error(`shard ${index}: ${m.error}`));
          break;
        }
      }
    });
    const task: ShardTask = { init: { shard: index, incarnation, config: this.config }, port: channel.port2 };
    this.pool.run(task, { transferList: [channel.port2] }).then(
      () => {
        // The task ends only after a 'stop' finished; its 'done' may still be queued behind this.
        for (const w of slot.pending.values()) w.resolve();
        slot.pending.clear();
        channel.port1.close();
      },
      (err: Error) => {
        channel.port1.close();
        for (const w of slot.pending.values()) w.reject(new Error(`shard ${index} died: ${err.message}`));
        slot.pending.clear();
        if (this.stopping) return;
        this.log.error({ shard: index, err: err.message }, 'shard thread died; restarting it');
        this.restart(index);
      },
    );
    return slot;
  }

  private restart(index: number): void {
    const incarnation = this.aggregator.workerRestarted(index);
    const slot = this.launch(index, incarnation);
    this.slots[index] = slot;
    slot.reassigned = slot.ready.then(async () => {
      // Give the new thread the partitions we still hold; each recovers from its snapshot plus replay.
      for (const p of this.owned()) {
        if (this.shardOf(p) !== index) continue;
        await this.request(index, { type: 'assign', id: 0, partition: p }).catch((err: Error) =>
          this.log.error({ partition: p, err: err.message }, 'reassign after restart failed'),
        );
      }
    });
  }

  private async request(index: number, message: ToShard): Promise<void> {
    const slot = this.slots[index]!;
    await slot.ready;
    const id = this.nextId++;
    const port = slot.port;
    if (port === null) throw new Error(`shard ${index} is not running`);
    return new Promise<void>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      port.postMessage({ ...message, id });
    });
  }
}
