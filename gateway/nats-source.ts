/**
 * Where the gateway's data comes from: plain core NATS subscriptions (no
 * JetStream consumer) to the engine's outputs `md.candle.>`, `md.indicator.>`,
 * `md.alert.>` and the input trades and quotes `md.trade.>`, `md.quote.>`.
 * Payloads are decoded with the schemas' codec (a frame is an array of
 * records) and validated before they reach clients; bad ones are counted,
 * never forwarded.
 */

import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import {
  type AnyRecord,
  type DecodeReason,
  decodePayload,
  type Interval,
  parseSubject,
  type ReasonCode,
  validateRecord,
} from '../schemas/index.js';

/** Receives records in subject order. Called synchronously from the NATS callback. */
export interface RecordSink {
  onRecord(rec: AnyRecord): void;
  /**
   * Offered a candle or indicator payload before it is decoded (its stream named by the
   * subject); returns true when it took the payload as it is (nobody listens), false to have
   * it decoded and passed to onRecord.
   */
  onIntervalPayload?(
    kind: 'candle' | 'indicator',
    interval: Interval,
    venue: string,
    symbol: string,
    data: Uint8Array,
  ): boolean;
  /** A payload or record was refused; `reason` is a schemas reason code. */
  onRejected(reason: DecodeReason | ReasonCode): void;
}

/** A running source. */
export interface NatsSource {
  /** True while the connection is up (false during reconnects). */
  readonly connected: boolean;
  /** Drains the subscriptions and closes the connection. */
  close(): Promise<void>;
}

/** Subjects the gateway subscribes to. */
export const SOURCE_SUBJECTS = [
  'md.trade.>',
  'md.quote.>',
  'md.candle.>',
  'md.indicator.>',
  'md.alert.>',
] as const;

/**
 * Decodes one payload and hands its valid records to the sink. Exported so
 * tests and benchmarks can drive the same path without a server.
 */
export function deliverPayload(data: Uint8Array, sink: RecordSink, now: number): void {
  const decoded = decodePayload(data);
  if (!decoded.ok) {
    sink.onRejected(decoded.reason);
    return;
  }
  const records = decoded.records;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i];
    const verdict = validateRecord(rec, now);
    if (verdict === 'ok') sink.onRecord(rec as AnyRecord);
    else sink.onRejected(verdict);
  }
}

/** Offers a candle or indicator payload to the sink undecoded; false when it must be decoded. */
export function offerInterval(subject: string, data: Uint8Array, sink: RecordSink): boolean {
  if (sink.onIntervalPayload === undefined) return false;
  const p = parseSubject(subject);
  if (!p.ok || (p.kind !== 'candle' && p.kind !== 'indicator')) return false;
  return sink.onIntervalPayload(p.kind, p.interval, p.venue, p.symbol, data);
}

/** Connects to NATS and subscribes; reconnects forever, so a NATS restart only pauses updates. */
export async function startNatsSource(url: string, sink: RecordSink, log: Logger): Promise<NatsSource> {
  const nc: NatsConnection = await connect({
    servers: url,
    name: 'tickflow-gateway',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        connected = false;
        log.warn({ server: url }, 'NATS disconnected');
      } else if (s.type === 'reconnect') {
        connected = true;
        log.info({ server: url }, 'NATS reconnected');
      }
    }
  })();
  const subs: Subscription[] = [];
  for (const subject of SOURCE_SUBJECTS) {
    const lazy = subject === 'md.candle.>' || subject === 'md.indicator.>';
    subs.push(
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err !== null) {
            log.error({ err, subject }, 'NATS subscription error');
            return;
          }
          if (lazy && offerInterval(msg.subject, msg.data, sink)) return;
          deliverPayload(msg.data, sink, Date.now());
        },
      }),
    );
  }
  await nc.flush();
  log.info({ server: url, subjects: SOURCE_SUBJECTS }, 'subscribed to NATS');
  return {
    get connected() {
      return connected && !nc.isClosed();
    },
    async close() {
      if (nc.isClosed()) return;
      await nc.drain();
    },
  };
}
