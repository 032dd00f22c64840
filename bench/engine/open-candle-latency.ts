/**
 * Latency of open-candle updates, the rule every latency benchmark uses: an update counts when its
 * stream's lastTradeTs advanced (a repeat or a close says nothing new), and its latency is the
 * receive time minus lastTradeTs, which the load stamped with the publish time on this machine.
 */
import * as hdr from 'hdr-histogram-js';

/** An HDR histogram of microseconds, 1 µs to `highestUs` (auto-resizing past it), 3 significant digits. */
export function latencyHistogram(highestUs = 60_000_000): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: highestUs,
    numberOfSignificantValueDigits: 3,
  });
}

/** The candle fields the rule reads. */
export interface TimedCandle {
  closed: boolean;
  lastTradeTs: number;
}

/** Records open-candle update latencies into {@link OpenCandleLatency.histogram}. */
export class OpenCandleLatency {
  readonly histogram = latencyHistogram();
  /** Updates whose last trade is older than this (epoch ms) are not counted. */
  fromTs = Number.NEGATIVE_INFINITY;
  readonly #lastSeen = new Map<string, number>();

  /** Takes one update of stream `key` received at `nowMs` (epoch ms); true when it was recorded. */
  observe(key: string, c: TimedCandle, nowMs: number): boolean {
    if (c.closed || c.lastTradeTs < this.fromTs) return false;
    const prev = this.#lastSeen.get(key);
    if (prev !== undefined && c.lastTradeTs <= prev) return false;
    this.#lastSeen.set(key, c.lastTradeTs);
    this.histogram.recordValue(Math.max(1, Math.round((nowMs - c.lastTradeTs) * 1000)));
    return true;
  }
}
