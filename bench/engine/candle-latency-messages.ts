/** Typed messages between the latency phase and its candle subscriber thread. */

/** workerData of the subscriber thread. */
export interface LatencyWorkerInit {
  servers: string[];
  /** e.g. `md.candle.1s.>` */
  subject: string;
}

/** Worker -> main: subscribed (the server has the interest). */
export interface LatencyReadyMessage {
  type: 'ready';
}

/** Main -> worker: count updates whose last trade is at or after `fromTs` (epoch ms). */
export interface LatencyStartMessage {
  type: 'start';
  fromTs: number;
}

/** Main -> worker: stop and report. */
export interface LatencyStopMessage {
  type: 'stop';
}

/** Worker -> main: latency of open-candle updates, microseconds. */
export interface LatencyReportMessage {
  type: 'report';
  /** Candle messages received (all). */
  received: number;
  /** Open-candle updates whose lastTradeTs advanced, counted in the histogram. */
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Anything the main thread sends. */
export type ToLatencyWorker = LatencyStartMessage | LatencyStopMessage;
/** Anything the subscriber thread posts. */
export type FromLatencyWorker = LatencyReadyMessage | LatencyReportMessage;
