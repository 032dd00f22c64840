/**
 * Records waiting for QuestDB. Candles and indicator snapshots are kept as records, and
 * conflated: many updates of one open candle (same venue, symbol, interval, start) within one
 * flush window need only the latest row, which is also what DEDUP UPSERT would keep, and a
 * newer candle replaces a failed one across retries.
 *
 * Trades and quotes are encoded as they are added once the writer knows the line format
 * (`useLines`): about 130 bytes a trade row instead of the record object, which then dies
 * young. Kept until the flush (250 ms and more), a shard's trade objects were promoted to the
 * old generation and made for major GC pauses of 100-200 ms (bench/engine), and encoding them
 * all at the flush blocked the thread for tens of ms at once.
 */
import type { Alert, Candle, IndicatorSnapshot, Quote, Trade } from '../../schemas/index.js';
import type { LineEncoder } from './ilp-encoder.js';

/** Row counts per table. */
export interface TableRowCounts {
  trades: number;
  quotes: number;
  candles: number;
  indicators: number;
  alerts: number;
}

/** A zeroed {@link TableRowCounts}. */
export function emptyRowCounts(): TableRowCounts {
  return { trades: 0, quotes: 0, candles: 0, indicators: 0, alerts: 0 };
}

/** What identifies one logical candle or indicator row: the table's DEDUP UPSERT KEYS. */
interface SeriesRecord {
  venue: string;
  symbol: string;
  interval: string;
}

interface Slot<T> {
  interval: string;
  ts: number;
  record: T;
}

/**
 * Latest record per (venue, symbol, interval, timestamp). Keyed by the record's own venue and
 * symbol strings, which are the same string objects on every update of a symbol (so their
 * hashes are cached), then a short list per symbol: a fresh concatenated key per update cost
 * ~2 µs (building and hashing a new string), this ~0.1 µs.
 */
export class SeriesMap<T extends SeriesRecord> {
  private readonly byVenue = new Map<string, Map<string, Slot<T>[]>>();
  private count = 0;
  private readonly tsOf: (r: T) => number;

  constructor(tsOf: (r: T) => number) {
    this.tsOf = tsOf;
  }

  get size(): number {
    return this.count;
  }

  /** Stores `r`; true when it replaced a record of the same key. */
  set(r: T): boolean {
    const slots = this.slotsOf(r, true)!;
    const ts = this.tsOf(r);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.ts === ts && slot.interval === r.interval) {
        slot.record = r;
        return true;
      }
    }
    slots.push({ interval: r.interval, ts, record: r });
    this.count++;
    return false;
  }

  /** Removes the record with `r`'s key, if any. */
  delete(r: T): void {
    const slots = this.slotsOf(r, false);
    if (slots === undefined) return;
    const ts = this.tsOf(r);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.ts === ts && slot.interval === r.interval) {
        slots[i] = slots[slots.length - 1]!;
        slots.pop();
        this.count--;
        return;
      }
    }
  }

  /** Calls `f` for every record. */
  forEach(f: (r: T) => void): void {
    for (const bySymbol of this.byVenue.values()) {
      for (const slots of bySymbol.values()) for (let i = 0; i < slots.length; i++) f(slots[i]!.record);
    }
  }

  clear(): void {
    // Symbols are kept (their lists emptied): the same symbols come back in the next window.
    for (const bySymbol of this.byVenue.values()) for (const slots of bySymbol.values()) slots.length = 0;
    this.count = 0;
  }

  private slotsOf(r: T, create: boolean): Slot<T>[] | undefined {
    let bySymbol = this.byVenue.get(r.venue);
    if (bySymbol === undefined) {
      if (!create) return undefined;
      bySymbol = new Map();
      this.byVenue.set(r.venue, bySymbol);
    }
    let slots = bySymbol.get(r.symbol);
    if (slots === undefined && create) {
      slots = [];
      bySymbol.set(r.symbol, slots);
    }
    return slots;
  }
}

/** Records added since some point, ready to be encoded in one pass. */
export class RowBuffer {
  readonly trades: Trade[] = [];
  readonly quotes: Quote[] = [];
  readonly alerts: Alert[] = [];
  readonly candles = new SeriesMap<Candle>((c) => c.start);
  readonly indicators = new SeriesMap<IndicatorSnapshot>((x) => x.ts);
  /** Candle updates that replaced an earlier one instead of adding a row. */
  conflatedCandles = 0;
  /** Indicator snapshots that replaced an earlier one instead of adding a row. */
  conflatedIndicators = 0;
  /** Trade and quote rows encoded as they were added; null until `useLines`. */
  private lines: LineEncoder | null = null;
  private linedTrades = 0;
  private linedQuotes = 0;

  /** Rows this buffer would write now. */
  get rows(): number {
    return (
      this.trades.length +
      this.linedTrades +
      this.quotes.length +
      this.linedQuotes +
      this.alerts.length +
      this.candles.size +
      this.indicators.size
    );
  }

  /**
   * From now on trades and quotes are encoded into `lines` (an encoder of this buffer's own,
   * with the writer's tables and double format) as they are added; those held already are
   * encoded now.
   */
  useLines(lines: LineEncoder): void {
    lines.reset();
    this.lines = lines;
    this.encodeHeld();
  }

  addTrade(t: Trade): void {
    if (this.lines === null) this.trades.push(t);
    else {
      this.lines.trade(t);
      this.linedTrades++;
    }
  }

  addQuote(q: Quote): void {
    if (this.lines === null) this.quotes.push(q);
    else {
      this.lines.quote(q);
      this.linedQuotes++;
    }
  }

  addAlert(a: Alert): void {
    this.alerts.push(a);
  }

  addCandle(c: Candle): void {
    if (this.candles.set(c)) this.conflatedCandles++;
  }

  addIndicator(s: IndicatorSnapshot): void {
    if (this.indicators.set(s)) this.conflatedIndicators++;
  }

  /**
   * Moves every record of `other` into this buffer (after this buffer's own records, so a
   * newer candle replaces an older one) and empties `other`.
   */
  absorb(other: RowBuffer): void {
    const { trades, quotes, alerts } = other;
    if (other.lines !== null && other.linedTrades + other.linedQuotes > 0) {
      if (this.lines === null)
        throw new Error('RowBuffer.absorb: encoded rows into a buffer without useLines');
      this.lines.append(other.lines.finish());
      this.linedTrades += other.linedTrades;
      this.linedQuotes += other.linedQuotes;
    }
    for (let i = 0; i < trades.length; i++) this.addTrade(trades[i]!);
    for (let i = 0; i < quotes.length; i++) this.addQuote(quotes[i]!);
    for (let i = 0; i < alerts.length; i++) this.alerts.push(alerts[i]!);
    other.candles.forEach((c) => {
      this.addCandle(c);
    });
    other.indicators.forEach((s) => {
      this.addIndicator(s);
    });
    this.conflatedCandles += other.conflatedCandles;
    this.conflatedIndicators += other.conflatedIndicators;
    other.clear();
  }

  /** Row counts per table. */
  counts(out: TableRowCounts = emptyRowCounts()): TableRowCounts {
    out.trades = this.trades.length + this.linedTrades;
    out.quotes = this.quotes.length + this.linedQuotes;
    out.candles = this.candles.size;
    out.indicators = this.indicators.size;
    out.alerts = this.alerts.length;
    return out;
  }

  /** Every row as line protocol, into a body the encoder starts and returns. */
  encode(encoder: LineEncoder, sizeHint?: number): Buffer {
    const { trades, quotes, alerts } = this;
    encoder.begin(sizeHint);
    if (this.lines !== null) encoder.append(this.lines.finish());
    for (let i = 0; i < trades.length; i++) encoder.trade(trades[i]!);
    for (let i = 0; i < quotes.length; i++) encoder.quote(quotes[i]!);
    this.candles.forEach((c) => {
      encoder.candle(c);
    });
    this.indicators.forEach((x) => {
      encoder.indicator(x);
    });
    for (let i = 0; i < alerts.length; i++) encoder.alert(alerts[i]!);
    return encoder.finish();
  }

  private encodeHeld(): void {
    const { trades, quotes } = this;
    for (let i = 0; i < trades.length; i++) this.addTrade(trades[i]!);
    for (let i = 0; i < quotes.length; i++) this.addQuote(quotes[i]!);
    trades.length = 0;
    quotes.length = 0;
  }

  clear(): void {
    this.trades.length = 0;
    this.quotes.length = 0;
    this.lines?.reset();
    this.linedTrades = 0;
    this.linedQuotes = 0;
    this.alerts.length = 0;
    this.candles.clear();
    this.indicators.clear();
    this.conflatedCandles = 0;
    this.conflatedIndicators = 0;
  }
}
