import { ALERT_KINDS, INTERVALS, SEVERITIES } from '../../schemas/records.js';
import type { EngineMetrics } from './engine-metrics.js';
import type { WorkerMetricsMessage } from './worker-metrics-message.js';
import { isWorkerMetricsMessage } from './worker-metrics-message.js';

/**
 * Main-thread half of worker metrics: folds each worker's {@link WorkerMetricsMessage} deltas into
 * the engine registry. Counters only grow, so a restarted worker (a new incarnation starting from
 * zero) continues the series without a reset; a message seen twice is ignored.
 */
export class MetricsAggregator {
  private readonly metrics: EngineMetrics;
  /** `${shard}:${incarnation}` → last seq folded. */
  private readonly lastSeq = new Map<string, number>();
  private readonly incarnations = new Map<number, number>();

  constructor(metrics: EngineMetrics) {
    this.metrics = metrics;
  }

  /** The incarnation number to give the shard's current worker (0 until a restart). */
  incarnationOf(shard: number): number {
    return this.incarnations.get(shard) ?? 0;
  }

  /**
   * Records that a shard's worker died and is being started again: counts a restart and returns the
   * incarnation number for the new worker. Late messages from the old worker are still folded, since
   * they carry real counts.
   */
  workerRestarted(shard: number): number {
    const next = this.incarnationOf(shard) + 1;
    this.incarnations.set(shard, next);
    this.metrics.workerRestarts.inc({ shard: String(shard) });
    return next;
  }

  /** Folds one message; returns false (and changes nothing) when it is malformed or already folded. */
  fold(message: unknown): boolean {
    if (!isWorkerMetricsMessage(message)) return false;
    const m: WorkerMetricsMessage = message;
    const key = `${m.shard}:${m.incarnation}`;
    if (m.seq <= (this.lastSeq.get(key) ?? 0)) return false;
    const x = this.metrics;
    const lat = m.latency;
    const fl = m.sinkFlush;
    const ld = m.loopDelay;
    if (
      lat.counts.length !== x.processingLatency.bounds.length + 1 ||
      fl.counts.length !== x.sinkFlush.bounds.length + 1 ||
      ld.counts.length !== x.loopDelay.bounds.length + 1
    ) {
      return false;
    }
    this.lastSeq.set(key, m.seq);
    const shard = String(m.shard);
    if (m.trades > 0) x.trades.inc({ shard }, m.trades);
    if (m.quotes > 0) x.quotes.inc({ shard }, m.quotes);
    if (m.lateTrades > 0) x.lateTrades.inc(m.lateTrades);
    if (m.revisions > 0) x.revisions.inc(m.revisions);
    if (m.sinkFlushErrors > 0) x.sinkFlushErrors.inc(m.sinkFlushErrors);
    for (const [reason, n] of Object.entries(m.rejects)) if (n > 0) x.rejects.inc({ reason }, n);
    for (const [reason, n] of Object.entries(m.deadLetters)) if (n > 0) x.deadLetters.inc({ reason }, n);
    for (const [table, n] of Object.entries(m.sinkRows)) if (n > 0) x.sinkRows.inc({ table }, n);
    for (let i = 0; i < INTERVALS.length; i++) {
      const n = m.candlesOut[i]!;
      if (n > 0) x.candlesOut.inc({ interval: INTERVALS[i]! }, n);
    }
    for (let k = 0; k < ALERT_KINDS.length; k++) {
      for (let s = 0; s < SEVERITIES.length; s++) {
        const n = m.alerts[k * SEVERITIES.length + s]!;
        if (n > 0) x.alerts.inc({ kind: ALERT_KINDS[k]!, severity: SEVERITIES[s]! }, n);
      }
    }
    if (lat.count > 0) x.processingLatency.fold(lat.counts, lat.sum, lat.count);
    if (fl.count > 0) x.sinkFlush.fold(fl.counts, fl.sum, fl.count);
    if (ld.count > 0) x.loopDelay.fold(ld.counts, ld.sum, ld.count);
    return true;
  }
}
