/**
 * A few of the engine's own Prometheus counters, scraped from its ops server after a drain, to
 * say where its time went: how many QuestDB flushes (each one a round trip before an ack) and
 * how long they took, and how long the shards spent under backpressure.
 */
import { histogramQuantile, scrapeMetrics, sumMetric } from './prometheus-text.js';

/** Totals over every label set, from one scrape. */
export interface EngineDiagnostics {
  trades: number;
  flushes: number;
  flushSeconds: number;
  backpressureSeconds: number;
  /** Closed candles, revisions of closed candles, and trades too late to change a candle. */
  candlesClosed: number;
  revisions: number;
  lateTrades: number;
  /** Rows landed in QuestDB, every table. */
  rows: number;
  /** Shard event-loop delay (10 ms samples): mean, and the bucket bounds holding p99 and the max, seconds. */
  loopDelayMean: number;
  loopDelayP99: number;
  loopDelayMax: number;
  /** Sum and count of the processing-latency histogram. */
  processingSeconds: number;
  processed: number;
}

const PREFIX = 'tickflow_engine_';

function total(text: string, name: string): number {
  return sumMetric(text, PREFIX + name);
}

/** Scrapes `http://127.0.0.1:<opsPort>/metrics`. */
export async function readEngineDiagnostics(opsPort: number): Promise<EngineDiagnostics> {
  const text = await scrapeMetrics(`http://127.0.0.1:${opsPort}/metrics`);
  return {
    trades: total(text, 'trades_total'),
    flushes: total(text, 'sink_flush_seconds_count'),
    flushSeconds: total(text, 'sink_flush_seconds_sum'),
    backpressureSeconds: total(text, 'backpressure_seconds_total'),
    candlesClosed: total(text, 'candles_out_total'),
    revisions: total(text, 'revisions_total'),
    lateTrades: total(text, 'late_trades_total'),
    rows: total(text, 'sink_rows_total'),
    loopDelayMean:
      total(text, 'shard_event_loop_delay_seconds_sum') /
      Math.max(total(text, 'shard_event_loop_delay_seconds_count'), 1),
    loopDelayP99: histogramQuantile(text, `${PREFIX}shard_event_loop_delay_seconds`, 0.99),
    loopDelayMax: histogramQuantile(text, `${PREFIX}shard_event_loop_delay_seconds`, 1),
    processingSeconds: total(text, 'processing_latency_seconds_sum'),
    processed: total(text, 'processing_latency_seconds_count'),
  };
}
