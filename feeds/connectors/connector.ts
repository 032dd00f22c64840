/**
 * What every exchange connector shares: the sinks it writes to, its logger and its counters.
 */
import type { Publisher } from '../publisher/index.js';

/** Where records go: a feed's {@link Publisher}. A returned promise means "stop reading until it settles". */
export type RecordSink = Pick<Publisher, 'publish'>;

/** Core NATS publish for alerts; a `NatsConnection` satisfies it. */
export interface AlertSink {
  publish(subject: string, payload: Uint8Array): void;
}

/** The part of a pino logger connectors use; pino satisfies it. */
export interface ConnectorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A logger that drops everything, the default. */
export const SILENT_LOGGER: ConnectorLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Counters of a connector. */
export interface ConnectorStats {
  /** Sockets opened, the first one included. */
  connects: number;
  /** Sockets opened after a disconnect. */
  reconnects: number;
  /** Disconnects of any cause (server close, error, dead-connection timeout). */
  disconnects: number;
  /** Connections dropped because the venue went silent (missed heartbeats or pings). */
  deadConnections: number;
  /** Messages received. */
  messages: number;
  trades: number;
  quotes: number;
  /** Sequence gaps found (each also published as a `sequence_gap` alert). */
  gaps: number;
  /** Ids missing in those gaps. */
  missing: number;
  /** Messages at or below an id already seen (duplicates after reconnect), dropped. */
  stale: number;
  /** Messages that did not parse or map to a valid record, dropped. */
  badMessages: number;
  /** Subscription errors the venue reported. */
  subscribeErrors: number;
  /** Announced server restarts (Binance `serverShutdown`) that made the connector reconnect early. */
  serverShutdowns: number;
  lastError: string | undefined;
}

/** A fresh zeroed {@link ConnectorStats}. */
export function emptyConnectorStats(): ConnectorStats {
  return {
    connects: 0,
    reconnects: 0,
    disconnects: 0,
    deadConnections: 0,
    messages: 0,
    trades: 0,
    quotes: 0,
    gaps: 0,
    missing: 0,
    stale: 0,
    badMessages: 0,
    subscribeErrors: 0,
    serverShutdowns: 0,
    lastError: undefined,
  };
}

/** A running connector. */
export interface Connector {
  /** Opens the connections; returns at once (connecting and reconnecting run in the background). */
  start(): void;
  /** Closes every socket with code 1000 and stops reconnecting; resolves once they are closed. */
  stop(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): ConnectorStats;
}
