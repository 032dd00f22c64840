import type { Alert } from '../../schemas/records.js';
import type { AnomalyConfig } from './config.js';
import { validateAnomalyConfig } from './config.js';
import { AnomalyError } from './errors.js';

/**
 * Where one symbol's detector state lives. All of it is numbers in a block of
 * an arena chunk (see arena.ts): `f64` doubles at `s[o…]`, then `f32` floats
 * at `f[(o + layout.f64) * 2…]`. Float32 holds what needs no more: small
 * counts (exact below 2^24), volume history (7 significant digits are plenty
 * for a z-score) and the pending outlier price (compared within percents).
 */
export interface AnomalyState {
  readonly venue: string;
  readonly symbol: string;
  readonly layout: AnomalyLayout;
  readonly emit: (a: Alert) => void;
  readonly s: Float64Array;
  readonly f: Float32Array;
  readonly o: number;
}

// Core doubles, relative to the block start.
/** Seven slots, ALERT_KINDS order: event time of the last admitted alert, NaN before the first. */
export const LAST_ALERT = 0;
export const STAT_ALERTS = 7;
export const STAT_SEQ_GAPS = 8;
export const STAT_SEQ_DUPLICATES = 9;
export const SEQ_TRADE = 10;
export const SEQ_QUOTE = 11;
/** Outlier-print reference price and its event time (a trade price or a quote mid). */
export const REF_PRICE = 12;
export const REF_TS = 13;
/** Highest receive time of any trade or quote. */
export const LAST_ARRIVAL = 14;
const CORE_F64 = 15;

// Core floats, relative to the block's first float.
/**
 * Cooldown severity (2 bits) and escalation (1 bit) per alert kind, then the
 * flags below: 23 bits, an integer a float holds exactly (up to 2^24).
 */
export const BITS = 0;
/** Last print rejected as an outlier; NaN when none is pending. */
export const PENDING_PRICE = 1;
const CORE_F32 = 2;

/** BITS flag: the current stale episode has been alerted. */
export const FLAG_STALE_ALERTED = 1 << 21;
/** BITS flag: REF_PRICE is a quote mid, not a trade price. */
export const FLAG_REF_IS_MID = 1 << 22;

/** Stale-feed activity is counted in this many buckets of `activeWindowMs / 4`. */
export const STALE_BUCKETS = 4;

/**
 * One independently restorable part of the state. `key` names everything
 * that gives its numbers their meaning (sizes, bucket widths), so a snapshot
 * region is only restored into a layout with the same key.
 */
export interface StateRegion {
  readonly key: string;
  readonly at64: number;
  readonly init64: readonly number[];
  readonly at32: number;
  readonly init32: readonly number[];
}

/** A config compiled into offsets; shared by every symbol that uses the same config object. */
export interface AnomalyLayout {
  readonly config: AnomalyConfig;
  /** Doubles in a block's f64 part. */
  readonly f64: number;
  /** Floats in a block's f32 part (even, so blocks stay 8-byte aligned). */
  readonly f32: number;
  readonly regions: readonly StateRegion[];
  /** Price spike: f64 [latest bucket index, sums…], f32 [counts…]. */
  readonly psAt64: number;
  readonly psAt32: number;
  readonly psBuckets: number;
  /** Stale feed: f32 [counts…]; the newest bucket is the one of LAST_ARRIVAL. */
  readonly staleAt32: number;
  readonly staleBucketMs: number;
  /** Volume spike: f32 [fill, volumes…]; fill < lookback while filling, then lookback + next write index. */
  readonly volAt32: number;
}

const layouts = new WeakMap<AnomalyConfig, AnomalyLayout>();

/**
 * The layout for a config, validated and compiled on first use and cached
 * per config object (configs are treated as immutable once detectors use
 * them). Disabled detectors take no state beyond the shared core.
 * @throws AnomalyError `TF_ERR_BAD_ANOMALY_CONFIG` listing every problem.
 */
export function layoutFor(config: AnomalyConfig): AnomalyLayout {
  const cached = layouts.get(config);
  if (cached !== undefined) return cached;
  const problems = validateAnomalyConfig(config);
  if (problems.length > 0) {
    throw new AnomalyError(
      'TF_ERR_BAD_ANOMALY_CONFIG',
      `invalid anomaly config: ${problems.join('; ')}`,
      problems,
    );
  }
  const regions: StateRegion[] = [];
  let n64 = 0;
  let n32 = 0;
  const add = (key: string, init64: number[], init32: number[]): StateRegion => {
    const r = { key, at64: n64, init64, at32: n32, init32 };
    n64 += init64.length;
    n32 += init32.length;
    regions.push(r);
    return r;
  };
  const core64 = new Array<number>(CORE_F64).fill(Number.NaN);
  core64[STAT_ALERTS] = 0;
  core64[STAT_SEQ_GAPS] = 0;
  core64[STAT_SEQ_DUPLICATES] = 0;
  const core32 = new Array<number>(CORE_F32).fill(Number.NaN);
  core32[BITS] = 0;
  add('core/1', core64, core32);

  const ps = config.priceSpike;
  const psBuckets = ps.enabled ? ps.windowMs / ps.bucketMs : 0;
  const psRegion = ps.enabled
    ? add(
        `priceSpike/1/${ps.bucketMs}x${psBuckets}`,
        [Number.NaN, ...new Array<number>(psBuckets).fill(0)],
        new Array<number>(psBuckets).fill(0),
      )
    : null;

  const sf = config.staleFeed;
  const staleRegion = sf.enabled
    ? add(`staleFeed/1/${sf.activeWindowMs}`, [], new Array<number>(STALE_BUCKETS).fill(0))
    : null;

  const vs = config.volumeSpike;
  const volRegion = vs.enabled
    ? add(`volumeSpike/1/${vs.interval}x${vs.lookback}`, [], new Array<number>(1 + vs.lookback).fill(0))
    : null;

  const layout: AnomalyLayout = {
    config,
    f64: n64,
    f32: n32 + (n32 & 1),
    regions,
    psAt64: psRegion?.at64 ?? -1,
    psAt32: psRegion?.at32 ?? -1,
    psBuckets,
    staleAt32: staleRegion?.at32 ?? -1,
    staleBucketMs: sf.activeWindowMs / STALE_BUCKETS,
    volAt32: volRegion?.at32 ?? -1,
  };
  layouts.set(config, layout);
  return layout;
}

/** Index of a block's first float in `st.f`. */
export function f32Base(st: AnomalyState): number {
  return (st.o + st.layout.f64) * 2;
}
