/**
 * Stable codes for what can go wrong in a feed's publisher. Callers branch on `code`: an error
 * cloned across a worker boundary loses its class.
 */
export const FEED_ERROR_CODES = [
  'TF_ERR_FEED_OPTION',
  'TF_ERR_FEED_CLOSED',
  'TF_ERR_FEED_PUBLISH_FAILED',
  'TF_ERR_FEED_NO_STREAM',
  'TF_ERR_FEED_CONNECT',
] as const;

/** One of {@link FEED_ERROR_CODES}. */
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

/** Error raised by `feeds/`; `code` is stable, `message` is a sentence for a person. */
export class FeedError extends Error {
  readonly code: FeedErrorCode;

  constructor(code: FeedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedError';
    this.code = code;
  }
}
