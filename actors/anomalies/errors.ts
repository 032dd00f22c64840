/**
 * Stable codes for what can go wrong when building or restoring anomaly detectors.
 * Callers branch on `code`: an error cloned across a worker boundary loses its class.
 */
export const ANOMALY_ERROR_CODES = ['TF_ERR_BAD_ANOMALY_CONFIG', 'TF_ERR_ANOMALY_SNAPSHOT'] as const;

/** One of {@link ANOMALY_ERROR_CODES}. */
export type AnomalyErrorCode = (typeof ANOMALY_ERROR_CODES)[number];

/** Error raised by `actors/anomalies`; `code` is stable, `message` is a sentence for a person. */
export class AnomalyError extends Error {
  readonly code: AnomalyErrorCode;
  /** One sentence per problem found (the config validation sentences for `TF_ERR_BAD_ANOMALY_CONFIG`). */
  readonly problems: readonly string[];

  constructor(
    code: AnomalyErrorCode,
    message: string,
    problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AnomalyError';
    this.code = code;
    this.problems = problems;
  }
}
