/**
 * Slot layout of a candle book's single array of doubles: book scalars, then one
 * header per interval, then candle rows. Rows of one interval are contiguous
 * and in start order; intervals are stored longest first so that the busiest
 * one (the shortest) sits at the end and appends to it move nothing.
 */

/** Highest trade event time applied (-Infinity before the first trade). */
export const B_MAX_TS = 0;
/** Id key (see trade-id-key.ts) of the greatest trade so far; NaN until a tie needs it parsed. */
export const B_MAX_ID = 1;
/** Highest `now - closeDelayMs - idleCloseMs` seen by onTimer: ranges ending by then are closed. */
export const B_TIMER = 2;
/** Trades with ts below this are late. */
export const B_LATE_BOUND = 3;
/** Smallest end among open rows (Infinity when none): the close pass runs when the close bound reaches it. */
export const B_NEXT_CLOSE = 4;
/** Smallest end among closed rows (Infinity when none): the final pass runs when W - lateness reaches it. */
export const B_NEXT_FINAL = 5;
/** Arrival counter: one per addTrade call. */
export const B_ARRIVAL = 6;
export const B_LATE = 7;
export const B_REVISIONS = 8;
/** Number of book scalar slots. */
export const BOOK_SLOTS = 9;

/** Per-interval header, at BOOK_SLOTS + i * HEADER_SLOTS. */
export const H_BASE = 0; // first physical row
export const H_COUNT = 1; // rows held
export const H_CLOSED = 2; // leading rows already emitted closed
export const H_TAIL = 3; // start of the last row, NaN when there is none
export const H_DIRTY = 4; // largest start of an open row changed since flushOpen, -Infinity when none
export const HEADER_SLOTS = 5;

/** Row slots. Sums are three limbs (see exact-sum.ts): low at the slot, then middle, then high. */
export const R_OPEN = 0;
export const R_HIGH = 1;
export const R_LOW = 2;
export const R_CLOSE = 3;
export const R_FIRST_TS = 4; // also the open trade's ts; the row's start is derived from it
export const R_LAST_TS = 5;
export const R_OPEN_ID = 6; // id keys of the open and close trades (trade-id-key.ts)
/** NaN when the close is the book's greatest trade so far (only in a last row): its id is parsed on demand. */
export const R_CLOSE_ID = 7;
/** trades + revision * REVISION_UNIT. */
export const R_COUNT = 8;
export const R_NOTIONAL = 9;
export const R_BUY = 12;
export const R_SELL = 15;
export const R_UNKNOWN = 18;
export const ROW_SLOTS = 21;

/** Revision counter step inside R_COUNT (trades per candle stay below it). */
export const REVISION_UNIT = 4_294_967_296;
/**
 * Limbs are normalized whenever a candle's trade count is a multiple of 2^11:
 * each limb then stays below 2049 * 2^40, so three side sums add below 2^53 (exact-sum.ts).
 */
export const NORMALIZE_MASK = 0x7ff;
