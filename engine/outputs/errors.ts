/**
 * Stable codes for what can go wrong publishing outputs and dead letters on NATS. Callers
 * branch on `code`: an error cloned across a worker boundary loses its class.
 */
export const OUTPUT_ERROR_CODES = [
  'TF_ERR_OUTPUT_OPTION',
  'TF_ERR_DLQ_NO_STREAM',
  'TF_ERR_DLQ_PUBLISH',
] as const;

/** One of {@link OUTPUT_ERROR_CODES}. */
export type OutputErrorCode = (typeof OUTPUT_ERROR_CODES)[number];

/** Error raised by `engine/outputs`; `code` is stable, `message` is a sentence for a person. */
export class OutputError extends Error {
  readonly code: OutputErrorCode;

  constructor(code: OutputErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutputError';
    this.code = code;
  }
}
