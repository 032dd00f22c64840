/**
 * One measurement window at a steady target rate: everything the harness reports per step (and
 * per soak sample) is the difference between a snapshot at the window's start and one at its end,
 * with the consumer backlog also sampled every second in between.
 */
import { loadavg } from 'node:os';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { PublisherStats } from '../../feeds/publisher/publisher.js';
import { type ConsumerTotals, consumerTotals, type WatchedConsumer } from '../engine/drain-watch.js';
import { scrapeMetrics, sumMetric } from '../engine/prometheus-text.js';
import { type LatencySummary, mergeWindows, summarizeLatency } from './latency-window.js';
import type { WindowReport } from './messages.js';
import type { UsageMonitor, UsageWindow } from './process-usage.js';
import type { Receiver } from './receivers.js';

/** What a window is measured with. */
export interface Probes {
  publisherStats: () => PublisherStats;
  nats: Receiver;
  ws: readonly Receiver[];
  /** WebSocket clients in all. */
  clients: number;
  usage: UsageMonitor;
  jsm: JetStreamManager;
  /** The engine's durable consumers of the trades stream. */
  consumers: readonly WatchedConsumer[];
  engineMetricsUrl: string;
  gatewayMetricsUrl: string;
}

/** Everything measured over one window. */
export interface WindowMeasurement {
  seconds: number;
  tradesIn: {
    /** Trades the stream acked within the window. */
    trades: number;
    perSec: number;
    /** Messages (frames) acked within the window. */
    messages: number;
    publishErrors: number;
    publishFailed: number;
    rejected: number;
  };
  engine: { tradesPerSec: number; deadLetters: number; rejects: number; backpressureSeconds: number };
  candlesOut: {
    /** 1s-candle updates per second on NATS (as the probe received them). */
    natsPerSec: number;
    /** Updates per second received by all WebSocket clients together. */
    wsPerSec: number;
    wsPerClientPerSec: number;
    /** Messages per second the gateway says it wrote to clients. */
    gatewayOutPerSec: number;
  };
  latency: { nats: LatencySummary; ws: LatencySummary };
  drops: {
    gatewayDrops: number;
    gatewayDisconnects: number;
    conflated: number;
    /** Connections closed by the server, as the clients saw it. */
    clientsClosed: number;
    publishFailed: number;
  };
  lag: {
    /** Messages not yet delivered to the engine's consumers, summed over partitions. */
    start: number;
    end: number;
    max: number;
    /** Delivered to the engine, not yet acked (bounded by max_ack_pending), at the end. */
    ackPendingEnd: number;
    /** Least-squares slope of the backlog over the window, messages per second. */
    slopePerSec: number;
    /** Backlog sampled about once a second, first at the start, last at the end. */
    samples: number[];
  };
  usage: Record<string, UsageWindow>;
  /** The machine's 1-minute load average at the end: other work shares the cores with the run. */
  loadAverage: number;
}

interface Snapshot {
  at: number;
  pub: PublisherStats;
  engine: string;
  gateway: string;
  lag: ConsumerTotals;
  windows: { nats: WindowReport; ws: WindowReport[] };
  usage: Record<string, UsageWindow>;
}

async function snapshot(p: Probes): Promise<Snapshot> {
  const windows = Promise.all([p.nats.window(), Promise.all(p.ws.map((r) => r.window()))]);
  const usage = p.usage.window();
  const pub = p.publisherStats();
  const at = performance.now();
  const [engine, gateway, lag, [nats, ws]] = await Promise.all([
    scrapeMetrics(p.engineMetricsUrl),
    scrapeMetrics(p.gatewayMetricsUrl),
    consumerTotals(p.jsm, p.consumers),
    windows,
  ]);
  return { at, pub, engine, gateway, lag, windows: { nats, ws }, usage };
}

/** Slope of y over t by least squares; 0 with fewer than two points. */
export function slope(t: readonly number[], y: readonly number[]): number {
  const n = t.length;
  if (n < 2) return 0;
  let st = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    st += t[i]!;
    sy += y[i]!;
  }
  const mt = st / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (t[i]! - mt) * (y[i]! - my);
    den += (t[i]! - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Measures `seconds` of whatever rate the load is running at now. */
export async function measureWindow(p: Probes, seconds: number): Promise<WindowMeasurement> {
  const a = await snapshot(p);
  const times = [0];
  const lags = [a.lag.pending];
  const end = a.at + seconds * 1000;
  for (;;) {
    const left = end - performance.now();
    if (left <= 1000) {
      await sleep(Math.max(0, left));
      break;
    }
    await sleep(1000);
    const l = await consumerTotals(p.jsm, p.consumers);
    times.push((performance.now() - a.at) / 1000);
    lags.push(l.pending);
  }
  const b = await snapshot(p);
  const s = (b.at - a.at) / 1000;
  times.push(s);
  lags.push(b.lag.pending);
  const engine = (name: string): number =>
    sumMetric(b.engine, `tickflow_engine_${name}`) - sumMetric(a.engine, `tickflow_engine_${name}`);
  const gateway = (name: string): number =>
    sumMetric(b.gateway, `tickflow_gateway_${name}`) - sumMetric(a.gateway, `tickflow_gateway_${name}`);
  const nats = mergeWindows([b.windows.nats.window]);
  const ws = mergeWindows(b.windows.ws.map((r) => r.window));
  let clientsClosed = 0;
  for (const r of b.windows.ws) clientsClosed += r.closed;
  const trades = b.pub.ackedRecords - a.pub.ackedRecords;
  const publishFailed = b.pub.failed - a.pub.failed;
  return {
    seconds: s,
    tradesIn: {
      trades,
      perSec: trades / s,
      messages: b.pub.acked - a.pub.acked,
      publishErrors: b.pub.errors - a.pub.errors,
      publishFailed,
      rejected: b.pub.rejected - a.pub.rejected,
    },
    engine: {
      tradesPerSec: engine('trades_total') / s,
      deadLetters: engine('dead_letters_total'),
      rejects: engine('rejects_total'),
      backpressureSeconds: engine('backpressure_seconds_total'),
    },
    candlesOut: {
      natsPerSec: nats.updates / s,
      wsPerSec: ws.updates / s,
      wsPerClientPerSec: ws.updates / s / p.clients,
      gatewayOutPerSec: gateway('messages_out_total') / s,
    },
    latency: { nats: summarizeLatency(nats.histogram), ws: summarizeLatency(ws.histogram) },
    drops: {
      gatewayDrops: gateway('drops_total'),
      gatewayDisconnects: gateway('disconnects_total'),
      conflated: gateway('conflated_total'),
      clientsClosed,
      publishFailed,
    },
    lag: {
      start: a.lag.pending,
      end: b.lag.pending,
      max: Math.max(...lags),
      ackPendingEnd: b.lag.ackPending,
      slopePerSec: slope(times, lags),
      samples: lags,
    },
    usage: b.usage,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}
