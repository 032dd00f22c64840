/**
 * Stable codes for what can go wrong in an exchange connector. Callers branch on `code`.
 */
export const CONNECTOR_ERROR_CODES = [
  'TF_ERR_CONNECTOR_OPTION',
  'TF_ERR_CONNECTOR_PROTOCOL',
  'TF_ERR_CONNECTOR_SUBSCRIBE',
] as const;

/** One of {@link CONNECTOR_ERROR_CODES}. */
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

/** Error raised by `feeds/connectors/`; `message` is one sentence naming the option or the venue. */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;

  constructor(code: ConnectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectorError';
    this.code = code;
  }
}
