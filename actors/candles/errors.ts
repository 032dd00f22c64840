/**
 * Stable codes for what can go wrong when building or restoring a candle book.
 * Callers branch on `code`: an error cloned across a worker boundary loses its class.
 */
export const CANDLE_ERROR_CODES = ['TF_ERR_BAD_CANDLE_OPTIONS', 'TF_ERR_CANDLE_SNAPSHOT'] as const;

/** One of {@link CANDLE_ERROR_CODES}. */
export type CandleErrorCode = (typeof CANDLE_ERROR_CODES)[number];

/** Error raised by `actors/candles`; `code` is stable, `message` is a sentence for a person. */
export class CandleError extends Error {
  readonly code: CandleErrorCode;
  /** One sentence per problem found (the option validation sentences for `TF_ERR_BAD_CANDLE_OPTIONS`). */
  readonly problems: readonly string[];

  constructor(
    code: CandleErrorCode,
    message: string,
    problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CandleError';
    this.code = code;
    this.problems = problems;
  }
}
