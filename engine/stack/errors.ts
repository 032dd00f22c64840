/**
 * Stable codes for everything that can go wrong while starting or stopping the local stack.
 * Callers branch on `code`: an error cloned across a worker boundary loses its class.
 */
export const STACK_ERROR_CODES = [
  'TF_ERR_STACK_OPTION',
  'TF_ERR_STACK_BINARY_MISSING',
  'TF_ERR_STACK_JAVA_MISSING',
  'TF_ERR_STACK_JAR_FETCH',
  'TF_ERR_STACK_START',
  'TF_ERR_STACK_TIMEOUT',
  'TF_ERR_STACK_PORT_IN_USE',
  'TF_ERR_STACK_STOP',
  'TF_ERR_STACK_SQL',
] as const;

/** One of {@link STACK_ERROR_CODES}. */
export type StackErrorCode = (typeof STACK_ERROR_CODES)[number];

/** Error raised by `engine/stack`; `code` is stable, `message` is a sentence for a person. */
export class StackError extends Error {
  readonly code: StackErrorCode;

  constructor(code: StackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackError';
    this.code = code;
  }
}
