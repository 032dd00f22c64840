/**
 * The in-memory state snapshots are served from, rebuilt from NATS alone: per
 * instrument the latest candle and indicator snapshot per interval, a bounded
 * ring of recent trades and alerts, the latest quote, and the update sequence
 * number of every stream. Nothing here needs persisting: a restarted gateway
 * refills it from live traffic (and QuestDB for cold candles).
 */

import type {
  Alert,
  AnyRecord,
  Candle,
  IndicatorSnapshot,
  Interval,
  Quote,
  Trade,
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
        const seq = (s.candleSeq[rec.interval] ?? 0) + 1;
        s.candleSeq[rec.interval] = seq;
        return seq;
      }
      case 'indicator': {
        s.indicators[rec.interval] = rec;
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
    if (s.candles[candle.interval] === undefined) s.candles[candle.interval] = candle;
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
      const c = interval === null ? undefined : s.candles[interval];
      return { seq: (interval && s.candleSeq[interval]) || 0, data: c === undefined ? [] : [c] };
    }
    case 'indicators': {
      const r = interval === null ? undefined : s.indicators[interval];
      return { seq: (interval && s.indicatorSeq[interval]) || 0, data: r === undefined ? [] : [r] };
    }
  }
}

function ringInOrder<T>(ring: T[], next: number): T[] {
  const out: T[] = [];
  const n = ring.length;
  // Until the ring is full, `next` equals its length and the order is natural.
  const start = n === 0 ? 0 : next % n;
  for (let i = 0; i < n; i++) out.push(ring[(start + i) % n]!);
  return out;
}
