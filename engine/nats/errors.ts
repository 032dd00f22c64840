/**
 * Stable codes for what can go wrong on the NATS side of the engine: provisioning streams and
 * consumers, partition leases, snapshots and partition consumers. Callers branch on `code`: an
 * error cloned across a worker boundary loses its class.
 */
export const NATS_ERROR_CODES = [
  'TF_ERR_NATS_OPTION',
  'TF_ERR_NATS_PARTITION_MISMATCH',
  'TF_ERR_NATS_STREAM_CONFLICT',
  'TF_ERR_NATS_CONSUMER_CONFLICT',
  'TF_ERR_NATS_BUCKET_CONFLICT',
  'TF_ERR_NATS_SNAPSHOT_CONFLICT',
  'TF_ERR_NATS_STOPPED',
] as const;

/** One of {@link NATS_ERROR_CODES}. */
export type NatsErrorCode = (typeof NATS_ERROR_CODES)[number];

/** Error raised by `engine/nats`; `code` is stable, `message` is a sentence for a person. */
export class NatsEngineError extends Error {
  readonly code: NatsErrorCode;

  constructor(code: NatsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NatsEngineError';
    this.code = code;
  }
}
