/**
 * Publishes candles, indicator snapshots and alerts on core NATS for trading algorithms, as
 * standard msgpack. Core publish is fire-and-forget and never blocks; a slow or unreachable
 * server shows up instead as bytes piling up in the client, which the engine reads through
 * {@link OutputPublisher.isCongested} as backpressure.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type Alert,
  type Candle,
  encodeOutput,
  type IndicatorSnapshot,
  type OutputRecord,
} from '../../schemas/index.js';
import { OutputError } from './errors.js';
import { SubjectCache } from './subject-cache.js';

/** Kinds of output record. */
export type OutputKind = OutputRecord['type'];

/** Every output kind. */
export const OUTPUT_KINDS: readonly OutputKind[] = ['candle', 'indicator', 'alert'];

/** Options of {@link OutputPublisher}. */
export interface OutputPublisherOptions {
  /** Kinds to publish; others are counted as skipped. Default: all. */
  kinds?: readonly OutputKind[];
  /** `isCongested()` turns true above this many unsent bytes; default 8 MiB. */
  maxPendingBytes?: number;
}

/** Plain counters the engine folds into prom-client. */
export interface OutputCounts {
  candle: number;
  indicator: number;
  alert: number;
  /** Records of a kind that is not enabled. */
  skipped: number;
  /** Records that could not be encoded or published (closed connection, payload too large). */
  errors: number;
  /** Payload bytes handed to the client. */
  bytes: number;
}

/** The parts of the client's internals that hold unsent bytes (nats.js v3); absent on other versions. */
interface ClientInternals {
  protocol?: {
    outbound?: { size(): number };
    transport?: { socket?: { writableLength?: number } };
  };
}

/** Publishes output records to `md.candle.…`, `md.indicator.…`, `md.alert.…`. */
export class OutputPublisher {
  /** Counters since creation; read them, do not write them. */
  readonly counts: OutputCounts = { candle: 0, indicator: 0, alert: 0, skipped: 0, errors: 0, bytes: 0 };
  /** The latest publish error, for logs. */
  lastError: Error | undefined;
  private readonly nc: NatsConnection;
  private readonly subjects = new SubjectCache();
  private readonly candles: boolean;
  private readonly indicators: boolean;
  private readonly alerts: boolean;
  private readonly maxPendingBytes: number;

  constructor(nc: NatsConnection, opts: OutputPublisherOptions = {}) {
    const kinds = opts.kinds ?? OUTPUT_KINDS;
    for (const k of kinds) {
      if (!OUTPUT_KINDS.includes(k)) {
        throw new OutputError(
          'TF_ERR_OUTPUT_OPTION',
          `options.kinds holds ${JSON.stringify(k)}; accepted: ${OUTPUT_KINDS.join(', ')}`,
        );
      }
    }
    const max = opts.maxPendingBytes ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new OutputError(
        'TF_ERR_OUTPUT_OPTION',
        `options.maxPendingBytes must be a whole number >= 1, got ${max}`,
      );
    }
    this.nc = nc;
    this.candles = kinds.includes('candle');
    this.indicators = kinds.includes('indicator');
    this.alerts = kinds.includes('alert');
    this.maxPendingBytes = max;
  }

  /** Publishes any output record; a skipped or failed one shows in `counts`. */
  publish(r: OutputRecord): void {
    switch (r.type) {
      case 'candle':
        this.publishCandle(r);
        return;
      case 'indicator':
        this.publishIndicator(r);
        return;
      case 'alert':
        this.publishAlert(r);
        return;
    }
  }

  /** Publishes a candle; false when candles are disabled or the publish failed. */
  publishCandle(c: Candle): boolean {
    if (!this.candles) return this.skip();
    if (!this.send(this.subjects.candle(c.venue, c.symbol, c.interval), c)) return false;
    this.counts.candle++;
    return true;
  }

  /** Publishes an indicator snapshot; false when disabled or failed. */
  publishIndicator(s: IndicatorSnapshot): boolean {
    if (!this.indicators) return this.skip();
    if (!this.send(this.subjects.indicator(s.venue, s.symbol, s.interval), s)) return false;
    this.counts.indicator++;
    return true;
  }

  /** Publishes an alert; false when disabled or failed. */
  publishAlert(a: Alert): boolean {
    if (!this.alerts) return this.skip();
    if (!this.send(this.subjects.alert(a.venue, a.symbol), a)) return false;
    this.counts.alert++;
    return true;
  }

  /**
   * Bytes published but not yet written to the socket: the client's outbound buffer (which
   * also holds everything published while disconnected) plus the socket's write queue.
   * Read from nats.js internals; 0 when a client version does not have them.
   */
  pendingBytes(): number {
    const p = (this.nc as unknown as ClientInternals).protocol;
    if (p === undefined) return 0;
    return (p.outbound?.size() ?? 0) + (p.transport?.socket?.writableLength ?? 0);
  }

  /** True when NATS takes our output slower than we make it: stop pulling input for a while. */
  isCongested(): boolean {
    return this.pendingBytes() > this.maxPendingBytes;
  }

  private skip(): false {
    this.counts.skipped++;
    return false;
  }

  private send(subject: string, r: OutputRecord): boolean {
    try {
      const payload = encodeOutput(r);
      this.nc.publish(subject, payload);
      this.counts.bytes += payload.length;
      return true;
    } catch (err) {
      // A closed connection or an oversized record must not take the worker down.
      this.counts.errors++;
      this.lastError = err as Error;
      return false;
    }
  }
}
