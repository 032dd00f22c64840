/**
 * Test sinks: a record collector standing in for the Publisher, and an alert collector standing in
 * for core NATS. Both keep what they get, in order.
 */
import type { AlertSink, RecordSink } from '../../../feeds/connectors/index.js';
import { type Alert, decodePayload, type Quote, type Trade } from '../../../schemas/index.js';

/** Collects published records. */
export class RecordCollector implements RecordSink {
  readonly records: Array<Trade | Quote> = [];

  publish(record: Trade | Quote): undefined {
    this.records.push(record);
    return undefined;
  }

  trades(): Trade[] {
    const out: Trade[] = [];
    for (const r of this.records) if (r.type === 'trade') out.push(r);
    return out;
  }

  quotes(): Quote[] {
    const out: Quote[] = [];
    for (const r of this.records) if (r.type === 'quote') out.push(r);
    return out;
  }
}

/** Collects alerts as core NATS would carry them: subject plus decoded payload. */
export class AlertCollector implements AlertSink {
  readonly alerts: Array<{ subject: string; alert: Alert }> = [];

  publish(subject: string, payload: Uint8Array): void {
    const d = decodePayload(payload);
    if (!d.ok) throw new Error(`undecodable alert: ${d.reason}`);
    this.alerts.push({ subject, alert: d.records[0] as Alert });
  }
}
