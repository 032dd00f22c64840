/**
 * Errors the gateway throws at its edges (configuration, keys file, QuestDB).
 * Client-facing protocol errors are not exceptions: they are messages with a
 * code from `PROTOCOL_ERROR_CODES` (see protocol.ts).
 */

/** Every gateway error code. Append only; never rename or reuse one. */
export const GATEWAY_ERROR_CODES = [
  'TF_ERR_GATEWAY_CONFIG',
  'TF_ERR_GATEWAY_KEYS_FILE',
  'TF_ERR_GATEWAY_QUESTDB',
  'TF_ERR_GATEWAY_LISTEN',
  'TF_ERR_GATEWAY_USAGE',
] as const;

/** One of {@link GATEWAY_ERROR_CODES}. */
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** An error with a stable `code`; branch on the code, not on the class. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}
