import { Counter, Gauge, Registry } from 'prom-client';
import { FoldedHistogram } from './folded-histogram.js';

/** Prefix of every engine metric. */
export const METRIC_PREFIX = 'tickflow_engine_';

/** Per-message processing time, 5 µs to 1 s: the engine's hot path lives in the microseconds. */
export const PROCESSING_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1,
]);

/** QuestDB flush time, 1 ms to 30 s. */
export const SINK_FLUSH_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]);

/** How late a shard thread's sampling timer fired, 1 ms to 5 s. */
export const LOOP_DELAY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
]);

/** Every engine metric in the main thread's registry. Workers never touch these (see `WorkerMetrics`). */
export interface EngineMetrics {
  readonly registry: Registry;
  readonly trades: Counter<'shard'>;
  readonly quotes: Counter<'shard'>;
  readonly rejects: Counter<'reason'>;
  readonly deadLetters: Counter<'reason'>;
  readonly lateTrades: Counter;
  readonly revisions: Counter;
  readonly candlesOut: Counter<'interval'>;
  readonly alerts: Counter<'kind' | 'severity'>;
  /** Messages pending in a partition's durable consumer (JetStream `num_pending`). */
  readonly consumerLag: Gauge<'stream' | 'partition'>;
  readonly processingLatency: FoldedHistogram;
  readonly sinkFlush: FoldedHistogram;
  readonly loopDelay: FoldedHistogram;
  readonly sinkRows: Counter<'table'>;
  readonly sinkFlushErrors: Counter;
  /** 1 while a shard's mailbox is full and its partitions stop pulling. Set through `setBackpressure`. */
  readonly backpressure: Gauge<'shard'>;
  readonly backpressureSeconds: Counter<'shard'>;
  readonly workerRestarts: Counter<'shard'>;
  readonly partitionsOwned: Gauge;
  readonly buildInfo: Gauge<'version' | 'node'>;
  /** Turns a shard's backpressure on or off; time spent on accrues into backpressure_seconds_total. */
  setBackpressure(shard: number, active: boolean): void;
}

/** What `createEngineMetrics` needs; `now` (ms) is injected so backpressure time is testable. */
export interface EngineMetricsOptions {
  /** Defaults to a new registry, never prom-client's global one. */
  registry?: Registry;
  version: string;
  now?: () => number;
}

/** Creates and registers every engine metric in one registry. */
export function createEngineMetrics(options: EngineMetricsOptions): EngineMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  const now = options.now ?? Date.now;
  const n = (name: string): string => `${METRIC_PREFIX}${name}`;
  const since = new Map<string, number>();

  const backpressure = new Gauge({
    name: n('backpressure'),
    help: '1 while the shard mailbox is full and its partitions have stopped pulling, else 0.',
    labelNames: ['shard'] as const,
    registers,
  });
  const backpressureSeconds = new Counter({
    name: n('backpressure_seconds_total'),
    help: 'Time each shard has spent under backpressure.',
    labelNames: ['shard'] as const,
    registers,
    collect() {
      // Count a shard still under backpressure up to the scrape, so the rate shows it now.
      const t = now();
      for (const [shard, start] of since) {
        this.inc({ shard }, (t - start) / 1000);
        since.set(shard, t);
      }
    },
  });

  const buildInfo = new Gauge({
    name: n('build_info'),
    help: 'Always 1; labels carry the tickflow version and the Node.js version.',
    labelNames: ['version', 'node'] as const,
    registers,
  });
  buildInfo.set({ version: options.version, node: process.versions.node }, 1);

  return {
    registry,
    trades: new Counter({
      name: n('trades_total'),
      help: 'Trades processed by actors.',
      labelNames: ['shard'] as const,
      registers,
    }),
    quotes: new Counter({
      name: n('quotes_total'),
      help: 'Quotes processed by actors.',
      labelNames: ['shard'] as const,
      registers,
    }),
    rejects: new Counter({
      name: n('rejects_total'),
      help: 'Input records refused by validation, by reason code.',
      labelNames: ['reason'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: n('dead_letters_total'),
      help: 'Messages published to the dead-letter subject, by reason code.',
      labelNames: ['reason'] as const,
      registers,
    }),
    lateTrades: new Counter({
      name: n('late_trades_total'),
      help: 'Trades later than the allowed lateness: stored, but no candle changed.',
      registers,
    }),
    revisions: new Counter({
      name: n('revisions_total'),
      help: 'Closed candles revised by a late trade within the allowed lateness.',
      registers,
    }),
    candlesOut: new Counter({
      name: n('candles_out_total'),
      help: 'Candle updates emitted, by interval.',
      labelNames: ['interval'] as const,
      registers,
    }),
    alerts: new Counter({
      name: n('alerts_total'),
      help: 'Anomaly alerts raised, by kind and severity.',
      labelNames: ['kind', 'severity'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: n('consumer_lag'),
      help: 'Messages not yet delivered to the durable consumer of a partition.',
      labelNames: ['stream', 'partition'] as const,
      registers,
    }),
    processingLatency: new FoldedHistogram({
      name: n('processing_latency_seconds'),
      help: 'Time from a message reaching its shard to its actor having processed it.',
      buckets: PROCESSING_LATENCY_BUCKETS,
      registers,
    }),
    sinkFlush: new FoldedHistogram({
      name: n('sink_flush_seconds'),
      help: 'Duration of one QuestDB flush.',
      buckets: SINK_FLUSH_BUCKETS,
      registers,
    }),
    loopDelay: new FoldedHistogram({
      name: n('shard_event_loop_delay_seconds'),
      help: "How late a shard thread's 10 ms sampling timer fired: time the thread could not react (a long batch, a flush's encoding, GC). Its tail bounds the tail of output latency.",
      buckets: LOOP_DELAY_BUCKETS,
      registers,
    }),
    sinkRows: new Counter({
      name: n('sink_rows_total'),
      help: 'Rows flushed to QuestDB, by table.',
      labelNames: ['table'] as const,
      registers,
    }),
    sinkFlushErrors: new Counter({
      name: n('sink_flush_errors_total'),
      help: 'QuestDB flushes that failed (and were retried).',
      registers,
    }),
    backpressure,
    backpressureSeconds,
    workerRestarts: new Counter({
      name: n('worker_restarts_total'),
      help: 'Worker threads restarted after dying, by shard.',
      labelNames: ['shard'] as const,
      registers,
    }),
    partitionsOwned: new Gauge({
      name: n('partitions_owned'),
      help: 'Partitions whose lease this engine holds.',
      registers,
    }),
    buildInfo,
    setBackpressure(shard: number, active: boolean): void {
      const key = String(shard);
      const start = since.get(key);
      if (active) {
        if (start === undefined) since.set(key, now());
        backpressure.set({ shard: key }, 1);
        return;
      }
      if (start !== undefined) {
        backpressureSeconds.inc({ shard: key }, (now() - start) / 1000);
        since.delete(key);
      }
      backpressure.set({ shard: key }, 0);
    },
  };
}
