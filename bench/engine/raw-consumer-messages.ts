/** Typed messages between the raw-ceiling main thread and its consumer worker threads. */

/** workerData of one raw consumer thread: the durables it pulls, like one engine shard. */
export interface RawWorkerInit {
  servers: string[];
  stream: string;
  /** Durable consumer names, one per partition this thread owns. */
  consumers: string[];
  /** Messages to consume per consumer, read from its `num_pending` before the start. */
  expected: number[];
  fetchBatch: number;
  fetchExpiresMs: number;
}

/** Worker -> main: connected and bound, waiting for {@link RawGoMessage}. */
export interface RawReadyMessage {
  type: 'ready';
}

/** Main -> worker: start pulling. */
export interface RawGoMessage {
  type: 'go';
}

/** Main -> worker: the consumers are drained; report and stop pulling. */
export interface RawStopMessage {
  type: 'stop';
}

/** Anything the main thread sends. */
export type ToRawWorker = RawGoMessage | RawStopMessage;

/** Worker -> main, answering {@link RawStopMessage}: what it consumed, decoded and acked. */
export interface RawDoneMessage {
  type: 'done';
  messages: number;
  records: number;
  /** Payloads decodePayload refused (there should be none). */
  undecodable: number;
  /** Pulls that failed and were retried. */
  pullErrors: number;
}

/** Worker -> main: the thread failed. */
export interface RawFailedMessage {
  type: 'failed';
  message: string;
}

/** Anything a raw consumer thread posts. */
export type FromRawWorker = RawReadyMessage | RawDoneMessage | RawFailedMessage;
