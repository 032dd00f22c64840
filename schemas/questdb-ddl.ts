/**
 * QuestDB tables for trades, quotes, candles, indicators and alerts, and the
 * column names the ILP writer uses for each record field. Every table is WAL,
 * partitioned by day, with DEDUP UPSERT KEYS chosen so that writing the same
 * logical row again (a JetStream redelivery, a replay, a candle update or
 * revision) replaces it: that is what makes at-least-once delivery exactly
 * once in effect.
 *
 * Keys:
 * - trades: ts, venue, symbol, trade_id (a venue's id is unique per symbol).
 * - quotes: ts, venue, symbol, seq. Quotes have no id; seq identifies one when
 *   the venue sends it. Without seq (null), two quotes of one symbol at the
 *   same microsecond collapse to the last one written, which is the book as it
 *   stood at that instant. Receive time is deliberately not a key: a producer
 *   that re-stamps it on a retry would otherwise duplicate rows.
 * - candles and indicators: ts (candle start), venue, symbol, interval, so the
 *   open candle's updates and late revisions overwrite one row.
 * - alerts: ts, venue, symbol, kind.
 */

import { TfError } from './errors.js';

/** Options of {@link questDbDdl}. */
export interface QuestDbDdlOptions {
  /** Drop partitions older than this many days; omitted: keep everything. */
  ttlDays?: number;
  /** Indicator output names (e.g. `sma20`, `bbUpper`); one DOUBLE column each, see {@link indicatorColumnName}. */
  indicatorColumns: readonly string[];
  /** Prepended to every table name, e.g. `test_`; letters, digits and `_`. */
  tablePrefix?: string;
}

/** Base table names, before the prefix. */
export const QDB_TABLES = {
  trades: 'trades',
  quotes: 'quotes',
  candles: 'candles',
  indicators: 'indicators',
  alerts: 'alerts',
} as const;

/** Trade field -> column. `ts` is the designated timestamp. */
export const TRADE_COLUMNS = {
  ts: 'ts',
  venue: 'venue',
  symbol: 'symbol',
  price: 'price',
  size: 'size',
  side: 'side',
  id: 'trade_id',
  recvTs: 'recv_ts',
  seq: 'seq',
} as const;

/** Quote field -> column. `ts` is the designated timestamp. */
export const QUOTE_COLUMNS = {
  ts: 'ts',
  venue: 'venue',
  symbol: 'symbol',
  bidPrice: 'bid_price',
  bidSize: 'bid_size',
  askPrice: 'ask_price',
  askSize: 'ask_size',
  recvTs: 'recv_ts',
  seq: 'seq',
} as const;

/** Candle field -> column. The candle start is the designated timestamp `ts`. */
export const CANDLE_COLUMNS = {
  start: 'ts',
  venue: 'venue',
  symbol: 'symbol',
  interval: 'interval',
  end: 'end_ts',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  notional: 'notional',
  vwap: 'vwap',
  trades: 'trade_count',
  buyVolume: 'buy_volume',
  sellVolume: 'sell_volume',
  firstTradeTs: 'first_trade_ts',
  lastTradeTs: 'last_trade_ts',
  closed: 'closed',
  revision: 'revision',
} as const;

/**
 * Indicator snapshot field -> column, besides one column per value (named by
 * {@link indicatorColumnName}). `ts` (the candle start) is the designated timestamp.
 */
export const INDICATOR_COLUMNS = {
  ts: 'ts',
  venue: 'venue',
  symbol: 'symbol',
  interval: 'interval',
  closed: 'closed',
  revision: 'revision',
} as const;

/** Alert field -> column. `ts` is the designated timestamp. */
export const ALERT_COLUMNS = {
  ts: 'ts',
  venue: 'venue',
  symbol: 'symbol',
  kind: 'kind',
  severity: 'severity',
  value: 'value',
  threshold: 'threshold',
  message: 'message',
} as const;

type Column = readonly [name: string, type: string];

const TRADE_TABLE: readonly Column[] = [
  [TRADE_COLUMNS.ts, 'TIMESTAMP'],
  [TRADE_COLUMNS.venue, 'SYMBOL'],
  [TRADE_COLUMNS.symbol, 'SYMBOL'],
  [TRADE_COLUMNS.price, 'DOUBLE'],
  [TRADE_COLUMNS.size, 'DOUBLE'],
  [TRADE_COLUMNS.side, 'SYMBOL'],
  [TRADE_COLUMNS.id, 'VARCHAR'],
  [TRADE_COLUMNS.recvTs, 'TIMESTAMP'],
  [TRADE_COLUMNS.seq, 'LONG'],
];

const QUOTE_TABLE: readonly Column[] = [
  [QUOTE_COLUMNS.ts, 'TIMESTAMP'],
  [QUOTE_COLUMNS.venue, 'SYMBOL'],
  [QUOTE_COLUMNS.symbol, 'SYMBOL'],
  [QUOTE_COLUMNS.bidPrice, 'DOUBLE'],
  [QUOTE_COLUMNS.bidSize, 'DOUBLE'],
  [QUOTE_COLUMNS.askPrice, 'DOUBLE'],
  [QUOTE_COLUMNS.askSize, 'DOUBLE'],
  [QUOTE_COLUMNS.recvTs, 'TIMESTAMP'],
  [QUOTE_COLUMNS.seq, 'LONG'],
];

const CANDLE_TABLE: readonly Column[] = [
  [CANDLE_COLUMNS.start, 'TIMESTAMP'],
  [CANDLE_COLUMNS.venue, 'SYMBOL'],
  [CANDLE_COLUMNS.symbol, 'SYMBOL'],
  [CANDLE_COLUMNS.interval, 'SYMBOL'],
  [CANDLE_COLUMNS.end, 'TIMESTAMP'],
  [CANDLE_COLUMNS.open, 'DOUBLE'],
  [CANDLE_COLUMNS.high, 'DOUBLE'],
  [CANDLE_COLUMNS.low, 'DOUBLE'],
  [CANDLE_COLUMNS.close, 'DOUBLE'],
  [CANDLE_COLUMNS.volume, 'DOUBLE'],
  [CANDLE_COLUMNS.notional, 'DOUBLE'],
  [CANDLE_COLUMNS.vwap, 'DOUBLE'],
  [CANDLE_COLUMNS.trades, 'LONG'],
  [CANDLE_COLUMNS.buyVolume, 'DOUBLE'],
  [CANDLE_COLUMNS.sellVolume, 'DOUBLE'],
  [CANDLE_COLUMNS.firstTradeTs, 'TIMESTAMP'],
  [CANDLE_COLUMNS.lastTradeTs, 'TIMESTAMP'],
  [CANDLE_COLUMNS.closed, 'BOOLEAN'],
  [CANDLE_COLUMNS.revision, 'LONG'],
];

const INDICATOR_TABLE: readonly Column[] = [
  [INDICATOR_COLUMNS.ts, 'TIMESTAMP'],
  [INDICATOR_COLUMNS.venue, 'SYMBOL'],
  [INDICATOR_COLUMNS.symbol, 'SYMBOL'],
  [INDICATOR_COLUMNS.interval, 'SYMBOL'],
  [INDICATOR_COLUMNS.closed, 'BOOLEAN'],
  [INDICATOR_COLUMNS.revision, 'LONG'],
];

const ALERT_TABLE: readonly Column[] = [
  [ALERT_COLUMNS.ts, 'TIMESTAMP'],
  [ALERT_COLUMNS.venue, 'SYMBOL'],
  [ALERT_COLUMNS.symbol, 'SYMBOL'],
  [ALERT_COLUMNS.kind, 'SYMBOL'],
  [ALERT_COLUMNS.severity, 'SYMBOL'],
  [ALERT_COLUMNS.value, 'DOUBLE'],
  [ALERT_COLUMNS.threshold, 'DOUBLE'],
  [ALERT_COLUMNS.message, 'VARCHAR'],
];

/** DEDUP UPSERT KEYS of each table (see the module comment for why). */
export const QDB_DEDUP_KEYS = {
  trades: [TRADE_COLUMNS.ts, TRADE_COLUMNS.venue, TRADE_COLUMNS.symbol, TRADE_COLUMNS.id],
  quotes: [QUOTE_COLUMNS.ts, QUOTE_COLUMNS.venue, QUOTE_COLUMNS.symbol, QUOTE_COLUMNS.seq],
  candles: [CANDLE_COLUMNS.start, CANDLE_COLUMNS.venue, CANDLE_COLUMNS.symbol, CANDLE_COLUMNS.interval],
  indicators: [
    INDICATOR_COLUMNS.ts,
    INDICATOR_COLUMNS.venue,
    INDICATOR_COLUMNS.symbol,
    INDICATOR_COLUMNS.interval,
  ],
  alerts: [ALERT_COLUMNS.ts, ALERT_COLUMNS.venue, ALERT_COLUMNS.symbol, ALERT_COLUMNS.kind],
} as const satisfies Record<keyof typeof QDB_TABLES, readonly string[]>;

const FIXED_INDICATOR_COLUMNS: ReadonlySet<string> = new Set(Object.values(INDICATOR_COLUMNS));
const MAX_COLUMN_NAME_LENGTH = 64;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Column name of an indicator output: camelCase becomes snake_case, anything
 * but `a-z 0-9 _` becomes `_` (`bbUpper` -> `bb_upper`, `macd.signal` ->
 * `macd_signal`), and `ind_` is prepended when the result starts with a digit
 * or collides with a fixed column of the indicators table (`ts` -> `ind_ts`).
 * Throws `TF_ERR_BAD_CONFIG` when nothing usable remains or it is too long.
 */
export function indicatorColumnName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      const prev = i > 0 ? name.charCodeAt(i - 1) : 0;
      if ((prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57)) out += '_';
      out += ch.toLowerCase();
    } else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      out += ch;
    } else {
      out += '_';
    }
  }
  out = out.replace(/_+/g, '_').replace(/^_|_$/g, '');
  if (out.length === 0) {
    throw new TfError(
      'TF_ERR_BAD_CONFIG',
      `indicator name ${JSON.stringify(name)} gives no usable column name`,
    );
  }
  const first = out.charCodeAt(0);
  if ((first >= 48 && first <= 57) || FIXED_INDICATOR_COLUMNS.has(out)) out = `ind_${out}`;
  if (out.length > MAX_COLUMN_NAME_LENGTH) {
    throw new TfError(
      'TF_ERR_BAD_CONFIG',
      `indicator name ${JSON.stringify(name)} gives a column name longer than ${MAX_COLUMN_NAME_LENGTH} characters`,
    );
  }
  return out;
}

/** Table names with the prefix applied. */
export function questDbTableNames(tablePrefix = ''): { readonly [K in keyof typeof QDB_TABLES]: string } {
  if (tablePrefix !== '' && !IDENTIFIER.test(tablePrefix.toLowerCase())) {
    throw new TfError(
      'TF_ERR_BAD_CONFIG',
      `options.tablePrefix ${JSON.stringify(tablePrefix)} must be letters, digits and _, not starting with a digit`,
    );
  }
  return {
    trades: tablePrefix + QDB_TABLES.trades,
    quotes: tablePrefix + QDB_TABLES.quotes,
    candles: tablePrefix + QDB_TABLES.candles,
    indicators: tablePrefix + QDB_TABLES.indicators,
    alerts: tablePrefix + QDB_TABLES.alerts,
  };
}

function createTable(
  name: string,
  columns: readonly Column[],
  keys: readonly string[],
  ttlDays?: number,
): string {
  const cols = columns.map(([n, t]) => `  ${n} ${t}`).join(',\n');
  const ttl = ttlDays === undefined ? '' : ` TTL ${ttlDays} DAYS`;
  return (
    // QuestDB 9.3 accepts TTL only before WAL, whatever its syntax page shows.
    `CREATE TABLE IF NOT EXISTS ${name} (\n${cols}\n) TIMESTAMP(${columns[0]![0]}) PARTITION BY DAY${ttl} WAL\n` +
    `DEDUP UPSERT KEYS(${keys.join(', ')})`
  );
}

/**
 * CREATE TABLE IF NOT EXISTS statements for all five tables, in the order
 * trades, quotes, candles, indicators, alerts; run each as one statement.
 * Throws `TF_ERR_BAD_CONFIG` for a bad TTL or prefix, or indicator names that
 * give clashing column names.
 */
export function questDbDdl(opts: QuestDbDdlOptions): string[] {
  const { ttlDays, indicatorColumns, tablePrefix = '' } = opts;
  if (ttlDays !== undefined && !(Number.isSafeInteger(ttlDays) && ttlDays >= 1)) {
    throw new TfError(
      'TF_ERR_BAD_CONFIG',
      `options.ttlDays must be a whole number of days >= 1, got ${ttlDays}`,
    );
  }
  const tables = questDbTableNames(tablePrefix);
  const indicatorTable: Column[] = [...INDICATOR_TABLE];
  const seen = new Map<string, string>();
  for (const name of indicatorColumns) {
    const column = indicatorColumnName(name);
    const other = seen.get(column);
    if (other !== undefined) {
      if (other === name) continue;
      throw new TfError(
        'TF_ERR_BAD_CONFIG',
        `indicator names ${JSON.stringify(other)} and ${JSON.stringify(name)} both map to column ${column}`,
      );
    }
    seen.set(column, name);
    indicatorTable.push([column, 'DOUBLE']);
  }
  return [
    createTable(tables.trades, TRADE_TABLE, QDB_DEDUP_KEYS.trades, ttlDays),
    createTable(tables.quotes, QUOTE_TABLE, QDB_DEDUP_KEYS.quotes, ttlDays),
    createTable(tables.candles, CANDLE_TABLE, QDB_DEDUP_KEYS.candles, ttlDays),
    createTable(tables.indicators, indicatorTable, QDB_DEDUP_KEYS.indicators, ttlDays),
    createTable(tables.alerts, ALERT_TABLE, QDB_DEDUP_KEYS.alerts, ttlDays),
  ];
}
