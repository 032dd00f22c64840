import type { Interval } from '../schemas/records.js';
import { INTERVALS } from '../schemas/records.js';
import type { AnomalyConfig } from './anomalies/index.js';
import { DEFAULT_ANOMALY_CONFIG, validateAnomalyConfig } from './anomalies/index.js';
import type { CandleBookOptions } from './candles.js';
import { DEFAULT_CANDLE_OPTIONS, validateCandleOptions } from './candles.js';
import type { IndicatorSpec } from './indicators/index.js';
import { DEFAULT_INDICATORS, validateIndicatorSpecs } from './indicators/index.js';

/** Everything that shapes a symbol actor's behaviour; one value per deployment. */
export interface ActorConfig {
  candles: CandleBookOptions;
  indicators: readonly IndicatorSpec[];
  /** Intervals whose closed candles feed the indicators; a subset of `candles.intervals`. */
  indicatorIntervals: readonly Interval[];
  /** Also emit indicator values over the open candle (closed: false), replaced as it changes. */
  liveIndicators: boolean;
  /**
   * Open-candle updates (and their live indicator values) of every interval but the shortest
   * are emitted at most this often per symbol, when `flush` is given the wall clock; the
   * shortest interval's on every flush, closes and revisions always at once. Absent or 0: every
   * interval on every flush.
   */
  liveEveryMs?: number;
  anomalies: AnomalyConfig;
}

/**
 * Six candle intervals, the default indicators on every interval but 1s (1s
 * indicators are mostly noise to users and most of the indicator cost), live
 * indicators, default detectors.
 */
export const DEFAULT_ACTOR_CONFIG: ActorConfig = {
  candles: DEFAULT_CANDLE_OPTIONS,
  indicators: DEFAULT_INDICATORS,
  indicatorIntervals: Object.freeze(['1m', '5m', '15m', '1h', '1d'] as const),
  liveIndicators: true,
  liveEveryMs: 500,
  anomalies: DEFAULT_ANOMALY_CONFIG,
};

/** Returns one sentence per problem, each naming the key; empty when the config is valid. */
export function validateActorConfig(c: ActorConfig): string[] {
  const problems = [...validateCandleOptions(c.candles), ...validateIndicatorSpecs(c.indicators)];
  for (const iv of c.indicatorIntervals) {
    if (!INTERVALS.includes(iv))
      problems.push(`indicatorIntervals: unknown interval '${iv}', accepted: ${INTERVALS.join(', ')}`);
    else if (!c.candles.intervals.includes(iv)) {
      problems.push(
        `indicatorIntervals: '${iv}' is not one of candles.intervals (${c.candles.intervals.join(', ')})`,
      );
    }
  }
  if (typeof c.liveIndicators !== 'boolean') problems.push('liveIndicators must be true or false');
  const every = c.liveEveryMs;
  if (every !== undefined && !(Number.isSafeInteger(every) && every >= 0 && every <= 3_600_000)) {
    problems.push(`liveEveryMs must be a whole number of ms in [0, 3600000], got ${String(every)}`);
  }
  problems.push(...validateAnomalyConfig(c.anomalies));
  return problems;
}
