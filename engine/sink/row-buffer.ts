/**
 * Records waiting for QuestDB. The writer keeps records, not encoded ILP: records are only
 * references to objects that exist anyway, while the text is about 130 bytes a trade row;
 * encoding again for a retry costs under a microsecond a row, and keeping records lets a
 * newer candle replace a failed one across retries. Candles and indicator snapshots are
 * conflated: many updates of one open candle (same venue, symbol, interval, start) within
 * one flush window need only the latest row, which is also what DEDUP UPSERT would keep.
 */
import type { Alert, Candle, IndicatorSnapshot, Quote, Trade } from '../../schemas/index.js';
import { alertLine, candleLine, indicatorLine, quoteLine, type RowTables, tradeLine } from './ilp-encoder.js';

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

function seriesKey(venue: string, symbol: string, interval: string, ts: number): string {
  // \u0000 cannot occur in a valid venue or symbol, so keys cannot collide.
  return venue + '\u0000' + symbol + '\u0000' + interval + '\u0000' + ts;
}

/** Records added since some point, ready to be written into a Sender in one pass. */
export class RowBuffer {
  readonly trades: Trade[] = [];
  readonly quotes: Quote[] = [];
  readonly alerts: Alert[] = [];
  readonly candles = new Map<string, Candle>();
  readonly indicators = new Map<string, IndicatorSnapshot>();
  /** Candle updates that replaced an earlier one instead of adding a row. */
  conflatedCandles = 0;
  /** Indicator snapshots that replaced an earlier one instead of adding a row. */
  conflatedIndicators = 0;

  /** Rows this buffer would write now. */
  get rows(): number {
    return (
      this.trades.length + this.quotes.length + this.alerts.length + this.candles.size + this.indicators.size
    );
  }

  addTrade(t: Trade): void {
    this.trades.push(t);
  }

  addQuote(q: Quote): void {
    this.quotes.push(q);
  }

  addAlert(a: Alert): void {
    this.alerts.push(a);
  }

  addCandle(c: Candle): void {
    const key = seriesKey(c.venue, c.symbol, c.interval, c.start);
    const size = this.candles.size;
    this.candles.set(key, c);
    if (this.candles.size === size) this.conflatedCandles++;
  }

  addIndicator(s: IndicatorSnapshot): void {
    const key = seriesKey(s.venue, s.symbol, s.interval, s.ts);
    const size = this.indicators.size;
    this.indicators.set(key, s);
    if (this.indicators.size === size) this.conflatedIndicators++;
  }

  /**
   * Moves every record of `other` into this buffer (after this buffer's own records, so a
   * newer candle replaces an older one) and empties `other`.
   */
  absorb(other: RowBuffer): void {
    const { trades, quotes, alerts } = other;
    for (let i = 0; i < trades.length; i++) this.trades.push(trades[i]!);
    for (let i = 0; i < quotes.length; i++) this.quotes.push(quotes[i]!);
    for (let i = 0; i < alerts.length; i++) this.alerts.push(alerts[i]!);
    for (const c of other.candles.values()) this.addCandle(c);
    for (const s of other.indicators.values()) this.addIndicator(s);
    this.conflatedCandles += other.conflatedCandles;
    this.conflatedIndicators += other.conflatedIndicators;
    other.clear();
  }

  /** Row counts per table. */
  counts(out: TableRowCounts = emptyRowCounts()): TableRowCounts {
    out.trades = this.trades.length;
    out.quotes = this.quotes.length;
    out.candles = this.candles.size;
    out.indicators = this.indicators.size;
    out.alerts = this.alerts.length;
    return out;
  }

  /** Every row as line protocol text; `columns` caches indicator column names. */
  encode(tables: RowTables, columns: Map<string, string>): string {
    const { trades, quotes, alerts } = this;
    let out = '';
    for (let i = 0; i < trades.length; i++) out += tradeLine(tables.trades, trades[i]!);
    for (let i = 0; i < quotes.length; i++) out += quoteLine(tables.quotes, quotes[i]!);
    for (const c of this.candles.values()) out += candleLine(tables.candles, c);
    for (const x of this.indicators.values()) out += indicatorLine(tables.indicators, x, columns);
    for (let i = 0; i < alerts.length; i++) out += alertLine(tables.alerts, alerts[i]!);
    return out;
  }

  clear(): void {
    this.trades.length = 0;
    this.quotes.length = 0;
    this.alerts.length = 0;
    this.candles.clear();
    this.indicators.clear();
    this.conflatedCandles = 0;
    this.conflatedIndicators = 0;
  }
}
