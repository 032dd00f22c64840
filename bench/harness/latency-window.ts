/**
 * Latency windows: each receiver times open-candle updates into its own histogram and hands it
 * over per window (compressed, so it crosses a thread or process boundary as a string); the
 * harness merges the windows of every receiver and reads percentiles from the merge.
 */
import * as hdr from 'hdr-histogram-js';
import { latencyHistogram, OpenCandleLatency, type TimedCandle } from '../engine/open-candle-latency.js';
import type { LatencyWindow } from './messages.js';

/** The receiver side: counts updates, times them, and hands a window over on request. */
export class LatencyWindowRecorder {
  readonly #timer = new OpenCandleLatency();
  #updates = 0;

  /** One candle update of stream `key`, received at `nowMs` (epoch ms). */
  update(key: string, candle: TimedCandle, nowMs: number): void {
    this.#updates++;
    this.#timer.observe(key, candle, nowMs);
  }

  /** What was seen since the previous call; starts a new window. */
  take(): LatencyWindow {
    const h = this.#timer.histogram;
    const w: LatencyWindow = {
      updates: this.#updates,
      samples: h.totalCount,
      histogram: hdr.encodeIntoCompressedBase64(h),
    };
    h.reset();
    this.#updates = 0;
    return w;
  }
}

/** Percentiles of one merged window, milliseconds. */
export interface LatencySummary {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** The windows of several receivers as one histogram (µs) and their summed update count. */
export function mergeWindows(windows: readonly LatencyWindow[]): {
  updates: number;
  histogram: hdr.Histogram;
} {
  const histogram = latencyHistogram();
  let updates = 0;
  for (const w of windows) {
    updates += w.updates;
    if (w.samples > 0) histogram.add(hdr.decodeFromCompressedBase64(w.histogram));
  }
  return { updates, histogram };
}

/** Percentiles in ms (µs histograms, 3 decimals kept). */
export function summarizeLatency(h: hdr.Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  return {
    samples: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}
