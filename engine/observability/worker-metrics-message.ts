import type { AlertKind, Interval, Severity } from '../../schemas/records.js';
import { ALERT_KINDS, INTERVALS, SEVERITIES } from '../../schemas/records.js';

/** Observations bucketed like a histogram's bounds: non-cumulative counts, +Inf last. */
export interface HistogramDelta {
  counts: number[];
  sum: number;
  count: number;
}

/**
 * What a worker posts to the main thread about once a second: the counts since its previous message
 * (deltas, so a worker that dies loses at most one interval and a restarted one simply starts at
 * zero). The main thread folds it into its registry with `MetricsAggregator`.
 */
export interface WorkerMetricsMessage {
  type: 'worker-metrics';
  shard: number;
  /** Which start of this shard's worker sent it; the main thread numbers starts from 0. */
  incarnation: number;
  /** 1, 2, 3… within one incarnation; a repeated or older seq is ignored. */
  seq: number;
  trades: number;
  quotes: number;
  lateTrades: number;
  revisions: number;
  sinkFlushErrors: number;
  rejects: Record<string, number>;
  deadLetters: Record<string, number>;
  sinkRows: Record<string, number>;
  /** Indexed like `INTERVALS`. */
  candlesOut: number[];
  /** Indexed by `alertSlot(kind, severity)`. */
  alerts: number[];
  latency: HistogramDelta;
  sinkFlush: HistogramDelta;
  /** Event-loop delay samples of the shard thread. */
  loopDelay: HistogramDelta;
}

/** The `type` tag of {@link WorkerMetricsMessage}. */
export const WORKER_METRICS_MESSAGE = 'worker-metrics' as const;

/** Length of `WorkerMetricsMessage.alerts`. */
export const ALERT_SLOTS = ALERT_KINDS.length * SEVERITIES.length;

const KIND_INDEX: ReadonlyMap<string, number> = new Map(ALERT_KINDS.map((k, i) => [k, i]));
const SEVERITY_INDEX: ReadonlyMap<string, number> = new Map(SEVERITIES.map((s, i) => [s, i]));
const INTERVAL_INDEX: ReadonlyMap<string, number> = new Map(INTERVALS.map((iv, i) => [iv, i]));

/** Slot of (kind, severity) in the alerts array: kind-major. */
export function alertSlot(kind: AlertKind, severity: Severity): number {
  return KIND_INDEX.get(kind)! * SEVERITIES.length + SEVERITY_INDEX.get(severity)!;
}

/** Slot of an interval in the candlesOut array. */
export function intervalSlot(interval: Interval): number {
  return INTERVAL_INDEX.get(interval)!;
}

/** True for a structurally sound message (the tag and array lengths), e.g. after crossing a thread. */
export function isWorkerMetricsMessage(m: unknown): m is WorkerMetricsMessage {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Partial<WorkerMetricsMessage>;
  return (
    x.type === WORKER_METRICS_MESSAGE &&
    Number.isInteger(x.shard) &&
    Number.isInteger(x.incarnation) &&
    Number.isInteger(x.seq) &&
    Array.isArray(x.candlesOut) &&
    x.candlesOut.length === INTERVALS.length &&
    Array.isArray(x.alerts) &&
    x.alerts.length === ALERT_SLOTS &&
    typeof x.latency === 'object' &&
    typeof x.sinkFlush === 'object' &&
    typeof x.loopDelay === 'object' &&
    typeof x.rejects === 'object' &&
    typeof x.deadLetters === 'object' &&
    typeof x.sinkRows === 'object'
  );
}
