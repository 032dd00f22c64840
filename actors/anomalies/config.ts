import type { Interval, Severity } from '../../schemas/records.js';
import { INTERVALS, SEVERITIES } from '../../schemas/records.js';

/**
 * Percent deviation of a trade from the mean trade price over a trailing
 * window, in LULD-style bands. The window is kept as `windowMs / bucketMs`
 * buckets of (sum, count): the reference for a trade is the trade's own
 * bucket plus the buckets before it, so it spans between
 * `windowMs - bucketMs` and `windowMs` of history.
 */
export interface PriceSpikeConfig {
  enabled: boolean;
  windowMs: number;
  bucketMs: number;
  /** Trades the window must hold before the detector judges anything. */
  minTrades: number;
  /** Deviation (percent, inclusive) that raises a `warning`. */
  warnPct: number;
  /** Deviation (percent, inclusive) that raises a `critical`; at least `warnPct`. */
  criticalPct: number;
}

/**
 * Z-score of a closed candle's volume against the previous `lookback` closed
 * candles of `interval` (population standard deviation; only revision 0 counts).
 */
export interface VolumeSpikeConfig {
  enabled: boolean;
  interval: Interval;
  lookback: number;
  /** z-score (inclusive) that raises a `warning`. */
  warnZ: number;
  /** z-score (inclusive) that raises a `critical`; at least `warnZ`. */
  criticalZ: number;
  /**
   * A flat history (standard deviation 0) has no z-score: a candle with more
   * than `flatFactor` times the history's mean volume raises a `warning`
   * instead. 0 means a flat history never alerts.
   */
  flatFactor: number;
}

/**
 * No trade or quote has arrived (by receive time) for `afterMs`, although
 * the symbol was active when it went quiet: at least `minUpdates` arrivals
 * in the `activeWindowMs` ending at the last arrival (counted in four
 * buckets of `activeWindowMs / 4`, so the span is between 3/4 and all of it).
 */
export interface StaleFeedConfig {
  enabled: boolean;
  afterMs: number;
  minUpdates: number;
  activeWindowMs: number;
  severity: Severity;
}

/** A quote with bid above ask (both prices positive). */
export interface CrossedQuoteConfig {
  enabled: boolean;
  severity: Severity;
}

/** A quote with bid equal to ask (both prices positive). */
export interface LockedQuoteConfig {
  enabled: boolean;
  severity: Severity;
}

/** A jump in `seq` (trades and quotes have separate sequences). */
export interface SequenceGapConfig {
  enabled: boolean;
  severity: Severity;
  /** Fewest missing numbers that raise an alert; smaller gaps are only counted. */
  minMissing: number;
}

/**
 * A trade more than `pct` percent away from the last trade price, or from the
 * last quote mid when that quote is newer (event time).
 */
export interface OutlierPrintConfig {
  enabled: boolean;
  pct: number;
  severity: Severity;
}

/** Settings of every anomaly detector of one symbol; one value per deployment. */
export interface AnomalyConfig {
  /**
   * After an alert of some kind, further alerts of that kind for the symbol
   * are held back for this long (event time; the timer's `now` for
   * `stale_feed`). One escalation to a higher severity gets through per
   * cooldown, without restarting it. 0 turns the cooldown off.
   */
  cooldownMs: number;
  priceSpike: PriceSpikeConfig;
  volumeSpike: VolumeSpikeConfig;
  staleFeed: StaleFeedConfig;
  crossedQuote: CrossedQuoteConfig;
  lockedQuote: LockedQuoteConfig;
  sequenceGap: SequenceGapConfig;
  outlierPrint: OutlierPrintConfig;
}

/** Defaults: every detector on, one alert per kind per minute per symbol. */
export const DEFAULT_ANOMALY_CONFIG: AnomalyConfig = {
  cooldownMs: 60_000,
  priceSpike: {
    enabled: true,
    windowMs: 300_000,
    bucketMs: 60_000,
    minTrades: 20,
    warnPct: 5,
    criticalPct: 10,
  },
  volumeSpike: { enabled: true, interval: '1m', lookback: 20, warnZ: 3, criticalZ: 5, flatFactor: 3 },
  staleFeed: { enabled: true, afterMs: 30_000, minUpdates: 10, activeWindowMs: 60_000, severity: 'warning' },
  crossedQuote: { enabled: true, severity: 'warning' },
  lockedQuote: { enabled: true, severity: 'info' },
  sequenceGap: { enabled: true, severity: 'warning', minMissing: 1 },
  outlierPrint: { enabled: true, pct: 2, severity: 'warning' },
};

const DAY_MS = 86_400_000;
/** Bounds the price-spike ring, which is per-symbol memory. */
export const MAX_PRICE_SPIKE_BUCKETS = 60;
/** Bounds the volume history, which is per-symbol memory. */
export const MAX_VOLUME_LOOKBACK = 1_000;

type Section = Exclude<keyof AnomalyConfig, 'cooldownMs'>;

const KEYS: Readonly<Record<Section, readonly string[]>> = {
  priceSpike: ['enabled', 'windowMs', 'bucketMs', 'minTrades', 'warnPct', 'criticalPct'],
  volumeSpike: ['enabled', 'interval', 'lookback', 'warnZ', 'criticalZ', 'flatFactor'],
  staleFeed: ['enabled', 'afterMs', 'minUpdates', 'activeWindowMs', 'severity'],
  crossedQuote: ['enabled', 'severity'],
  lockedQuote: ['enabled', 'severity'],
  sequenceGap: ['enabled', 'severity', 'minMissing'],
  outlierPrint: ['enabled', 'pct', 'severity'],
};

/**
 * Checks a whole anomaly config (it may come from a file, so every value is
 * checked at run time). Returns one sentence per problem, each naming the key
 * as `anomalies.<section>.<key>` and the accepted range; empty when valid.
 */
export function validateAnomalyConfig(c: AnomalyConfig): string[] {
  const problems: string[] = [];
  if (typeof c !== 'object' || c === null) return ['anomalies must be an object'];
  const root = c as unknown as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    if (key !== 'cooldownMs' && !(key in KEYS)) {
      problems.push(
        `anomalies.${key} is not a known option; known: cooldownMs, ${Object.keys(KEYS).join(', ')}`,
      );
    }
  }
  integer(problems, 'anomalies.cooldownMs', root['cooldownMs'], 0, DAY_MS);
  for (const section of Object.keys(KEYS) as Section[]) {
    const value = root[section];
    if (typeof value !== 'object' || value === null) {
      problems.push(`anomalies.${section} must be an object with ${KEYS[section].join(', ')}`);
      continue;
    }
    const s = value as Record<string, unknown>;
    const at = `anomalies.${section}`;
    for (const key of Object.keys(s)) {
      if (!KEYS[section].includes(key)) {
        problems.push(`${at}.${key} is not a known option; known: ${KEYS[section].join(', ')}`);
      }
    }
    if (typeof s['enabled'] !== 'boolean')
      problems.push(`${at}.enabled must be true or false (got ${show(s['enabled'])})`);
    if (KEYS[section].includes('severity')) severity(problems, `${at}.severity`, s['severity']);
  }
  const ps = root['priceSpike'] as Record<string, unknown> | null;
  if (typeof ps === 'object' && ps !== null) {
    const windowOk = integer(problems, 'anomalies.priceSpike.windowMs', ps['windowMs'], 1_000, DAY_MS);
    const bucketOk = integer(problems, 'anomalies.priceSpike.bucketMs', ps['bucketMs'], 1_000, DAY_MS);
    if (windowOk && bucketOk) {
      const w = ps['windowMs'] as number;
      const b = ps['bucketMs'] as number;
      if (w % b !== 0 || w / b > MAX_PRICE_SPIKE_BUCKETS) {
        problems.push(
          `anomalies.priceSpike.windowMs must be a multiple of anomalies.priceSpike.bucketMs (${b}) ` +
            `making 1 to ${MAX_PRICE_SPIKE_BUCKETS} buckets (got ${w})`,
        );
      }
    }
    integer(problems, 'anomalies.priceSpike.minTrades', ps['minTrades'], 1, 1_000_000);
    bands(problems, 'anomalies.priceSpike', ps, 'warnPct', 'criticalPct', 1_000);
  }
  const vs = root['volumeSpike'] as Record<string, unknown> | null;
  if (typeof vs === 'object' && vs !== null) {
    if (!(INTERVALS as readonly unknown[]).includes(vs['interval'])) {
      problems.push(
        `anomalies.volumeSpike.interval must be one of ${INTERVALS.join(', ')} (got ${show(vs['interval'])})`,
      );
    }
    integer(problems, 'anomalies.volumeSpike.lookback', vs['lookback'], 2, MAX_VOLUME_LOOKBACK);
    bands(problems, 'anomalies.volumeSpike', vs, 'warnZ', 'criticalZ', 1_000);
    const f = vs['flatFactor'];
    if (typeof f !== 'number' || !Number.isFinite(f) || (f !== 0 && (f < 1 || f > 1_000))) {
      problems.push(
        `anomalies.volumeSpike.flatFactor must be 0 (never) or a number from 1 to 1000 (got ${show(f)})`,
      );
    }
  }
  const sf = root['staleFeed'] as Record<string, unknown> | null;
  if (typeof sf === 'object' && sf !== null) {
    integer(problems, 'anomalies.staleFeed.afterMs', sf['afterMs'], 1, DAY_MS);
    integer(problems, 'anomalies.staleFeed.minUpdates', sf['minUpdates'], 1, 1_000_000);
    integer(problems, 'anomalies.staleFeed.activeWindowMs', sf['activeWindowMs'], 1_000, DAY_MS);
  }
  const sg = root['sequenceGap'] as Record<string, unknown> | null;
  if (typeof sg === 'object' && sg !== null) {
    integer(problems, 'anomalies.sequenceGap.minMissing', sg['minMissing'], 1, 1_000_000_000);
  }
  const op = root['outlierPrint'] as Record<string, unknown> | null;
  if (typeof op === 'object' && op !== null) {
    positive(problems, 'anomalies.outlierPrint.pct', op['pct'], 1_000);
  }
  return problems;
}

function integer(problems: string[], key: string, v: unknown, min: number, max: number): boolean {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return true;
  problems.push(`${key} must be an integer from ${min} to ${max} (got ${show(v)})`);
  return false;
}

function positive(problems: string[], key: string, v: unknown, max: number): boolean {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max) return true;
  problems.push(`${key} must be a number above 0 and at most ${max} (got ${show(v)})`);
  return false;
}

function bands(
  problems: string[],
  at: string,
  s: Record<string, unknown>,
  warn: string,
  critical: string,
  max: number,
): void {
  const warnOk = positive(problems, `${at}.${warn}`, s[warn], max);
  const criticalOk = positive(problems, `${at}.${critical}`, s[critical], max);
  if (warnOk && criticalOk && (s[critical] as number) < (s[warn] as number)) {
    problems.push(`${at}.${critical} must be at least ${at}.${warn} (${s[warn]}) (got ${s[critical]})`);
  }
}

function severity(problems: string[], key: string, v: unknown): void {
  if (!(SEVERITIES as readonly unknown[]).includes(v)) {
    problems.push(`${key} must be one of ${SEVERITIES.join(', ')} (got ${show(v)})`);
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'a list' : 'an object';
  return String(v);
}
