/**
 * A few of the engine's own Prometheus counters, scraped from its ops server after a drain, to
 * say where its time went: how many QuestDB flushes (each one a round trip before an ack) and
 * how long they took, and how long the shards spent under backpressure.
 */

/** Totals over every label set, from one scrape. */
export interface EngineDiagnostics {
  trades: number;
  flushes: number;
  flushSeconds: number;
  backpressureSeconds: number;
  /** Sum and count of the processing-latency histogram. */
  processingSeconds: number;
  processed: number;
}

const PREFIX = 'tickflow_engine_';

function total(text: string, name: string): number {
  let sum = 0;
  const full = PREFIX + name;
  for (const line of text.split('\n')) {
    if (!line.startsWith(full)) continue;
    const next = line.charCodeAt(full.length);
    // Exactly this metric: followed by labels or by the value, not by a longer name.
    if (next !== 123 /* { */ && next !== 32 /* space */) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Scrapes `http://127.0.0.1:<opsPort>/metrics`. */
export async function readEngineDiagnostics(opsPort: number): Promise<EngineDiagnostics> {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
  const text = await res.text();
  return {
    trades: total(text, 'trades_total'),
    flushes: total(text, 'sink_flush_seconds_count'),
    flushSeconds: total(text, 'sink_flush_seconds_sum'),
    backpressureSeconds: total(text, 'backpressure_seconds_total'),
    processingSeconds: total(text, 'processing_latency_seconds_sum'),
    processed: total(text, 'processing_latency_seconds_count'),
  };
}
