/**
 * Public entry point of engine/observability: the engine's Prometheus metrics, how worker threads
 * report theirs (WorkerMetrics → WorkerMetricsMessage → MetricsAggregator), and the pino loggers.
 */
export { type AuditFields, type AuditLogger, createAuditLogger } from './audit-logger.js';
export {
  createEngineMetrics,
  type EngineMetrics,
  type EngineMetricsOptions,
  METRIC_PREFIX,
  PROCESSING_LATENCY_BUCKETS,
  SINK_FLUSH_BUCKETS,
} from './engine-metrics.js';
export { bucketIndex, FoldedHistogram } from './folded-histogram.js';
export { createLogger, type EngineLogger, type LoggerConfig, shardLogger } from './logger.js';
export { MetricsAggregator } from './metrics-aggregator.js';
export { WorkerMetrics } from './worker-metrics.js';
export {
  ALERT_SLOTS,
  alertSlot,
  type HistogramDelta,
  intervalSlot,
  isWorkerMetricsMessage,
  WORKER_METRICS_MESSAGE,
  type WorkerMetricsMessage,
} from './worker-metrics-message.js';
