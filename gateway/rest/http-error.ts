/**
 * REST errors: an HTTP status and a body `{error: {code, message}}` with a
 * stable code. Thrown by parameter validation and handlers, turned into the
 * response by the route wrapper.
 */

/** Stable REST error codes. Append only. */
export const REST_ERROR_CODES = [
  'bad_parameter',
  'missing_parameter',
  'unknown_parameter',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'not_found',
  'upstream_unavailable',
  'internal',
] as const;

/** One of {@link REST_ERROR_CODES}. */
export type RestErrorCode = (typeof REST_ERROR_CODES)[number];

/** A refusal with its HTTP status. */
export class HttpError extends Error {
  readonly code: RestErrorCode;
  readonly status: number;

  constructor(status: number, code: RestErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}
