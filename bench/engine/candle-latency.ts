/**
 * Latency from publish to the candle update on NATS: trades of a simulated market are published
 * at a fixed rate with `ts = recvTs = Date.now()` at publish, while a subscriber thread times
 * every open 1s-candle update whose lastTradeTs advanced.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Publisher } from '../../feeds/publisher/index.js';
import { SimulatedMarket } from '../../feeds/simulator/market.js';
import { BenchEngineError } from './bench-error.js';
import type {
  FromLatencyWorker,
  LatencyReportMessage,
  LatencyWorkerInit,
  ToLatencyWorker,
} from './candle-latency-messages.js';

/** How the latency phase runs. */
export interface CandleLatencyOptions {
  servers: string[];
  partitions: number;
  symbols: number;
  ratePerSec: number;
  seconds: number;
  /** Leading seconds not counted (JIT, first candles of every symbol). */
  warmupSeconds: number;
  /** Records per message; 1 sends each trade as soon as it is made. */
  frame: number;
  msgIdPrefix: string;
  /** Resolves once the engine has consumed and acked everything published. */
  settled: () => Promise<void>;
}

/** Outcome of the latency phase. */
export interface CandleLatencyResult {
  report: LatencyReportMessage;
  /** Trades published and acked. */
  trades: number;
  /** Achieved publish rate over the whole phase, trades/s. */
  achievedRate: number;
  /** From the first publish until every publish was acked. */
  seconds: number;
}

/** Runs the paced publisher against a running engine and returns the subscriber's histogram. */
export async function runCandleLatency(
  nc: NatsConnection,
  o: CandleLatencyOptions,
): Promise<CandleLatencyResult> {
  const init: LatencyWorkerInit = { servers: o.servers, subject: 'md.candle.1s.>' };
  const worker = new Worker(new URL('./candle-latency-worker.js', import.meta.url), { workerData: init });
  const failed = new Promise<never>((_, reject) =>
    worker.once('error', (err) =>
      reject(new BenchEngineError('TF_ERR_BENCH_WORKER', 'candle subscriber thread crashed', { cause: err })),
    ),
  );
  const next = (): Promise<FromLatencyWorker> =>
    Promise.race([new Promise<FromLatencyWorker>((r) => worker.once('message', r)), failed]);
  try {
    await next();
    const publisher = new Publisher(jetstream(nc), {
      partitions: o.partitions,
      frameMaxRecords: o.frame,
      msgIdPrefix: o.msgIdPrefix,
    });
    const market = new SimulatedMarket({
      seed: 7,
      symbols: o.symbols,
      ratePerSec: o.ratePerSec,
      quoteFraction: 0,
    });
    const t0 = performance.now();
    const end = t0 + o.seconds * 1000;
    const warmEnd = t0 + o.warmupSeconds * 1000;
    let started = false;
    let sent = 0;
    for (let now = t0; now < end; now = performance.now()) {
      if (!started && now >= warmEnd) {
        started = true;
        worker.postMessage({ type: 'start', fromTs: Date.now() } satisfies ToLatencyWorker);
      }
      const due = Math.floor(((now - t0) * o.ratePerSec) / 1000);
      // When publishing falls behind, `due` runs ahead: stop at the end anyway, not when caught up.
      while (sent < due && performance.now() < end) {
        const r = market.next();
        if (r.type !== 'trade') continue;
        const ts = Date.now();
        r.ts = ts;
        r.recvTs = ts;
        const wait = publisher.publish(r);
        sent++;
        if (wait !== undefined) await wait;
      }
      await sleep(1);
    }
    await publisher.close();
    const seconds = (performance.now() - t0) / 1000;
    await o.settled();
    // The last outputs are published before the QuestDB flush that precedes the ack; a short wait covers their way here.
    await sleep(500);
    worker.postMessage({ type: 'stop' } satisfies ToLatencyWorker);
    const report = await next();
    if (report.type !== 'report') throw new BenchEngineError('TF_ERR_BENCH_WORKER', 'unexpected message');
    const s = publisher.stats();
    return { report, trades: s.ackedRecords, achievedRate: s.ackedRecords / seconds, seconds };
  } finally {
    await worker.terminate();
  }
}
