/**
 * Public entry point of actors/anomalies: per-symbol anomaly detectors
 * (price spike, volume spike, stale feed, crossed and locked quotes, sequence
 * gaps, outlier prints) with their config, validation and snapshots.
 * How to add a detector: add its kind to ALERT_KINDS (schemas/records.ts),
 * its section to config.ts (type, default, validation), its state region to
 * layout.ts, a file with its logic here, and its call in detectors.ts.
 */
export type {
  AnomalyConfig,
  CrossedQuoteConfig,
  LockedQuoteConfig,
  OutlierPrintConfig,
  PriceSpikeConfig,
  SequenceGapConfig,
  StaleFeedConfig,
  VolumeSpikeConfig,
} from './config.js';
export { DEFAULT_ANOMALY_CONFIG, validateAnomalyConfig } from './config.js';
export type { AnomalyStats } from './detectors.js';
export { AnomalyDetectors } from './detectors.js';
export type { AnomalyErrorCode } from './errors.js';
export { ANOMALY_ERROR_CODES, AnomalyError } from './errors.js';
export type { AnomalySnapshot, AnomalySnapshotRegion } from './snapshot.js';
