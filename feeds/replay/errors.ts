/**
 * Stable codes for what can go wrong in a file replay. Callers branch on `code`, not on the class.
 * A bad line is not an error: the replay reports it and skips or stops (see `replayFile`).
 */
export const REPLAY_ERROR_CODES = ['TF_ERR_REPLAY_OPTION', 'TF_ERR_REPLAY_FORMAT'] as const;

/** One of {@link REPLAY_ERROR_CODES}. */
export type ReplayErrorCode = (typeof REPLAY_ERROR_CODES)[number];

/** Error raised by `feeds/replay/`; `message` is one sentence naming the option or the file. */
export class ReplayError extends Error {
  readonly code: ReplayErrorCode;

  constructor(code: ReplayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayError';
    this.code = code;
  }
}
