import type { Side, Trade } from '../../schemas/index.js';
import { SCHEMA_VERSION } from '../../schemas/index.js';
import { splitCsvLine } from './csv.js';

/** Input formats of a trades file. */
export type TradeFileFormat = 'csv' | 'ndjson';

/** Unit of numeric timestamps in a trades file; ISO-8601 strings are always accepted. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

export interface TradeFileOptions {
  format: TradeFileFormat;
  /** Venue for rows without a venue column. */
  venue: string;
  timeUnit: TimeUnit;
}

/** A parsed line: a trade, nothing (blank line, header), or the reason the line is unusable. */
export type ParsedLine =
  | { kind: 'trade'; trade: Trade }
  | { kind: 'skip' }
  | { kind: 'error'; message: string };

const UNIT_TO_MS: Record<TimeUnit, number> = { s: 1000, ms: 1, us: 0.001, ns: 0.000001 };

/**
 * Columns of a trades file (CSV header names, NDJSON keys), case-insensitive.
 * `symbol`, `price`, `size` and `ts` are required; the rest have defaults.
 */
export const TRADE_FILE_COLUMNS = {
  venue: 'venue code; default from --venue',
  symbol: 'venue symbol, e.g. BTC/USDT',
  price: 'trade price, > 0',
  size: 'trade size, >= 0 (alias: amount, qty, quantity)',
  ts: 'event time: epoch number in --time-unit (default ms) or ISO-8601 (alias: timestamp, time)',
  side: 'buy | sell | unknown; default unknown',
  id: 'venue trade id; default the line number',
  recvTs: 'receive time, same forms as ts; default ts (alias: local_timestamp)',
  seq: 'venue sequence number, optional',
} as const;

const ALIASES: Record<string, keyof typeof TRADE_FILE_COLUMNS> = {
  venue: 'venue',
  exchange: 'venue',
  symbol: 'symbol',
  price: 'price',
  size: 'size',
  amount: 'size',
  qty: 'size',
  quantity: 'size',
  ts: 'ts',
  timestamp: 'ts',
  time: 'ts',
  side: 'side',
  id: 'id',
  trade_id: 'id',
  tradeid: 'id',
  recvts: 'recvTs',
  recv_ts: 'recvTs',
  local_timestamp: 'recvTs',
  seq: 'seq',
};

/**
 * Parses a trades file line by line. Stateful for CSV (the first non-blank
 * line is the header); pure per line otherwise.
 */
export class TradeFileParser {
  private readonly options: TradeFileOptions;
  private columns: (keyof typeof TRADE_FILE_COLUMNS | null)[] | null = null;

  constructor(options: TradeFileOptions) {
    this.options = options;
  }

  parse(line: string, lineNo: number): ParsedLine {
    const text = line.trim();
    if (text.length === 0) return { kind: 'skip' };
    return this.options.format === 'csv' ? this.parseCsv(text, lineNo) : this.parseJson(text, lineNo);
  }

  private parseCsv(text: string, lineNo: number): ParsedLine {
    const fields = splitCsvLine(text);
    if (fields === null) return { kind: 'error', message: 'unterminated quoted field' };
    if (this.columns === null) {
      const columns = fields.map((f) => ALIASES[f.toLowerCase()] ?? null);
      const missing = (['symbol', 'price', 'size', 'ts'] as const).filter((c) => !columns.includes(c));
      if (missing.length > 0) {
        return { kind: 'error', message: `header lacks required column(s) ${missing.join(', ')}` };
      }
      this.columns = columns;
      return { kind: 'skip' };
    }
    if (fields.length !== this.columns.length) {
      return { kind: 'error', message: `expected ${this.columns.length} fields, found ${fields.length}` };
    }
    const row: Partial<Record<keyof typeof TRADE_FILE_COLUMNS, string>> = {};
    for (let i = 0; i < fields.length; i++) {
      const c = this.columns[i];
      if (c) row[c] = fields[i]!;
    }
    return this.build(row, lineNo);
  }

  private parseJson(text: string, lineNo: number): ParsedLine {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      return { kind: 'error', message: `not JSON (${(err as Error).message})` };
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      return { kind: 'error', message: 'not a JSON object' };
    }
    const row: Partial<Record<keyof typeof TRADE_FILE_COLUMNS, string | number>> = {};
    for (const [k, v] of Object.entries(obj)) {
      const c = ALIASES[k.toLowerCase()];
      if (c && (typeof v === 'string' || typeof v === 'number')) row[c] = v;
    }
    return this.build(row, lineNo);
  }

  private build(
    row: Partial<Record<keyof typeof TRADE_FILE_COLUMNS, string | number>>,
    lineNo: number,
  ): ParsedLine {
    if (row.symbol === undefined || String(row.symbol).length === 0)
      return { kind: 'error', message: 'no symbol' };
    const price = Number(row.price);
    if (row.price === undefined || row.price === '' || !Number.isFinite(price)) {
      return { kind: 'error', message: `price '${row.price ?? ''}' is not a number` };
    }
    const size = Number(row.size);
    if (row.size === undefined || row.size === '' || !Number.isFinite(size)) {
      return { kind: 'error', message: `size '${row.size ?? ''}' is not a number` };
    }
    const ts = this.time(row.ts);
    if (ts === null) return { kind: 'error', message: `timestamp '${row.ts ?? ''}' is not a time` };
    const recvTs = row.recvTs === undefined || row.recvTs === '' ? ts : this.time(row.recvTs);
    if (recvTs === null) return { kind: 'error', message: `receive time '${row.recvTs}' is not a time` };
    const sideText = row.side === undefined || row.side === '' ? 'unknown' : String(row.side).toLowerCase();
    const side: Side | null =
      sideText === 'buy' || sideText === 'sell' || sideText === 'unknown' ? sideText : null;
    if (side === null) return { kind: 'error', message: `side '${row.side}' is not buy, sell or unknown` };
    const trade: Trade = {
      v: SCHEMA_VERSION,
      type: 'trade',
      venue: row.venue === undefined || row.venue === '' ? this.options.venue : String(row.venue),
      symbol: String(row.symbol),
      price,
      size,
      side,
      id: row.id === undefined || row.id === '' ? String(lineNo) : String(row.id),
      ts,
      recvTs,
    };
    if (row.seq !== undefined && row.seq !== '') {
      const seq = Number(row.seq);
      if (!Number.isSafeInteger(seq)) return { kind: 'error', message: `seq '${row.seq}' is not an integer` };
      trade.seq = seq;
    }
    return { kind: 'trade', trade };
  }

  private time(v: string | number | undefined): number | null {
    if (v === undefined || v === '') return null;
    const n = typeof v === 'number' ? v : Number(v);
    if (Number.isFinite(n)) return n * UNIT_TO_MS[this.options.timeUnit];
    const parsed = Date.parse(String(v));
    return Number.isNaN(parsed) ? null : parsed;
  }
}
