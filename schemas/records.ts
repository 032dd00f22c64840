/**
 * Record types that travel on NATS, into QuestDB and out to WebSocket clients.
 *
 * Every record carries `v` (the schema version) and `type` (its kind), so a
 * consumer in any language can dispatch on a decoded map without context.
 * Times are UTC epoch milliseconds as numbers; a fractional part carries
 * sub-millisecond precision when the source has it.
 */

/** Version of every record shape below. Bump on any incompatible change. */
export const SCHEMA_VERSION = 1 as const;

export type SchemaVersion = typeof SCHEMA_VERSION;

/** Aggressor side of a trade; `unknown` when the venue does not say. */
export type Side = 'buy' | 'sell' | 'unknown';

export const SIDES: readonly Side[] = ['buy', 'sell', 'unknown'];

/** One execution reported by a venue. */
export interface Trade {
  v: SchemaVersion;
  type: 'trade';
  /** Venue code, lower case, e.g. `binance`, `coinbase`, `sim`. */
  venue: string;
  /** Venue symbol as the venue spells it, e.g. `BTC/USDT`, `BRK.B`, `ES Z6`. */
  symbol: string;
  price: number;
  size: number;
  side: Side;
  /** Venue trade id. Numeric ids compare numerically, others lexically (see `compareTradeIds`). */
  id: string;
  /** Event time: when the venue says the trade happened. */
  ts: number;
  /** Receive time: when tickflow (or the feed) received it. */
  recvTs: number;
  /** Venue sequence number, when the source provides one; used for gap detection. */
  seq?: number;
}

/** Top of book. */
export interface Quote {
  v: SchemaVersion;
  type: 'quote';
  venue: string;
  symbol: string;
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
  ts: number;
  recvTs: number;
  seq?: number;
}

/** Candle intervals tickflow knows, shortest first. */
export const INTERVALS = ['1s', '5s', '15s', '30s', '1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;

export type Interval = (typeof INTERVALS)[number];

/** Interval length in milliseconds. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  '1s': 1_000,
  '5s': 5_000,
  '15s': 15_000,
  '30s': 30_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

/** OHLCV candle over [start, end) in event time, floored to UTC boundaries. */
export interface Candle {
  v: SchemaVersion;
  type: 'candle';
  venue: string;
  symbol: string;
  interval: Interval;
  /** Inclusive start, a multiple of the interval length since the epoch. */
  start: number;
  /** Exclusive end: start + interval length. */
  end: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Sum of price * size. */
  notional: number;
  /** notional / volume; equals close when volume is 0 (all trades had size 0). */
  vwap: number;
  /** Number of trades. */
  trades: number;
  buyVolume: number;
  sellVolume: number;
  firstTradeTs: number;
  lastTradeTs: number;
  /** false while the candle may still take trades in order; true once the watermark or a timer closed it. */
  closed: boolean;
  /** 0 for the first closed version; +1 each time a late trade revises a closed candle. */
  revision: number;
}

/**
 * Indicator values for one candle of one interval. `closed` snapshots are
 * computed over closed candles; live ones (`closed: false`) include the open
 * candle and are replaced, never accumulated, as it changes. A value is null
 * during warm-up.
 */
export interface IndicatorSnapshot {
  v: SchemaVersion;
  type: 'indicator';
  venue: string;
  symbol: string;
  interval: Interval;
  /** Start of the candle the values were computed at. */
  ts: number;
  closed: boolean;
  /** Revision of that candle. */
  revision: number;
  /** Keyed by indicator output name, e.g. `sma20`, `rsi14`, `macd`, `bbUpper`. */
  values: Record<string, number | null>;
}

export const ALERT_KINDS = [
  'price_spike',
  'volume_spike',
  'stale_feed',
  'crossed_quote',
  'locked_quote',
  'sequence_gap',
  'outlier_print',
] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;

export type Severity = (typeof SEVERITIES)[number];

/** An anomaly a detector found. */
export interface Alert {
  v: SchemaVersion;
  type: 'alert';
  venue: string;
  symbol: string;
  kind: AlertKind;
  severity: Severity;
  /** Event time of the input that raised it (or the timer time for `stale_feed`). */
  ts: number;
  /** The measured quantity, e.g. the percent move, the z-score, the gap length. */
  value: number;
  /** The threshold it crossed. */
  threshold: number;
  /** One sentence for people. */
  message: string;
}

export type InputRecord = Trade | Quote;
export type OutputRecord = Candle | IndicatorSnapshot | Alert;
export type AnyRecord = InputRecord | OutputRecord;
export type RecordType = AnyRecord['type'];

/**
 * Orders trade ids for tie-breaking: ids made only of decimal digits compare
 * as integers of any length (the same number with more leading zeros sorts
 * later), everything else compares by UTF-16 code units, and digit-only ids
 * sort before others. Returns 0 only for identical ids.
 */
export function compareTradeIds(a: string, b: string): number {
  if (a === b) return 0;
  const an = isDigits(a);
  const bn = isDigits(b);
  if (an && bn) {
    const a0 = stripZeros(a);
    const b0 = stripZeros(b);
    if (a0.length !== b0.length) return a0.length < b0.length ? -1 : 1;
    if (a0 !== b0) return a0 < b0 ? -1 : 1;
    // Same number spelled with different leading zeros: still a total order.
    return a.length < b.length ? -1 : 1;
  }
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : 1;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return i === 0 ? s : s.slice(i);
}
