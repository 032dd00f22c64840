/**
 * Prometheus metrics of the gateway, prefix `tickflow_gateway_`. The fan-out
 * path bumps plain number fields of {@link GatewayCounters}; they are copied
 * into prom-client at scrape time, so publishing costs no prom-client calls.
 */

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Counters updated on the hot path as plain fields; read at scrape time. */
export interface GatewayCounters {
  /** Messages written to clients (one per subscriber reached). */
  messagesOut: number;
  bytesOut: number;
  /** Records received from NATS. */
  recordsIn: number;
  /** Connections open now. */
  connections: number;
  /** Stream subscriptions held now, over all connections. */
  subscriptions: number;
}

/** Which uWebSockets.js implementation loaded. */
export type UwsImpl = 'uws' | 'fallback';

/** The registry and the metrics updated off the hot path. */
export interface GatewayMetrics {
  registry: Registry;
  counters: GatewayCounters;
  drops: Counter<'reason'>;
  disconnects: Counter<'reason'>;
  authFailures: Counter<'reason'>;
  clientErrors: Counter<'code'>;
  conflated: Counter;
  restLatency: Histogram<'route' | 'status'>;
  native: Gauge<'impl'>;
}

/** Creates the gateway's metrics in a fresh registry. */
export function createGatewayMetrics(impl: UwsImpl): GatewayMetrics {
  const registry = new Registry();
  const counters: GatewayCounters = {
    messagesOut: 0,
    bytesOut: 0,
    recordsIn: 0,
    connections: 0,
    subscriptions: 0,
  };
  const registers = [registry];
  new Gauge({
    name: 'tickflow_gateway_connections',
    help: 'WebSocket connections open now',
    registers,
    collect() {
      this.set(counters.connections);
    },
  });
  new Gauge({
    name: 'tickflow_gateway_subscriptions',
    help: 'Stream subscriptions (channel x symbol selector) held now, over all connections',
    registers,
    collect() {
      this.set(counters.subscriptions);
    },
  });
  addMonotonic(
    registry,
    'tickflow_gateway_messages_out_total',
    'Messages written to clients',
    () => counters.messagesOut,
  );
  addMonotonic(
    registry,
    'tickflow_gateway_bytes_out_total',
    'Bytes of messages written to clients',
    () => counters.bytesOut,
  );
  addMonotonic(
    registry,
    'tickflow_gateway_records_in_total',
    'Records received from NATS',
    () => counters.recordsIn,
  );
  const native = new Gauge({
    name: 'tickflow_gateway_native',
    help: '1 for the uWebSockets.js implementation in use: uws (native) or fallback (the JS ws shim)',
    labelNames: ['impl'] as const,
    registers,
  });
  native.set({ impl }, 1);
  native.set({ impl: impl === 'uws' ? 'fallback' : 'uws' }, 0);
  return {
    registry,
    counters,
    native,
    drops: new Counter({
      name: 'tickflow_gateway_drops_total',
      help: 'Messages not delivered, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    disconnects: new Counter({
      name: 'tickflow_gateway_disconnects_total',
      help: 'WebSocket connections closed, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    authFailures: new Counter({
      name: 'tickflow_gateway_auth_failures_total',
      help: 'Refused credentials, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    clientErrors: new Counter({
      name: 'tickflow_gateway_client_errors_total',
      help: 'Error messages sent to clients, by protocol error code',
      labelNames: ['code'] as const,
      registers,
    }),
    conflated: new Counter({
      name: 'tickflow_gateway_conflated_total',
      help: 'Updates replaced by a newer one for the same stream while their client was slow',
      registers,
    }),
    restLatency: new Histogram({
      name: 'tickflow_gateway_rest_latency_seconds',
      help: 'REST request latency, by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}

function addMonotonic(registry: Registry, name: string, help: string, read: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > reported) this.inc(now - reported);
      reported = now;
    },
  });
}
