/**
 * Errors thrown anywhere in tickflow. Code branches on `code`, never on
 * `instanceof`. Note that structured clone (postMessage between worker threads)
 * keeps an Error's message but drops both its class and its own `code`
 * property, so errors crossing a thread go as {@link PlainError} objects.
 */

/**
 * Every error code tickflow throws. Append new codes at the end; never rename
 * or reuse one, since dashboards, logs and other languages' clients match them.
 */
export const TF_ERROR_CODES = [
  'TF_ERR_BAD_SUBJECT',
  'TF_ERR_BAD_SYMBOL',
  'TF_ERR_BAD_VENUE',
  'TF_ERR_BAD_INTERVAL',
  'TF_ERR_BAD_PARTITION',
  'TF_ERR_BAD_FRAME',
  'TF_ERR_ENCODE',
  'TF_ERR_DECODE',
  'TF_ERR_BAD_CONFIG',
] as const;

/** One of {@link TF_ERROR_CODES}. */
export type TfErrorCode = (typeof TF_ERROR_CODES)[number];

/** Base class of every error tickflow throws: a message, a stable `code` and an optional `cause`. */
export class TfError extends Error {
  readonly code: TfErrorCode;

  constructor(code: TfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TfError';
    this.code = code;
  }
}

/** An error as a plain object that survives structured clone and JSON. */
export interface PlainError {
  name: string;
  message: string;
  /** A tickflow code, or another library's code (e.g. `ECONNREFUSED`), when the error had one. */
  code?: string;
  stack?: string;
  cause?: PlainError;
}

/**
 * True when `err` carries the given tickflow error code, whether it is a live
 * `TfError` or a {@link PlainError} made from one.
 */
export function hasErrorCode(err: unknown, code: TfErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** Converts any thrown value to a {@link PlainError}, following `cause` up to `depth` levels. */
export function toPlainError(err: unknown, depth = 3): PlainError {
  if (typeof err !== 'object' || err === null) return { name: 'Error', message: String(err) };
  const e = err as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; cause?: unknown };
  const out: PlainError = {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(err),
  };
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.stack === 'string') out.stack = e.stack;
  if (e.cause !== undefined && depth > 0) out.cause = toPlainError(e.cause, depth - 1);
  return out;
}
