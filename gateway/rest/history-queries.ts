/**
 * SQL for the REST history endpoints and the snapshot fallback, and the
 * mapping of QuestDB rows back to tickflow records. Pages are ordered by
 * time with a tie-breaker, and a cursor `(ts, skip)` resumes after the rows
 * of the last timestamp already returned, so no row is lost or repeated
 * when many share one timestamp.
 */

import {
  ALERT_COLUMNS,
  type Alert,
  type AlertKind,
  CANDLE_COLUMNS,
  type Candle,
  INDICATOR_COLUMNS,
  type IndicatorSnapshot,
  type Interval,
  SCHEMA_VERSION,
  type Severity,
  type Side,
  TRADE_COLUMNS,
  type Trade,
} from '../../schemas/index.js';
import type { QuestDbRows } from '../questdb-client.js';
import type { Cursor } from './params.js';
import { joinSql, type SafeSql, type SqlValue, sql, trusted } from './sql.js';

/** Table names in use (schemas' questDbTableNames with the configured prefix). */
export interface HistoryTables {
  trades: string;
  candles: string;
  indicators: string;
  alerts: string;
}

/** A time range [fromUs, toUs) and a page. */
export interface PageRequest {
  fromUs: number;
  toUs: number;
  limit: number;
  cursor: Cursor | null;
}

/** One page of results; `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

function micros(n: number): SafeSql {
  // Integers only (checked by the parameter parser); the cast makes QuestDB compare timestamps.
  if (!Number.isSafeInteger(n)) throw new TypeError('micros() takes an integer');
  return { text: `cast(${n} as timestamp)` };
}

function pageClause(where: SafeSql[], orderBy: string, page: PageRequest): SafeSql {
  const startUs =
    page.cursor !== null && page.cursor.tsMicros > page.fromUs ? page.cursor.tsMicros : page.fromUs;
  const skip = page.cursor !== null && page.cursor.tsMicros >= page.fromUs ? page.cursor.skip : 0;
  const all = [
    ...where,
    sql`ts >= ${trusted(micros(startUs).text)}`,
    sql`ts < ${trusted(micros(page.toUs).text)}`,
  ];
  return {
    text: ` WHERE ${joinSql(all, ' AND ').text} ORDER BY ${orderBy} LIMIT ${skip}, ${skip + page.limit}`,
  };
}

/** Distinct venue and symbol pairs that have candles, optionally of one venue. */
export function symbolsQuery(t: HistoryTables, venue: SqlValue | null): SafeSql {
  const where = venue === null ? '' : sql` WHERE venue = ${venue}`.text;
  return {
    text: `SELECT DISTINCT venue, symbol FROM ${t.candles}${where} ORDER BY venue, symbol LIMIT 10000`,
  };
}

/** Candles of one instrument and interval. */
export function candlesQuery(
  t: HistoryTables,
  venue: SqlValue,
  symbol: SqlValue,
  interval: SqlValue,
  page: PageRequest,
): SafeSql {
  const where = [
    sql`venue = ${venue}`,
    sql`symbol = ${symbol}`,
    sql`${trusted(CANDLE_COLUMNS.interval)} = ${interval}`,
  ];
  return { text: `SELECT * FROM ${t.candles}${pageClause(where, 'ts', page).text}` };
}

/** The newest candle of one instrument and interval. */
export function latestCandleQuery(
  t: HistoryTables,
  venue: SqlValue,
  symbol: SqlValue,
  interval: SqlValue,
): SafeSql {
  const where = sql`venue = ${venue} AND symbol = ${symbol} AND ${trusted(CANDLE_COLUMNS.interval)} = ${interval}`;
  return { text: `SELECT * FROM ${t.candles} WHERE ${where.text} ORDER BY ts DESC LIMIT 1` };
}

/** Trades of one instrument. */
export function tradesQuery(t: HistoryTables, venue: SqlValue, symbol: SqlValue, page: PageRequest): SafeSql {
  const where = [sql`venue = ${venue}`, sql`symbol = ${symbol}`];
  return { text: `SELECT * FROM ${t.trades}${pageClause(where, `ts, ${TRADE_COLUMNS.id}`, page).text}` };
}

/** Alerts, optionally of one venue, symbol, severity or kind. */
export function alertsQuery(
  t: HistoryTables,
  filters: {
    venue: SqlValue | null;
    symbol: SqlValue | null;
    severity: SqlValue | null;
    kind: SqlValue | null;
  },
  page: PageRequest,
): SafeSql {
  const where: SafeSql[] = [];
  if (filters.venue !== null) where.push(sql`venue = ${filters.venue}`);
  if (filters.symbol !== null) where.push(sql`symbol = ${filters.symbol}`);
  if (filters.severity !== null) where.push(sql`severity = ${filters.severity}`);
  if (filters.kind !== null) where.push(sql`kind = ${filters.kind}`);
  return { text: `SELECT * FROM ${t.alerts}${pageClause(where, 'ts, venue, symbol, kind', page).text}` };
}

/** The newest indicator snapshot of one instrument and interval. */
export function latestIndicatorQuery(
  t: HistoryTables,
  venue: SqlValue,
  symbol: SqlValue,
  interval: SqlValue,
): SafeSql {
  const where = sql`venue = ${venue} AND symbol = ${symbol} AND ${trusted(INDICATOR_COLUMNS.interval)} = ${interval}`;
  return { text: `SELECT * FROM ${t.indicators} WHERE ${where.text} ORDER BY ts DESC LIMIT 1` };
}

/** Epoch microseconds of a QuestDB timestamp (`2024-01-01T00:00:00.000000Z`, micro or nano digits). */
export function isoToMicros(iso: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (m === null) return Number.NaN;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return Date.parse(`${m[1]}Z`) * 1000 + Number(frac);
}

function ms(x: unknown): number {
  return typeof x === 'string' ? isoToMicros(x) / 1000 : Number.NaN;
}

function num(x: unknown): number {
  return typeof x === 'number' ? x : Number.NaN;
}

/** Rows as objects keyed by column name. */
export function rowObjects(rows: QuestDbRows): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const cols = rows.columns;
  for (const row of rows.dataset) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < cols.length; i++) o[cols[i]!.name] = row[i];
    out.push(o);
  }
  return out;
}

/** A candles row as a Candle record. */
export function candleFromRow(r: Record<string, unknown>): Candle {
  const C = CANDLE_COLUMNS;
  return {
    v: SCHEMA_VERSION,
    type: 'candle',
    venue: String(r[C.venue]),
    symbol: String(r[C.symbol]),
    interval: String(r[C.interval]) as Interval,
    start: ms(r[C.start]),
    end: ms(r[C.end]),
    open: num(r[C.open]),
    high: num(r[C.high]),
    low: num(r[C.low]),
    close: num(r[C.close]),
    volume: num(r[C.volume]),
    notional: num(r[C.notional]),
    vwap: num(r[C.vwap]),
    trades: num(r[C.trades]),
    buyVolume: num(r[C.buyVolume]),
    sellVolume: num(r[C.sellVolume]),
    firstTradeTs: ms(r[C.firstTradeTs]),
    lastTradeTs: ms(r[C.lastTradeTs]),
    closed: r[C.closed] === true,
    revision: num(r[C.revision]),
  };
}

/** A trades row as a Trade record. */
export function tradeFromRow(r: Record<string, unknown>): Trade {
  const T = TRADE_COLUMNS;
  const trade: Trade = {
    v: SCHEMA_VERSION,
    type: 'trade',
    venue: String(r[T.venue]),
    symbol: String(r[T.symbol]),
    price: num(r[T.price]),
    size: num(r[T.size]),
    side: String(r[T.side]) as Side,
    id: String(r[T.id]),
    ts: ms(r[T.ts]),
    recvTs: ms(r[T.recvTs]),
  };
  if (typeof r[T.seq] === 'number') trade.seq = r[T.seq] as number;
  return trade;
}

/** An alerts row as an Alert record. */
export function alertFromRow(r: Record<string, unknown>): Alert {
  const A = ALERT_COLUMNS;
  return {
    v: SCHEMA_VERSION,
    type: 'alert',
    venue: String(r[A.venue]),
    symbol: String(r[A.symbol]),
    kind: String(r[A.kind]) as AlertKind,
    severity: String(r[A.severity]) as Severity,
    ts: ms(r[A.ts]),
    value: num(r[A.value]),
    threshold: num(r[A.threshold]),
    message: String(r[A.message]),
  };
}

const FIXED_INDICATOR_COLUMNS = new Set<string>(Object.values(INDICATOR_COLUMNS));

/** An indicators row as an IndicatorSnapshot; values are keyed by column name (e.g. `bb_upper`). */
export function indicatorFromRow(r: Record<string, unknown>): IndicatorSnapshot {
  const I = INDICATOR_COLUMNS;
  const values: Record<string, number | null> = {};
  for (const k in r) {
    if (FIXED_INDICATOR_COLUMNS.has(k)) continue;
    const v = r[k];
    values[k] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return {
    v: SCHEMA_VERSION,
    type: 'indicator',
    venue: String(r[I.venue]),
    symbol: String(r[I.symbol]),
    interval: String(r[I.interval]) as Interval,
    ts: ms(r[I.ts]),
    closed: r[I.closed] === true,
    revision: num(r[I.revision]),
    values,
  };
}

/** Builds a page and its next cursor from rows ordered by `ts`. */
export function toPage<T>(
  rows: Record<string, unknown>[],
  map: (r: Record<string, unknown>) => T,
  req: PageRequest,
): Page<T> {
  const data: T[] = [];
  for (const r of rows) data.push(map(r));
  if (rows.length < req.limit || rows.length === 0) return { data, nextCursor: null };
  const lastTs = isoToMicros(String(rows[rows.length - 1]!['ts']));
  let atLast = 0;
  for (let i = rows.length - 1; i >= 0 && isoToMicros(String(rows[i]!['ts'])) === lastTs; i--) atLast++;
  const startUs = req.cursor !== null && req.cursor.tsMicros > req.fromUs ? req.cursor.tsMicros : req.fromUs;
  const priorSkip = req.cursor !== null && req.cursor.tsMicros >= req.fromUs ? req.cursor.skip : 0;
  // When every row of the page shares the start timestamp, the rows skipped before still count.
  const skip = lastTs === startUs ? priorSkip + atLast : atLast;
  return { data, nextCursor: `${lastTs}_${skip}` };
}
