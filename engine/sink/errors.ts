/**
 * Stable codes for what can go wrong writing to QuestDB. Callers branch on `code`: an error
 * cloned across a worker boundary loses its class.
 */
export const SINK_ERROR_CODES = [
  'TF_ERR_SINK_OPTION',
  'TF_ERR_SINK_DDL',
  'TF_ERR_SINK_FLUSH',
  'TF_ERR_SINK_CLOSED',
  'TF_ERR_SINK_BAD_ROW',
] as const;

/** One of {@link SINK_ERROR_CODES}. */
export type SinkErrorCode = (typeof SINK_ERROR_CODES)[number];

/** Error raised by `engine/sink`; `code` is stable, `message` is a sentence for a person. */
export class SinkError extends Error {
  readonly code: SinkErrorCode;

  constructor(code: SinkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkError';
    this.code = code;
  }
}
