/**
 * Turns a sequence gap into a `sequence_gap` Alert on core NATS (`md.alert.<venue>.<symbol>`):
 * trading consumers hear about lost trades from the feed itself, before any candle is affected.
 */
import { type Alert, alertSubject, encodeRecord, SCHEMA_VERSION } from '../../schemas/index.js';
import type { AlertSink, ConnectorLogger, ConnectorStats } from './connector.js';

/** The alert for `missing` ids lost between `prevId` and `id` of one venue symbol. */
export function sequenceGapAlert(
  venue: string,
  symbol: string,
  ts: number,
  prevId: number,
  id: number,
): Alert {
  const missing = id - prevId - 1;
  return {
    v: SCHEMA_VERSION,
    type: 'alert',
    venue,
    symbol,
    kind: 'sequence_gap',
    severity: 'warning',
    ts,
    value: missing,
    threshold: 1,
    message: `${venue} ${symbol}: ${missing} trade${missing === 1 ? '' : 's'} missing between ids ${prevId} and ${id}`,
  };
}

/** Publishes `alert` to its subject; a failure to publish is returned, never thrown. */
export function publishAlert(sink: AlertSink, alert: Alert): Error | undefined {
  try {
    sink.publish(alertSubject(alert.venue, alert.symbol), encodeRecord(alert));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Everything a connector does about a gap: counts it, logs it, and publishes
 * the alert when an alert sink is configured (a failed publish is logged).
 */
export function reportSequenceGap(
  gap: { venue: string; symbol: string; ts: number; prevId: number; id: number },
  stats: Pick<ConnectorStats, 'gaps' | 'missing'>,
  alerts: AlertSink | undefined,
  logger: ConnectorLogger,
): void {
  stats.gaps++;
  stats.missing += gap.id - gap.prevId - 1;
  const alert = sequenceGapAlert(gap.venue, gap.symbol, gap.ts, gap.prevId, gap.id);
  logger.warn({ venue: gap.venue, symbol: gap.symbol, from: gap.prevId, to: gap.id }, alert.message);
  if (alerts === undefined) return;
  const err = publishAlert(alerts, alert);
  if (err !== undefined) logger.error({ err: err.message }, 'could not publish the sequence_gap alert');
}
