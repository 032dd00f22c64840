/** Typed messages between the harness and its NATS probe thread and WS client processes. */

/** What one receiver saw over one measurement window. */
export interface LatencyWindow {
  /** Candle updates received. */
  updates: number;
  /** Of those, updates timed (their stream's lastTradeTs advanced). */
  samples: number;
  /** Latencies in µs: an HDR histogram, compressed and base64 encoded (hdr-histogram-js). */
  histogram: string;
}

/** workerData of the NATS probe thread. */
export interface NatsProbeInit {
  servers: string[];
  /** e.g. `md.candle.1s.>` */
  subject: string;
}

/** Harness -> NATS probe or WS client process: close the current window and start the next. */
export interface WindowRequest {
  type: 'window';
}

/** Harness -> NATS probe or WS client process: close everything and stop. */
export interface StopRequest {
  type: 'stop';
}

/** Harness -> WS client process: open the clients. */
export interface WsClientsStart {
  type: 'start';
  port: number;
  /** Path and query of the WebSocket, e.g. `/ws?token=…`. */
  path: string;
  /** Counting clients to open; one more client parses every update and times it. */
  counting: number;
  /** The subscribe message every client sends (JSON text). */
  subscribe: string;
  /** The channel whose updates are timed, e.g. `candles:1s`. */
  channel: string;
}

/** Anything the harness sends a WS client process. */
export type ToWsClients = WsClientsStart | WindowRequest | StopRequest;
/** Anything the harness sends the NATS probe. */
export type ToNatsProbe = WindowRequest | StopRequest;

/** Receiver -> harness: subscribed and counting. */
export interface ReceiverReady {
  type: 'ready';
}

/** Receiver -> harness, answering {@link WindowRequest}. */
export interface WindowReport {
  type: 'window';
  window: LatencyWindow;
  /** WebSocket connections the server closed since the previous window (always 0 for NATS). */
  closed: number;
}

/** Receiver -> harness: it could not start. */
export interface ReceiverFailed {
  type: 'failed';
  message: string;
}

/** Anything the NATS probe or a WS client process sends. */
export type FromReceiver = ReceiverReady | WindowReport | ReceiverFailed;
