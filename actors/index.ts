/**
 * Public entry point of actors/: pure per-symbol logic (candles, indicators,
 * anomaly detectors) driven by records and an injected clock. No I/O here, so
 * the same code serves live streaming, replay and backfill.
 */
export type { AnomalyConfig, AnomalySnapshot } from './anomalies/index.js';
export { AnomalyDetectors, DEFAULT_ANOMALY_CONFIG, validateAnomalyConfig } from './anomalies/index.js';
export type { CandleBookOptions, CandleBookSnapshot, CandleListener } from './candles.js';
export { CandleBook, DEFAULT_CANDLE_OPTIONS, validateCandleOptions } from './candles.js';
export type { ActorConfig } from './config.js';
export { DEFAULT_ACTOR_CONFIG, validateActorConfig } from './config.js';
export type { IndicatorSpec } from './indicators/index.js';
export {
  DEFAULT_INDICATORS,
  IndicatorProgram,
  parseIndicatorSpec,
  validateIndicatorSpecs,
} from './indicators/index.js';
export type { ActorOutcome, ActorSink, ActorSnapshot } from './symbol-actor.js';
export { ActorFactory, SymbolActor } from './symbol-actor.js';
