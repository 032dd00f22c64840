/**
 * Strict query-string validation for the REST API: every parameter is checked
 * against a whitelist or a range, unknown and repeated parameters are refused,
 * and the results are {@link SqlValue}s, the only thing the SQL builder takes.
 */

import { INTERVAL_MS, type Interval, MAX_FUTURE_MS, MIN_TIMESTAMP_MS } from '../../schemas/index.js';
import { HttpError } from './http-error.js';
import { type SqlValue, SqlValues } from './sql.js';

/** Largest page. */
export const MAX_LIMIT = 5000;

/** Page size when `limit` is absent. */
export const DEFAULT_LIMIT = 500;

/** A position after which the next page starts: rows at `tsMicros` already returned are skipped. */
export interface Cursor {
  tsMicros: number;
  skip: number;
}

/** Query parameters, each name at most once, only names the route allows. */
export class QueryParams {
  readonly #values = new Map<string, string>();

  /** Parses a raw query string; throws 400 for unknown or repeated names, or an oversize query. */
  constructor(rawQuery: string, allowed: readonly string[]) {
    if (rawQuery.length > 4096)
      throw new HttpError(400, 'bad_parameter', 'query string is longer than 4096 bytes');
    const search = new URLSearchParams(rawQuery);
    for (const [name, value] of search) {
      if (!allowed.includes(name)) {
        throw new HttpError(
          400,
          'unknown_parameter',
          `unknown parameter ${JSON.stringify(name.slice(0, 40))}; allowed: ${allowed.join(', ')}`,
        );
      }
      if (this.#values.has(name))
        throw new HttpError(400, 'bad_parameter', `parameter ${name} is given twice`);
      this.#values.set(name, value);
    }
  }

  /** The raw value, or undefined when absent. */
  raw(name: string): string | undefined {
    return this.#values.get(name);
  }

  #required(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined || v === '')
      throw new HttpError(400, 'missing_parameter', `parameter ${name} is required`);
    return v;
  }

  /** A venue code. */
  venue(name: string, required: true): SqlValue;
  venue(name: string, required: false): SqlValue | null;
  venue(name: string, required: boolean): SqlValue | null {
    const raw = required ? this.#required(name) : this.#values.get(name);
    if (raw === undefined) return null;
    return check(
      SqlValues.venue(raw),
      name,
      'must be 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit',
    );
  }

  /** A symbol, by the schemas' symbol rules. */
  symbol(name: string, required: true): SqlValue;
  symbol(name: string, required: false): SqlValue | null;
  symbol(name: string, required: boolean): SqlValue | null {
    const raw = required ? this.#required(name) : this.#values.get(name);
    if (raw === undefined) return null;
    return check(SqlValues.symbol(raw), name, 'must be 1-64 characters without control characters');
  }

  /** A candle interval. */
  interval(name: string): { value: SqlValue; interval: Interval } {
    const raw = this.#required(name);
    const v = check(SqlValues.interval(raw), name, `must be one of ${Object.keys(INTERVAL_MS).join(', ')}`);
    return { value: v, interval: raw as Interval };
  }

  /** An optional value from a fixed list. */
  oneOf(name: string, allowed: readonly string[]): SqlValue | null {
    const raw = this.#values.get(name);
    if (raw === undefined) return null;
    return check(SqlValues.oneOf(raw, allowed), name, `must be one of ${allowed.join(', ')}`);
  }

  /** A time as epoch ms or ISO 8601 (with a zone), in microseconds; `fallback` (µs) when absent. */
  timeMicros(name: string, fallback: number, now: number): number {
    const raw = this.#values.get(name);
    if (raw === undefined) return fallback;
    const ms = parseTime(raw);
    if (ms === null || ms < MIN_TIMESTAMP_MS || ms > now + MAX_FUTURE_MS) {
      throw new HttpError(
        400,
        'bad_parameter',
        `parameter ${name} must be epoch milliseconds or an ISO 8601 time with a zone, between 2000-01-01 and tomorrow`,
      );
    }
    return Math.round(ms * 1000);
  }

  /** The page size, 1 to {@link MAX_LIMIT}. */
  limit(): number {
    const raw = this.#values.get('limit');
    if (raw === undefined) return DEFAULT_LIMIT;
    const n = /^[0-9]{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= 1 && n <= MAX_LIMIT)) {
      throw new HttpError(400, 'bad_parameter', `parameter limit must be an integer in [1, ${MAX_LIMIT}]`);
    }
    return n;
  }

  /** The cursor from a previous page (`<tsMicros>_<skip>`), or null. */
  cursor(): Cursor | null {
    const raw = this.#values.get('cursor');
    if (raw === undefined) return null;
    const m = /^([0-9]{1,17})_([0-9]{1,9})$/.exec(raw);
    const tsMicros = m === null ? Number.NaN : Number(m[1]);
    const skip = m === null ? Number.NaN : Number(m[2]);
    if (!Number.isSafeInteger(tsMicros) || !(skip >= 0 && skip <= 1e9)) {
      throw new HttpError(
        400,
        'bad_parameter',
        'parameter cursor must be a nextCursor value from a previous page',
      );
    }
    return { tsMicros, skip };
  }
}

function check(v: SqlValue | null, name: string, rule: string): SqlValue {
  if (v === null) throw new HttpError(400, 'bad_parameter', `parameter ${name} ${rule}`);
  return v;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms from `1700000000000` or `2023-11-14T22:13:20Z`; null for anything else. */
export function parseTime(raw: string): number | null {
  if (/^[0-9]{1,15}$/.test(raw)) return Number(raw);
  if (!ISO.test(raw)) return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : ms;
}
