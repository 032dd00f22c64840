/**
 * The in-memory state snapshots are served from, rebuilt from NATS alone: per
 * instrument the latest candle and indicator snapshot per interval, a bounded
 * ring of recent trades and alerts, the latest quote, and the update sequence
 * number of every stream. Nothing here needs persisting: a restarted gateway
 * refills it from live traffic (and QuestDB for cold candles).
 */

import {
  type Alert,
  type AnyRecord,
  type Candle,
  decodePayload,
  type IndicatorSnapshot,
  type Interval,
  type Quote,
  type Trade,
  validateRecord,
} from '../schemas/index.js';
import type { ChannelKind } from './channels.js';
import { instrumentKey } from './symbol-selector.js';

/** Cached state of one venue + symbol. Seq fields count the updates published on that stream. */
export interface InstrumentState {
  venue: string;
  symbol: string;
  /** `venue:symbol`. */
  key: string;
  /** Ring buffer of recent trades; `tradeNext` is where the next one goes. */
  trades: Trade[];
  tradeNext: number;
  tradeSeq: number;
  quote: Quote | null;
  quoteSeq: number;
  candles: Partial<Record<Interval, Candle>>;
  candleSeq: Partial<Record<Interval, number>>;
  indicators: Partial<Record<Interval, IndicatorSnapshot>>;
  indicatorSeq: Partial<Record<Interval, number>>;
  /**
   * Payloads newer than `candles` / `indicators`, kept undecoded because nobody was
   * subscribed when they arrived (see {@link LatestCache.storeRaw}).
   */
  rawCandles: Partial<Record<Interval, Uint8Array>>;
  rawIndicators: Partial<Record<Interval, Uint8Array>>;
  alerts: Alert[];
  alertNext: number;
  alertSeq: number;
  /** Sequence number of the last record {@link LatestCache.apply} stored here. */
  lastSeq: number;
  /** Topic names per channel, built once per instrument for the fan-out. */
  topics: Record<string, readonly string[]>;
}

/** Limits of a {@link LatestCache}. */
export interface LatestCacheOptions {
  /** Trades kept per instrument for snapshots. */
  recentTrades: number;
  /** Alerts kept per instrument for snapshots. */
  recentAlerts: number;
  /** Instruments kept; past it the least recently created one is evicted. */
  maxInstruments: number;
}

/** Records and their stream sequence numbers, keyed by instrument. */
export class LatestCache {
  readonly #opts: LatestCacheOptions;
  readonly #byKey = new Map<string, InstrumentState>();
  readonly #byVenue = new Map<string, Set<InstrumentState>>();
  #evictions = 0;

  constructor(opts: LatestCacheOptions) {
    this.#opts = opts;
  }

  /** Instruments currently cached. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Instruments evicted so far because the cache was full. */
  get evictions(): number {
    return this.#evictions;
  }

  /** The state of one instrument, if cached. */
  get(venue: string, symbol: string): InstrumentState | undefined {
    return this.#byKey.get(instrumentKey(venue, symbol));
  }

  /** Every cached instrument of a venue (for `venue:*` snapshots). */
  venue(venue: string): ReadonlySet<InstrumentState> {
    return this.#byVenue.get(venue) ?? EMPTY;
  }

  /**
   * Stores a record and returns its instrument, whose `lastSeq` is the
   * sequence number of the update the record becomes on its stream.
   */
  apply(rec: AnyRecord): InstrumentState {
    const s = this.#state(rec.venue, rec.symbol);
    s.lastSeq = this.#store(s, rec);
    return s;
  }

  /** The state of one instrument, created if needed. */
  touch(venue: string, symbol: string): InstrumentState {
    return this.#state(venue, symbol);
  }

  /**
   * Takes a candle or indicator payload nobody is subscribed to, undecoded: it counts as an
   * update of its stream (seq + 1) and becomes the stream's latest, decoded and validated only
   * if a snapshot asks for it. Decoding every engine output cost the gateway most of its CPU
   * while clients typically follow a few of the many streams.
   */
  storeRaw(s: InstrumentState, kind: 'candle' | 'indicator', interval: Interval, data: Uint8Array): void {
    if (kind === 'candle') {
      s.rawCandles[interval] = data;
      s.candleSeq[interval] = (s.candleSeq[interval] ?? 0) + 1;
    } else {
      s.rawIndicators[interval] = data;
      s.indicatorSeq[interval] = (s.indicatorSeq[interval] ?? 0) + 1;
    }
  }

  #store(s: InstrumentState, rec: AnyRecord): number {
    switch (rec.type) {
      case 'trade': {
        const n = this.#opts.recentTrades;
        if (s.trades.length < n) s.trades.push(rec);
        else if (n > 0) s.trades[s.tradeNext] = rec;
        s.tradeNext = n > 0 ? (s.tradeNext + 1) % n : 0;
        return ++s.tradeSeq;
      }
      case 'quote':
        s.quote = rec;
        return ++s.quoteSeq;
      case 'candle': {
        s.candles[rec.interval] = rec;
        s.rawCandles[rec.interval] = undefined;
        const seq = (s.candleSeq[rec.interval] ?? 0) + 1;
        s.candleSeq[rec.interval] = seq;
        return seq;
      }
      case 'indicator': {
        s.indicators[rec.interval] = rec;
        s.rawIndicators[rec.interval] = undefined;
        const seq = (s.indicatorSeq[rec.interval] ?? 0) + 1;
        s.indicatorSeq[rec.interval] = seq;
        return seq;
      }
      case 'alert': {
        const n = this.#opts.recentAlerts;
        if (s.alerts.length < n) s.alerts.push(rec);
        else if (n > 0) s.alerts[s.alertNext] = rec;
        s.alertNext = n > 0 ? (s.alertNext + 1) % n : 0;
        return ++s.alertSeq;
      }
    }
  }

  /**
   * Seeds the latest candle of a cold stream (from QuestDB). Does nothing when
   * NATS already delivered one, which is always at least as new.
   */
  seedCandle(candle: Candle): void {
    const s = this.#state(candle.venue, candle.symbol);
    if (s.candles[candle.interval] === undefined && s.rawCandles[candle.interval] === undefined) {
      s.candles[candle.interval] = candle;
    }
  }

  #state(venue: string, symbol: string): InstrumentState {
    const key = instrumentKey(venue, symbol);
    let s = this.#byKey.get(key);
    if (s !== undefined) return s;
    if (this.#byKey.size >= this.#opts.maxInstruments) this.#evictOldest();
    s = {
      venue,
      symbol,
      key,
      trades: [],
      tradeNext: 0,
      tradeSeq: 0,
      quote: null,
      quoteSeq: 0,
      candles: {},
      candleSeq: {},
      indicators: {},
      indicatorSeq: {},
      rawCandles: {},
      rawIndicators: {},
      alerts: [],
      alertNext: 0,
      alertSeq: 0,
      lastSeq: 0,
      topics: {},
    };
    this.#byKey.set(key, s);
    let set = this.#byVenue.get(venue);
    if (set === undefined) {
      set = new Set();
      this.#byVenue.set(venue, set);
    }
    set.add(s);
    return s;
  }

  #evictOldest(): void {
    const oldest = this.#byKey.values().next().value;
    if (oldest === undefined) return;
    this.#byKey.delete(oldest.key);
    const set = this.#byVenue.get(oldest.venue);
    set?.delete(oldest);
    if (set?.size === 0) this.#byVenue.delete(oldest.venue);
    this.#evictions++;
  }
}

const EMPTY: ReadonlySet<InstrumentState> = new Set();

/** Snapshot content of one stream: its current seq and the records a new subscriber starts from, oldest first. */
export function snapshotOf(
  s: InstrumentState,
  kind: ChannelKind,
  interval: Interval | null,
): { seq: number; data: AnyRecord[] } {
  switch (kind) {
    case 'trades':
      return { seq: s.tradeSeq, data: ringInOrder(s.trades, s.tradeNext) };
    case 'quotes':
      return { seq: s.quoteSeq, data: s.quote === null ? [] : [s.quote] };
    case 'alerts':
      return { seq: s.alertSeq, data: ringInOrder(s.alerts, s.alertNext) };
    case 'candles': {
      if (interval === null) return { seq: 0, data: [] };
      const c = materialize(s, 'candle', interval);
      return { seq: s.candleSeq[interval] ?? 0, data: c === undefined ? [] : [c] };
    }
    case 'indicators': {
      if (interval === null) return { seq: 0, data: [] };
      const r = materialize(s, 'indicator', interval);
      return { seq: s.indicatorSeq[interval] ?? 0, data: r === undefined ? [] : [r] };
    }
  }
}

/**
 * The latest candle or indicator snapshot of a stream, decoding a raw payload first if one
 * is newer. A payload that does not decode, fails validation or is not this stream's leaves
 * the previous record in place (the full path would have refused it too).
 */
function materialize(
  s: InstrumentState,
  kind: 'candle' | 'indicator',
  interval: Interval,
): Candle | IndicatorSnapshot | undefined {
  const raws = kind === 'candle' ? s.rawCandles : s.rawIndicators;
  const raw = raws[interval];
  if (raw !== undefined) {
    raws[interval] = undefined;
    const decoded = decodePayload(raw);
    const now = Date.now();
    if (decoded.ok) {
      for (const r of decoded.records) {
        if (validateRecord(r, now) !== 'ok') continue;
        const rec = r as AnyRecord;
        if (rec.type !== kind || rec.venue !== s.venue || rec.symbol !== s.symbol) continue;
        if (rec.type === 'candle' && rec.interval === interval) s.candles[interval] = rec;
        else if (rec.type === 'indicator' && rec.interval === interval) s.indicators[interval] = rec;
      }
    }
  }
  return kind === 'candle' ? s.candles[interval] : s.indicators[interval];
}

function ringInOrder<T>(ring: T[], next: number): T[] {
  const out: T[] = [];
  const n = ring.length;
  // Until the ring is full, `next` equals its length and the order is natural.
  const start = n === 0 ? 0 : next % n;
  for (let i = 0; i < n; i++) out.push(ring[(start + i) % n]!);
  return out;
}
