import type { EngineConfig } from '../config/index.js';
import type { WorkerMetricsMessage } from '../observability/index.js';

/** What the supervisor hands a shard thread when it starts it. */
export interface ShardInit {
  shard: number;
  /** Restarts of this shard so far; 0 on the first start. */
  incarnation: number;
  config: EngineConfig;
}

/** Main -> shard: take a partition (restore, replay, consume). */
export interface AssignMessage {
  type: 'assign';
  id: number;
  partition: number;
}

/** Main -> shard: hand a partition over gracefully (drain, flush, ack, snapshot). */
export interface ReleaseMessage {
  type: 'release';
  id: number;
  partition: number;
}

/** Main -> shard: the lease is lost; stop consuming the partition at once. */
export interface RevokeMessage {
  type: 'revoke';
  id: number;
  partition: number;
}

/** Main -> shard: release everything and end the thread's task. */
export interface StopMessage {
  type: 'stop';
  id: number;
}

/** Main -> shard: die with an uncaught error (a crash drill: tests and chaos exercises). */
export interface CrashMessage {
  type: 'crash';
  id: number;
}

export type ToShard = AssignMessage | ReleaseMessage | RevokeMessage | StopMessage | CrashMessage;

/** Shard -> main: a request finished (ok) or failed (error sentence). */
export interface DoneMessage {
  type: 'done';
  id: number;
  ok: boolean;
  error?: string;
}

/** Shard -> main: the shard is connected and ready for partitions. */
export interface ReadyMessage {
  type: 'ready';
  shard: number;
}

/** Shard -> main: state for /ready, logs and the live summary, every second. */
export interface ShardStatusMessage {
  type: 'shard-status';
  shard: number;
  partitions: number[];
  symbols: number;
  backpressure: boolean;
  pendingRows: number;
  /** Consumer backlog per partition and stream, as last reported by the server. */
  lag: { partition: number; stream: string; pending: number; ackPending: number }[];
}

export type FromShard = DoneMessage | ReadyMessage | ShardStatusMessage | WorkerMetricsMessage;
