import type { AnomalyConfig } from '../../../actors/anomalies/index.js';
import { AnomalyDetectors, DEFAULT_ANOMALY_CONFIG } from '../../../actors/anomalies/index.js';
import type { Alert } from '../../../schemas/records.js';
import { SYMBOL, VENUE } from './record-factory.js';

type Section = Exclude<keyof AnomalyConfig, 'cooldownMs'>;

/** Per-section overrides on top of the defaults. */
export type ConfigPatch = { cooldownMs?: number } & { [K in Section]?: Partial<AnomalyConfig[K]> };

const SECTIONS: readonly Section[] = [
  'priceSpike',
  'volumeSpike',
  'staleFeed',
  'crossedQuote',
  'lockedQuote',
  'sequenceGap',
  'outlierPrint',
];

/**
 * The default config with every detector off except those named in `patch`
 * (which are on unless the patch says otherwise), so a test sees only the
 * detector it is about.
 */
export function onlyConfig(patch: ConfigPatch): AnomalyConfig {
  const c = structuredClone(DEFAULT_ANOMALY_CONFIG);
  if (patch.cooldownMs !== undefined) c.cooldownMs = patch.cooldownMs;
  for (const s of SECTIONS) {
    const p = patch[s];
    Object.assign(c[s], { enabled: p !== undefined }, p ?? {});
  }
  return c;
}

/** Detectors of the test symbol with an alert log. */
export function harness(config: AnomalyConfig): { d: AnomalyDetectors; alerts: Alert[] } {
  const alerts: Alert[] = [];
  const d = new AnomalyDetectors(VENUE, SYMBOL, config, (a) => alerts.push(a));
  return { d, alerts };
}

/** The alert's fields a test usually pins, without the envelope. */
export function brief(
  a: Alert | undefined,
): Pick<Alert, 'kind' | 'severity' | 'ts' | 'threshold' | 'message'> | null {
  if (a === undefined) return null;
  return { kind: a.kind, severity: a.severity, ts: a.ts, threshold: a.threshold, message: a.message };
}
