import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';

/** Fields of one audit event; `actor` is who did it (a user, a key id, an engine id), never a secret. */
export interface AuditFields {
  actor?: string;
  remote?: string;
  outcome: 'allowed' | 'denied' | 'failed' | 'done';
  [field: string]: unknown;
}

/**
 * Security events (auth failures, config loaded with credentials, lease takeovers…), written as pino
 * JSON with `component: 'audit'` and an `event` name. The audit log ignores the configured log level:
 * it always writes, because an operator who turns logging down has not asked to lose security events.
 */
export interface AuditLogger {
  event(event: string, fields: AuditFields): void;
  /** The underlying pino logger, e.g. to flush on exit. */
  readonly logger: Logger;
}

/** Creates the audit logger; `service` names the emitting process (`engine`, `gateway`). */
export function createAuditLogger(service: string, destination?: DestinationStream): AuditLogger {
  const options = { level: 'info', base: { component: 'audit', service } };
  const logger = destination === undefined ? pino(options) : pino(options, destination);
  return {
    logger,
    event(event: string, fields: AuditFields): void {
      logger.info({ ...fields, event }, event);
    },
  };
}
