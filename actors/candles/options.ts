import type { Interval } from '../../schemas/records.js';
import { INTERVAL_MS, INTERVALS } from '../../schemas/records.js';

/** How a candle book buckets trades and when it closes and finalizes candles. */
export interface CandleBookOptions {
  /** Intervals to build, distinct and shortest first; `interval index i` in the book API indexes this list. */
  intervals: readonly Interval[];
  /** The watermark trails the highest trade event time by this much (ms); a candle closes when the watermark reaches its end. */
  closeDelayMs: number;
  /** A trade older than watermark - allowedLatenessMs is late: counted, changes no candle. Closed candles stay revisable this long. */
  allowedLatenessMs: number;
  /** A quiet symbol's candle is closed by `onTimer(now)` once now >= end + closeDelayMs + idleCloseMs. */
  idleCloseMs: number;
}

/** 1s, 1m, 5m, 15m, 1h and 1d candles; close 500 ms after the end, revisable for 2 s more, timer close after 1 s idle. */
export const DEFAULT_CANDLE_OPTIONS: CandleBookOptions = Object.freeze({
  intervals: Object.freeze(['1s', '1m', '5m', '15m', '1h', '1d'] as const),
  closeDelayMs: 500,
  allowedLatenessMs: 2000,
  idleCloseMs: 1000,
});

/**
 * Checks candle options; returns one sentence per problem, each naming the key
 * (`candles.<key>`) and the accepted range, or an empty list when valid.
 */
export function validateCandleOptions(o: unknown): string[] {
  if (typeof o !== 'object' || o === null) return [`candles must be an object, got ${describe(o)}`];
  const opts = o as Record<string, unknown>;
  const problems: string[] = [];
  if (!intervalsValid(opts['intervals'])) {
    problems.push(
      `candles.intervals must be a non-empty array of distinct intervals from ${INTERVALS.join(', ')}, ` +
        `shortest first, got ${describe(opts['intervals'])}`,
    );
  }
  for (const key of ['closeDelayMs', 'allowedLatenessMs', 'idleCloseMs'] as const) {
    const v = opts[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      problems.push(`candles.${key} must be a finite number >= 0, got ${describe(v)}`);
    }
  }
  return problems;
}

function intervalsValid(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0) return false;
  let prev = 0;
  for (const iv of v as unknown[]) {
    if (typeof iv !== 'string' || !Object.hasOwn(INTERVAL_MS, iv)) return false;
    const len = INTERVAL_MS[iv as Interval];
    if (len <= prev) return false;
    prev = len;
  }
  return true;
}

function describe(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === undefined)
    return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
