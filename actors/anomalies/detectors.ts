import type { Alert, Candle, Quote, Trade } from '../../schemas/records.js';
import { allocateBlock } from './arena.js';
import type { AnomalyConfig } from './config.js';
import type { AnomalyLayout, AnomalyState } from './layout.js';
import {
  layoutFor,
  SEQ_QUOTE,
  SEQ_TRADE,
  STAT_ALERTS,
  STAT_SEQ_DUPLICATES,
  STAT_SEQ_GAPS,
} from './layout.js';
import { outlierOnQuote, outlierOnTrade } from './outlier-print.js';
import { priceSpikeOnTrade } from './price-spike.js';
import { quoteCrossOnQuote } from './quote-cross.js';
import { sequenceOnRecord } from './sequence-gap.js';
import type { AnomalySnapshot } from './snapshot.js';
import { applySnapshot, checkSnapshot, initState, takeSnapshot } from './snapshot.js';
import { staleFeedOnArrival, staleFeedOnTimer } from './stale-feed.js';
import { volumeSpikeOnCandle } from './volume-spike.js';

/** Counters of one symbol's detectors. */
export interface AnomalyStats {
  /** Alerts emitted (after the cooldown). */
  alerts: number;
  /** Forward jumps in a trade or quote sequence, alerted or not. */
  seqGaps: number;
  /** Sequence numbers at or below the last one seen (duplicates and out-of-order records). */
  seqDuplicates: number;
}

/**
 * Every anomaly detector of one (venue, symbol): price spike, volume spike,
 * stale feed, crossed and locked quotes, sequence gaps and outlier prints,
 * behind a per-kind cooldown. Pure: time comes in with the records
 * (event time) and with `onTimer(now)`; alerts go out through `emit`,
 * synchronously. Inputs are expected to be validated records of this symbol.
 *
 * State is a few hundred bytes of numbers in a shared arena (see arena.ts)
 * and nothing is allocated per record unless an alert goes out.
 */
export class AnomalyDetectors implements AnomalyState {
  readonly venue: string;
  readonly symbol: string;
  /** @internal compiled config */
  readonly layout: AnomalyLayout;
  /** @internal */
  readonly emit: (a: Alert) => void;
  /** @internal packed state: doubles at `s[o…]`, floats after them in `f` */
  readonly s: Float64Array;
  /** @internal */
  readonly f: Float32Array;
  /** @internal */
  readonly o: number;

  /** @throws AnomalyError `TF_ERR_BAD_ANOMALY_CONFIG` when the config is invalid. */
  constructor(venue: string, symbol: string, config: AnomalyConfig, emit: (a: Alert) => void) {
    this.venue = venue;
    this.symbol = symbol;
    this.layout = layoutFor(config);
    this.emit = emit;
    const block = allocateBlock(this.layout.f64 + this.layout.f32 / 2);
    this.s = block.s;
    this.f = block.f;
    this.o = block.o;
    initState(this);
  }

  /** A validated trade of this symbol: arrival, sequence, outlier-print and price-spike checks. */
  onTrade(t: Trade): void {
    const c = this.layout.config;
    if (c.staleFeed.enabled) staleFeedOnArrival(this, t);
    if (t.seq !== undefined && c.sequenceGap.enabled) sequenceOnRecord(this, SEQ_TRADE, t, 'trade');
    if (c.outlierPrint.enabled) outlierOnTrade(this, t);
    if (c.priceSpike.enabled) priceSpikeOnTrade(this, t);
  }

  /** A validated quote of this symbol: arrival, sequence, crossed/locked checks and the outlier reference mid. */
  onQuote(q: Quote): void {
    const c = this.layout.config;
    if (c.staleFeed.enabled) staleFeedOnArrival(this, q);
    if (q.seq !== undefined && c.sequenceGap.enabled) sequenceOnRecord(this, SEQ_QUOTE, q, 'quote');
    quoteCrossOnQuote(this, q);
    if (c.outlierPrint.enabled) outlierOnQuote(this, q);
  }

  /** A closed candle; only revision 0 of the volume-spike interval is used. */
  onCandleClosed(c: Candle): void {
    if (this.layout.config.volumeSpike.enabled) volumeSpikeOnCandle(this, c);
  }

  /** Wall-clock tick (ms since the epoch, the same clock as `recvTs`). */
  onTimer(now: number): void {
    if (this.layout.config.staleFeed.enabled) staleFeedOnTimer(this, now);
  }

  /** A fresh copy of the counters. */
  get stats(): AnomalyStats {
    const s = this.s;
    const o = this.o;
    return {
      alerts: s[o + STAT_ALERTS]!,
      seqGaps: s[o + STAT_SEQ_GAPS]!,
      seqDuplicates: s[o + STAT_SEQ_DUPLICATES]!,
    };
  }

  /** Plain data from which `restore` continues exactly where this left off. */
  snapshot(): AnomalySnapshot {
    return takeSnapshot(this);
  }

  /**
   * Detectors that continue from a snapshot. With a config whose detector
   * shapes differ (window, buckets, lookback, interval), the detectors
   * affected start afresh and the others continue.
   * @throws AnomalyError `TF_ERR_ANOMALY_SNAPSHOT` for data that is not a snapshot,
   * `TF_ERR_BAD_ANOMALY_CONFIG` for an invalid config.
   */
  static restore(s: AnomalySnapshot, config: AnomalyConfig, emit: (a: Alert) => void): AnomalyDetectors {
    checkSnapshot(s);
    const d = new AnomalyDetectors(s.venue, s.symbol, config, emit);
    applySnapshot(d, s);
    return d;
  }
}
