/**
 * Pre-generated simulator trades and their publication into MD_TRADES through the feeds'
 * Publisher, framed or one trade per message, before any consumer runs.
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Publisher } from '../../feeds/publisher/index.js';
import { SimulatedMarket } from '../../feeds/simulator/market.js';
import type { Trade } from '../../schemas/index.js';
import { BenchEngineError } from './bench-error.js';

/**
 * `n` trades over `symbols` Zipf-skewed symbols, event times at `ratePerSec` ending about now, so
 * candles and QuestDB partitions look like a live feed's.
 */
export function simulatedTrades(n: number, symbols: number, seed: number, ratePerSec: number): Trade[] {
  const startTs = Date.now() - Math.ceil((n * 1000) / ratePerSec);
  const market = new SimulatedMarket({ seed, symbols, ratePerSec, startTs, quoteFraction: 0 });
  const out: Trade[] = [];
  while (out.length < n) {
    const r = market.next();
    if (r.type === 'trade') out.push(r);
  }
  return out;
}

/** What a publication produced. */
export interface Published {
  messages: number;
  records: number;
  seconds: number;
}

/**
 * Publishes every trade (frames of up to `frame` trades of one symbol; 1 = unframed) and waits
 * for every ack. `msgIdPrefix` must be unique per run and phase: message ids repeat otherwise.
 */
export async function publishTrades(
  nc: NatsConnection,
  trades: readonly Trade[],
  options: { partitions: number; frame: number; msgIdPrefix: string },
): Promise<Published> {
  const publisher = new Publisher(jetstream(nc), {
    partitions: options.partitions,
    frameMaxRecords: options.frame,
    msgIdPrefix: options.msgIdPrefix,
    // A backlog is framed by count alone, as a busy feed's frames fill before their deadline.
    frameMaxDelayMs: 60_000,
  });
  const t0 = performance.now();
  for (let i = 0; i < trades.length; i++) {
    const wait = publisher.publish(trades[i]!);
    if (wait !== undefined) await wait;
  }
  await publisher.close();
  const seconds = (performance.now() - t0) / 1000;
  const s = publisher.stats();
  if (s.failed > 0 || s.rejected > 0 || s.duplicates > 0) {
    throw new BenchEngineError(
      'TF_ERR_BENCH_PUBLISH',
      `publishing lost messages: ${s.rejected} trades rejected, ${s.failed} messages failed, ` +
        `${s.duplicates} duplicates (last error: ${s.lastError ?? 'none'})`,
    );
  }
  return { messages: s.acked, records: s.ackedRecords, seconds };
}
