/**
 * Stable codes for what can go wrong when compiling or driving an indicator program.
 * Callers branch on `code`: an error cloned across a worker boundary loses its class.
 */
export const INDICATOR_ERROR_CODES = ['TF_ERR_BAD_INDICATOR_SPEC', 'TF_ERR_INDICATOR_STATE'] as const;

/** One of {@link INDICATOR_ERROR_CODES}. */
export type IndicatorErrorCode = (typeof INDICATOR_ERROR_CODES)[number];

/** Error raised by `actors/indicators`; `code` is stable, `message` is a sentence for a person. */
export class IndicatorError extends Error {
  readonly code: IndicatorErrorCode;
  /** One sentence per problem found (for `TF_ERR_BAD_INDICATOR_SPEC`, each names the offending spec). */
  readonly problems: readonly string[];

  constructor(
    code: IndicatorErrorCode,
    message: string,
    problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IndicatorError';
    this.code = code;
    this.problems = problems;
  }
}
