import { INTERVALS } from '../../schemas/records.js';
import { LOOP_DELAY_BUCKETS, PROCESSING_LATENCY_BUCKETS, SINK_FLUSH_BUCKETS } from './engine-metrics.js';
import { bucketIndex } from './folded-histogram.js';
import type { HistogramDelta, WorkerMetricsMessage } from './worker-metrics-message.js';
import { ALERT_SLOTS, WORKER_METRICS_MESSAGE } from './worker-metrics-message.js';

/**
 * A worker thread's metrics: plain numbers and typed arrays updated in place on the hot path, drained
 * into a {@link WorkerMetricsMessage} of deltas by `takeDelta` (or every `periodMs` by `start`).
 * Counters are public fields so the per-message path is a field increment, not a call.
 */
export class WorkerMetrics {
  readonly shard: number;
  readonly incarnation: number;
  trades = 0;
  quotes = 0;
  lateTrades = 0;
  revisions = 0;
  sinkFlushErrors = 0;
  /** Indexed like `INTERVALS` (see `intervalSlot`). */
  readonly candlesOut = new Float64Array(INTERVALS.length);
  /** Indexed by `alertSlot(kind, severity)`. */
  readonly alerts = new Float64Array(ALERT_SLOTS);
  private readonly rejects = new Map<string, number>();
  private readonly deadLetters = new Map<string, number>();
  private readonly sinkRows = new Map<string, number>();
  private readonly latency = new Float64Array(PROCESSING_LATENCY_BUCKETS.length + 1);
  private latencySum = 0;
  private latencyCount = 0;
  private readonly flush = new Float64Array(SINK_FLUSH_BUCKETS.length + 1);
  private flushSum = 0;
  private flushCount = 0;
  private readonly loopDelay = new Float64Array(LOOP_DELAY_BUCKETS.length + 1);
  private loopDelaySum = 0;
  private loopDelayCount = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private sampler: NodeJS.Timeout | undefined;

  constructor(shard: number, incarnation: number) {
    this.shard = shard;
    this.incarnation = incarnation;
  }

  /** One message's processing time in seconds. */
  observeLatency(seconds: number): void {
    this.latency[bucketIndex(PROCESSING_LATENCY_BUCKETS, seconds)]! += 1;
    this.latencySum += seconds;
    this.latencyCount += 1;
  }

  /** One QuestDB flush's duration in seconds, when the sink runs in the worker. */
  observeSinkFlush(seconds: number): void {
    this.flush[bucketIndex(SINK_FLUSH_BUCKETS, seconds)]! += 1;
    this.flushSum += seconds;
    this.flushCount += 1;
  }

  /** How late the thread's sampling timer fired, in seconds (see `start`). */
  observeLoopDelay(seconds: number): void {
    this.loopDelay[bucketIndex(LOOP_DELAY_BUCKETS, seconds)]! += 1;
    this.loopDelaySum += seconds;
    this.loopDelayCount += 1;
  }

  reject(reason: string): void {
    this.rejects.set(reason, (this.rejects.get(reason) ?? 0) + 1);
  }

  deadLetter(reason: string): void {
    this.deadLetters.set(reason, (this.deadLetters.get(reason) ?? 0) + 1);
  }

  rowsFlushed(table: string, rows: number): void {
    this.sinkRows.set(table, (this.sinkRows.get(table) ?? 0) + rows);
  }

  /** The counts since the previous delta, and zero; undefined when nothing was counted. */
  takeDelta(): WorkerMetricsMessage | undefined {
    if (!this.hasCounts()) return undefined;
    this.seq += 1;
    const message: WorkerMetricsMessage = {
      type: WORKER_METRICS_MESSAGE,
      shard: this.shard,
      incarnation: this.incarnation,
      seq: this.seq,
      trades: this.trades,
      quotes: this.quotes,
      lateTrades: this.lateTrades,
      revisions: this.revisions,
      sinkFlushErrors: this.sinkFlushErrors,
      rejects: Object.fromEntries(this.rejects),
      deadLetters: Object.fromEntries(this.deadLetters),
      sinkRows: Object.fromEntries(this.sinkRows),
      candlesOut: Array.from(this.candlesOut),
      alerts: Array.from(this.alerts),
      latency: delta(this.latency, this.latencySum, this.latencyCount),
      sinkFlush: delta(this.flush, this.flushSum, this.flushCount),
      loopDelay: delta(this.loopDelay, this.loopDelaySum, this.loopDelayCount),
    };
    this.trades = 0;
    this.quotes = 0;
    this.lateTrades = 0;
    this.revisions = 0;
    this.sinkFlushErrors = 0;
    this.candlesOut.fill(0);
    this.alerts.fill(0);
    this.rejects.clear();
    this.deadLetters.clear();
    this.sinkRows.clear();
    this.latency.fill(0);
    this.latencySum = 0;
    this.latencyCount = 0;
    this.flush.fill(0);
    this.flushSum = 0;
    this.flushCount = 0;
    this.loopDelay.fill(0);
    this.loopDelaySum = 0;
    this.loopDelayCount = 0;
    return message;
  }

  /**
   * Posts a delta every `periodMs` (typically `parentPort.postMessage`), and samples the
   * thread's event-loop delay with a timer every `sampleMs`: how much later than asked it
   * fired. Neither timer holds the thread open.
   */
  start(post: (message: WorkerMetricsMessage) => void, periodMs = 1_000, sampleMs = 10): void {
    this.stop();
    this.timer = setInterval(() => {
      const m = this.takeDelta();
      if (m !== undefined) post(m);
    }, periodMs);
    this.timer.unref();
    let last = performance.now();
    this.sampler = setInterval(() => {
      const now = performance.now();
      this.observeLoopDelay(Math.max(0, now - last - sampleMs) / 1000);
      last = now;
    }, sampleMs);
    this.sampler.unref();
  }

  /** Stops the timers; call `takeDelta` after it to send the last counts on a clean shutdown. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.sampler !== undefined) clearInterval(this.sampler);
    this.timer = undefined;
    this.sampler = undefined;
  }

  private hasCounts(): boolean {
    if (this.trades + this.quotes + this.lateTrades + this.revisions + this.sinkFlushErrors > 0) return true;
    if (this.latencyCount + this.flushCount + this.loopDelayCount > 0) return true;
    if (this.rejects.size + this.deadLetters.size + this.sinkRows.size > 0) return true;
    for (let i = 0; i < this.candlesOut.length; i++) if (this.candlesOut[i]! > 0) return true;
    for (let i = 0; i < this.alerts.length; i++) if (this.alerts[i]! > 0) return true;
    return false;
  }
}

function delta(counts: Float64Array, sum: number, count: number): HistogramDelta {
  return { counts: Array.from(counts), sum, count };
}
