import type { ActorSink } from '../../actors/index.js';
import type { Alert, Candle, IndicatorSnapshot, OutputRecord } from '../../schemas/index.js';
import type { WorkerMetrics } from '../observability/index.js';
import { alertSlot, intervalSlot } from '../observability/index.js';

/** Where outputs are stored durably: the shard's QuestDB writer. */
export interface OutputStore {
  addCandle(c: Candle): void;
  addIndicator(s: IndicatorSnapshot): void;
  addAlert(a: Alert): void;
}

/**
 * The one ActorSink of a shard: every output goes to the QuestDB writer (the
 * durable copy, acked with its input) and to NATS (the low-latency copy,
 * published at once, before the QuestDB flush), and is counted.
 */
export class OutputSink implements ActorSink {
  private readonly store: OutputStore;
  private readonly publish: (r: OutputRecord) => void;
  private readonly metrics: WorkerMetrics;

  constructor(store: OutputStore, publish: (r: OutputRecord) => void, metrics: WorkerMetrics) {
    this.store = store;
    this.publish = publish;
    this.metrics = metrics;
  }

  candle(c: Candle): void {
    if (c.closed) this.metrics.candlesOut[intervalSlot(c.interval)]!++;
    if (c.revision > 0 && c.closed) this.metrics.revisions++;
    this.publish(c);
    this.store.addCandle(c);
  }

  indicator(s: IndicatorSnapshot): void {
    this.publish(s);
    this.store.addIndicator(s);
  }

  alert(a: Alert): void {
    this.metrics.alerts[alertSlot(a.kind, a.severity)]!++;
    this.publish(a);
    this.store.addAlert(a);
  }
}
