/**
 * The simulate run loop: drives a {@link SimulatedMarket} into JetStream through a
 * {@link Publisher}, paced to a target rate, until a record count, a duration or an abort.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectFeed, requireInputStreams } from '../publisher/feed-connection.js';
import { Pacer } from '../publisher/pacer.js';
import { Publisher, type PublisherStats } from '../publisher/publisher.js';
import { SimulatedMarket } from './market.js';

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  /** NATS server URL, e.g. `nats://127.0.0.1:14222`. */
  natsUrl: string;
  /** Target records per second; 0 = as fast as the stream acks. */
  rate: number;
  symbols: number;
  seed: number;
  /** Default `sim`. */
  venue?: string;
  /** Stop after this many ms of wall-clock time. */
  durationMs?: number;
  /** Stop after this many records. With neither this nor `durationMs`, runs until aborted. */
  count?: number;
  /** Partition count of the input streams. Default 8. */
  partitions?: number;
  /** Fraction of trades delivered late. Default 0. */
  lateFraction?: number;
  /** Largest lateness, ms. Default 0. */
  lateMaxMs?: number;
  /** Fraction of records that are quotes. Default 0.3, the market's default. */
  quoteFraction?: number;
  /**
   * true: records carry wall-clock times (ts = recvTs = now at publish; late trades shifted back
   * by their delay). false (default): the market's synthetic event times.
   */
  realtime?: boolean;
  /** Records per frame; 1 = one record per message. Default 64. */
  frameMaxRecords?: number;
  frameMaxBytes?: number;
  frameMaxDelayMs?: number;
  maxInFlight?: number;
  /**
   * Message-id prefix. Default `sim-<seed>` for synthetic time (a rerun is de-duplicated by the
   * stream) and `sim-<seed>-<start ms>` in realtime mode (every run's records differ).
   */
  msgIdPrefix?: string;
  /** Check that streams capture `md.trade.>` and `md.quote.>` before publishing. Default true. */
  requireStreams?: boolean;
  /** Called every `progressMs` with the publisher's counters. */
  onProgress?: (stats: PublisherStats) => void;
  /** Default 2000. */
  progressMs?: number;
  /** Stops the run: open frames are flushed and acks awaited before the promise resolves. */
  signal?: AbortSignal;
  /** An existing connection to use instead of `natsUrl`; it is left open. */
  connection?: NatsConnection;
}

/** What a run did. */
export interface SimulationSummary {
  records: number;
  trades: number;
  quotes: number;
  elapsedMs: number;
  /** Acked records per second over the whole run. */
  ratePerSec: number;
  /** Why the loop stopped. */
  stoppedBy: 'count' | 'duration' | 'signal';
  stats: PublisherStats;
}

// Without a pacing sleep or backpressure the loop would never let socket writes and acks run.
const YIELD_EVERY = 1024;

/** Publishes a simulated market; resolves once everything published is acked (or given up). */
export async function runSimulation(o: SimulationOptions): Promise<SimulationSummary> {
  const started = Date.now();
  const realtime = o.realtime ?? false;
  const nc = o.connection ?? (await connectFeed(o.natsUrl, 'tickflow-simulate'));
  try {
    if (o.requireStreams ?? true) await requireInputStreams(nc);
    const publisher = new Publisher(jetstream(nc), {
      partitions: o.partitions ?? 8,
      maxInFlight: o.maxInFlight,
      frameMaxRecords: o.frameMaxRecords,
      frameMaxBytes: o.frameMaxBytes,
      frameMaxDelayMs: o.frameMaxDelayMs,
      msgIdPrefix: o.msgIdPrefix ?? (realtime ? `sim-${o.seed}-${started}` : `sim-${o.seed}`),
    });
    const market = new SimulatedMarket({
      seed: o.seed,
      symbols: o.symbols,
      venue: o.venue ?? 'sim',
      ratePerSec: o.rate > 0 ? o.rate : 10_000,
      lateFraction: o.lateFraction ?? 0,
      lateMaxMs: o.lateMaxMs ?? 0,
      ...(o.quoteFraction === undefined ? {} : { quoteFraction: o.quoteFraction }),
    });
    const pacer = new Pacer(o.rate);
    const progress =
      o.onProgress === undefined
        ? undefined
        : setInterval(() => o.onProgress?.(publisher.stats()), o.progressMs ?? 2000);
    const limit = o.count ?? Number.POSITIVE_INFINITY;
    const endAt = o.durationMs === undefined ? Number.POSITIVE_INFINITY : started + o.durationMs;
    let stoppedBy: SimulationSummary['stoppedBy'] = 'count';
    let trades = 0;
    let n = 0;
    try {
      while (n < limit) {
        if (o.signal?.aborted) {
          stoppedBy = 'signal';
          break;
        }
        if ((n & (YIELD_EVERY - 1)) === 0 && n > 0) {
          if (Date.now() >= endAt) {
            stoppedBy = 'duration';
            break;
          }
          await yieldToLoop();
        }
        const r = market.next();
        if (realtime) {
          const now = Date.now();
          r.ts = now - (r.recvTs - r.ts);
          r.recvTs = now;
        }
        if (r.type === 'trade') trades++;
        n++;
        const wait = publisher.publish(r);
        if (wait !== undefined) await wait;
        const pace = pacer.take();
        if (pace !== undefined) {
          await pace;
          if (Date.now() >= endAt) {
            stoppedBy = 'duration';
            break;
          }
        }
      }
      await publisher.close();
    } finally {
      if (progress !== undefined) clearInterval(progress);
    }
    const elapsedMs = Date.now() - started;
    const stats = publisher.stats();
    return {
      records: n,
      trades,
      quotes: n - trades,
      elapsedMs,
      ratePerSec: elapsedMs > 0 ? (stats.ackedRecords * 1000) / elapsedMs : 0,
      stoppedBy,
      stats,
    };
  } finally {
    if (o.connection === undefined) await nc.close();
  }
}
