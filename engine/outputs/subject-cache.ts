/**
 * Output subjects per (venue, symbol), built once: escaping a symbol and joining tokens
 * would otherwise allocate strings on every published record.
 */
import { alertSubject, candleSubject, type Interval, indicatorSubject } from '../../schemas/index.js';

/** The subjects of one venue and symbol, filled in as intervals are first seen. */
export interface SymbolSubjects {
  alert: string;
  candle: Partial<Record<Interval, string>>;
  indicator: Partial<Record<Interval, string>>;
}

/** Nested maps (venue, then symbol), so a lookup needs no key string. */
export class SubjectCache {
  private readonly venues = new Map<string, Map<string, SymbolSubjects>>();
  private size = 0;
  private readonly limit: number;

  /** `limit`: symbols kept before the cache starts over, bounding memory on a churning universe. */
  constructor(limit = 100_000) {
    this.limit = limit;
  }

  /** Subjects of one symbol. */
  of(venue: string, symbol: string): SymbolSubjects {
    let symbols = this.venues.get(venue);
    if (symbols === undefined) {
      symbols = new Map();
      this.venues.set(venue, symbols);
    }
    let s = symbols.get(symbol);
    if (s === undefined) {
      if (this.size >= this.limit) {
        this.venues.clear();
        this.size = 0;
        symbols = new Map();
        this.venues.set(venue, symbols);
      }
      s = { alert: alertSubject(venue, symbol), candle: {}, indicator: {} };
      symbols.set(symbol, s);
      this.size++;
    }
    return s;
  }

  candle(venue: string, symbol: string, interval: Interval): string {
    const s = this.of(venue, symbol);
    let subject = s.candle[interval];
    if (subject === undefined) {
      subject = candleSubject(interval, venue, symbol);
      s.candle[interval] = subject;
    }
    return subject;
  }

  indicator(venue: string, symbol: string, interval: Interval): string {
    const s = this.of(venue, symbol);
    let subject = s.indicator[interval];
    if (subject === undefined) {
      subject = indicatorSubject(interval, venue, symbol);
      s.indicator[interval] = subject;
    }
    return subject;
  }

  alert(venue: string, symbol: string): string {
    return this.of(venue, symbol).alert;
  }
}
