import type { Interval } from '../../schemas/records.js';
import { CandleError } from './errors.js';
import { BOOK_SLOTS, H_BASE, H_CLOSED, H_COUNT, HEADER_SLOTS, ROW_SLOTS } from './layout.js';
import { validateCandleOptions } from './options.js';

/**
 * Version of {@link CandleBookSnapshot}; bump when the layout in layout.ts
 * changes. 2: sums in three limbs of 2^-64 units (version 1 had two of 2^-32).
 */
export const CANDLE_SNAPSHOT_VERSION = 2 as const;

/**
 * Plain-data image of a candle book (numbers, strings and arrays), for
 * msgpack. `state` is the book's packed array trimmed to
 * the rows in use (layout.ts); `ids` holds, per row, the open and close trade
 * ids that are not short numeric strings (null elsewhere), or is null when the
 * book never saw such an id.
 */
export interface CandleBookSnapshot {
  v: typeof CANDLE_SNAPSHOT_VERSION;
  venue: string;
  symbol: string;
  options: { intervals: Interval[]; closeDelayMs: number; allowedLatenessMs: number; idleCloseMs: number };
  /** A plain number array (msgpack keeps it an array; a Float64Array would travel as opaque bytes). */
  state: number[];
  ids: (string | null)[] | null;
  /** Id of the greatest trade so far ('' before the first); rows refer to it by a NaN close id key. */
  maxId: string;
}

/**
 * Checks a snapshot and returns its packed state; throws a
 * `TF_ERR_CANDLE_SNAPSHOT` CandleError when it is malformed.
 */
export function readCandleSnapshot(s: CandleBookSnapshot): readonly number[] {
  const fail = (why: string): never => {
    throw new CandleError('TF_ERR_CANDLE_SNAPSHOT', `candle book snapshot is invalid: ${why}`);
  };
  if (typeof s !== 'object' || s === null) return fail('not an object');
  if (s.v !== CANDLE_SNAPSHOT_VERSION) {
    fail(
      `version ${String(s.v)}, expected ${CANDLE_SNAPSHOT_VERSION}` +
        (s.v === 1
          ? ' (version 1 books used 2^-32 sums and cannot be restored; replay from an older stream position)'
          : ''),
    );
  }
  if (typeof s.venue !== 'string' || typeof s.symbol !== 'string') fail('venue and symbol must be strings');
  if (typeof s.maxId !== 'string') fail('maxId must be a string');
  const problems = validateCandleOptions(s.options);
  if (problems.length > 0) fail(problems.join('; '));
  const st = numbers(s.state) ?? fail('state must be an array of numbers');
  const k = s.options.intervals.length;
  const rowsAt = BOOK_SLOTS + k * HEADER_SLOTS;
  if (st.length < rowsAt || (st.length - rowsAt) % ROW_SLOTS !== 0)
    fail('state length is not a whole number of rows');
  const used = (st.length - rowsAt) / ROW_SLOTS;
  // Intervals are stored longest first, contiguously from row 0.
  let next = 0;
  for (let i = k - 1; i >= 0; i--) {
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const base = st[h + H_BASE]!;
    const count = st[h + H_COUNT]!;
    const closed = st[h + H_CLOSED]!;
    if (base !== next || !Number.isInteger(count) || count < 0 || !(closed >= 0 && closed <= count)) {
      fail(`interval ${s.options.intervals[i]} has an inconsistent header`);
    }
    next = base + count;
  }
  if (next !== used) fail(`headers account for ${next} rows, state holds ${used}`);
  if (s.ids !== null && (!Array.isArray(s.ids) || s.ids.length !== used * 2))
    fail('ids must hold 2 entries per row');
  return st;
}

function numbers(v: unknown): readonly number[] | null {
  if (!Array.isArray(v)) return null;
  for (const x of v as unknown[]) if (typeof x !== 'number') return null;
  return v as number[];
}
