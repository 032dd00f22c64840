/**
 * From a NATS record to clients: store it in the latest cache (which assigns
 * its stream `seq`), build the `update` message, encode it once per wire
 * format that has a reader, and publish the same bytes to the instrument's
 * topic and its venue-wildcard topic. Slow sockets are served through the
 * conflator. Per record: two subscriber counts per format, at most one
 * JSON.stringify and one msgpack pack, no per-client work.
 */

import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import {
  type AnyRecord,
  type DecodeReason,
  INTERVALS,
  type Interval,
  type ReasonCode,
} from '../schemas/index.js';
import type { ChannelKind } from './channels.js';
import type { Conflator } from './conflation.js';
import type { InstrumentState, LatestCache } from './latest-cache.js';
import type { GatewayMetrics } from './metrics.js';
import type { RecordSink } from './nats-source.js';
import { encodeServerMessage } from './protocol.js';
import { streamTopic } from './topics.js';

function channelTable(prefix: 'candles' | 'indicators'): Record<Interval, string> {
  const out = {} as Record<Interval, string>;
  for (const i of INTERVALS) out[i] = `${prefix}:${i}`;
  return out;
}

const CANDLE_CHANNELS = channelTable('candles');
const INDICATOR_CHANNELS = channelTable('indicators');

/** Topics of one stream: json exact, json wildcard, msgpack exact, msgpack wildcard. */
function topicsOf(s: InstrumentState, channel: string): readonly string[] {
  let t = s.topics[channel];
  if (t === undefined) {
    t = [
      streamTopic('json', channel, s.venue, s.symbol),
      streamTopic('json', channel, s.venue, null),
      streamTopic('msgpack', channel, s.venue, s.symbol),
      streamTopic('msgpack', channel, s.venue, null),
    ];
    s.topics[channel] = t;
  }
  return t;
}

/** The record sink that publishes to WebSocket clients. */
export class Fanout implements RecordSink {
  readonly #app: TemplatedApp;
  readonly #cache: LatestCache;
  readonly #conflator: Conflator;
  readonly #metrics: GatewayMetrics;

  constructor(app: TemplatedApp, cache: LatestCache, conflator: Conflator, metrics: GatewayMetrics) {
    this.#app = app;
    this.#cache = cache;
    this.#conflator = conflator;
    this.#metrics = metrics;
  }

  onRejected(reason: DecodeReason | ReasonCode): void {
    this.#metrics.drops.inc({ reason: `nats_${reason}` });
  }

  onIntervalPayload(
    kind: 'candle' | 'indicator',
    interval: Interval,
    venue: string,
    symbol: string,
    data: Uint8Array,
  ): boolean {
    const s = this.#cache.touch(venue, symbol);
    const topics = topicsOf(s, kind === 'candle' ? CANDLE_CHANNELS[interval] : INDICATOR_CHANNELS[interval]);
    const app = this.#app;
    const conflator = this.#conflator;
    for (let i = 0; i < topics.length; i++) {
      const topic = topics[i]!;
      if (app.numSubscribers(topic) > 0 || conflator.slowOn(topic) !== undefined) return false;
    }
    this.#metrics.counters.recordsIn++;
    this.#cache.storeRaw(s, kind, interval, data);
    return true;
  }

  onRecord(rec: AnyRecord): void {
    const counters = this.#metrics.counters;
    counters.recordsIn++;
    const s = this.#cache.apply(rec);
    let channel: string;
    let kind: ChannelKind;
    switch (rec.type) {
      case 'trade':
        channel = kind = 'trades';
        break;
      case 'quote':
        channel = kind = 'quotes';
        break;
      case 'candle':
        channel = CANDLE_CHANNELS[rec.interval];
        kind = 'candles';
        break;
      case 'indicator':
        channel = INDICATOR_CHANNELS[rec.interval];
        kind = 'indicators';
        break;
      default:
        channel = kind = 'alerts';
    }
    const topics = topicsOf(s, channel);
    const app = this.#app;
    const jExact = topics[0]!;
    const jWild = topics[1]!;
    const mExact = topics[2]!;
    const mWild = topics[3]!;
    const jSubs = app.numSubscribers(jExact) + app.numSubscribers(jWild);
    const mSubs = app.numSubscribers(mExact) + app.numSubscribers(mWild);
    const conflator = this.#conflator;
    const jSlowExact = conflator.slowOn(jExact);
    const jSlowWild = conflator.slowOn(jWild);
    const mSlowExact = conflator.slowOn(mExact);
    const mSlowWild = conflator.slowOn(mWild);
    const jWanted = jSubs > 0 || jSlowExact !== undefined || jSlowWild !== undefined;
    const mWanted = mSubs > 0 || mSlowExact !== undefined || mSlowWild !== undefined;
    if (!jWanted && !mWanted) return;
    const msg = { type: 'update', channel, symbol: s.key, seq: s.lastSeq, data: rec } as const;
    const conflationKey = jSlowExact || jSlowWild || mSlowExact || mSlowWild ? `${channel} ${s.key}` : '';
    if (jWanted) {
      // Bytes, not a string, so uWS does not transcode the text once per topic.
      const bytes = Buffer.from(encodeServerMessage('json', msg) as string);
      if (jSubs > 0) {
        app.publish(jExact, bytes, false);
        app.publish(jWild, bytes, false);
        counters.messagesOut += jSubs;
        counters.bytesOut += jSubs * bytes.byteLength;
      }
      if (jSlowExact !== undefined) conflator.offer(jSlowExact, kind, conflationKey, bytes, false);
      if (jSlowWild !== undefined) conflator.offer(jSlowWild, kind, conflationKey, bytes, false);
    }
    if (mWanted) {
      const bytes = encodeServerMessage('msgpack', msg) as Uint8Array;
      if (mSubs > 0) {
        app.publish(mExact, bytes, true);
        app.publish(mWild, bytes, true);
        counters.messagesOut += mSubs;
        counters.bytesOut += mSubs * bytes.byteLength;
      }
      if (mSlowExact !== undefined) conflator.offer(mSlowExact, kind, conflationKey, bytes, true);
      if (mSlowWild !== undefined) conflator.offer(mSlowWild, kind, conflationKey, bytes, true);
    }
  }
}
