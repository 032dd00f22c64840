import type { Candle, Interval, Trade } from '../../schemas/records.js';
import { INTERVAL_MS, SCHEMA_VERSION } from '../../schemas/records.js';
import * as bucket from './bucket.js';
import { CandleError } from './errors.js';
import * as exactSum from './exact-sum.js';
import * as layout from './layout.js';
import type { CandleListener } from './listener.js';
import type { CandleBookOptions } from './options.js';
import { validateCandleOptions } from './options.js';
import type { CandleBookSnapshot } from './snapshot.js';
import { CANDLE_SNAPSHOT_VERSION, readCandleSnapshot } from './snapshot.js';
import * as tradeIdKeys from './trade-id-key.js';

// Imported bindings are live module cells that the optimizing compiler reloads
// on every use; module-local consts are folded into the hot loop as constants.
const {
  B_ARRIVAL,
  B_LATE,
  B_LATE_BOUND,
  B_MAX_ID,
  B_MAX_TS,
  B_NEXT_CLOSE,
  B_NEXT_FINAL,
  B_REVISIONS,
  B_TIMER,
  BOOK_SLOTS,
  H_BASE,
  H_CLOSED,
  H_COUNT,
  H_DIRTY,
  H_TAIL,
  HEADER_SLOTS,
  NORMALIZE_MASK,
  R_BUY,
  R_CLOSE,
  R_CLOSE_ID,
  R_COUNT,
  R_FIRST_TS,
  R_HIGH,
  R_LAST_TS,
  R_LOW,
  R_NOTIONAL,
  R_OPEN,
  R_OPEN_ID,
  R_SELL,
  R_UNKNOWN,
  REVISION_UNIT,
  ROW_SLOTS,
} = layout;
const { LIMB, highPart, limbCarry, lowPart, midPart, readLimbs } = exactSum;
/** Weights of the high and middle limbs (exact-sum.ts). */
const HIGH = 65_536;
const MID = 2 ** -24;
const { compareIdKeys, tradeIdKey } = tradeIdKeys;
const { bucketStartBy } = bucket;

/** addTrade outcome: the trade updated open candles only. */
export const TRADE_APPLIED = 0;
/** addTrade outcome: the trade landed in a closed range, so at least one closed candle was emitted (revised or created). */
export const TRADE_REVISED = 1;
/** addTrade outcome: older than watermark - allowedLatenessMs; counted, no candle changed. The caller still stores it. */
export const TRADE_LATE = 2;

/** One of TRADE_APPLIED, TRADE_REVISED, TRADE_LATE. */
export type TradeOutcome = typeof TRADE_APPLIED | typeof TRADE_REVISED | typeof TRADE_LATE;

/**
 * Capacity policy of the packed array, so that rows closing and reopening
 * every second never reallocate it: grow by a row plus a sixteenth when full
 * (geometric, yet no slack at the ~9 rows a busy book settles at); shrink
 * only once more than SHRINK_FREE_ROWS rows are free and over a third of the
 * capacity: after a burst, or when a quiet symbol's book is back to its open
 * rows after a 15m or longer boundary (which would otherwise keep up to six
 * spare rows, a third of its memory, forever). A busy book's spare rows at
 * minute boundaries stay below that, so it does not reallocate.
 */
const SHRINK_FREE_ROWS = 3;

/** What books with the same interval list share, so a book holds no per-interval objects of its own. */
interface Shape {
  readonly intervals: readonly Interval[];
  readonly lens: readonly number[];
  /** 1 / lens[i]: bucket starts by multiplication (bucketStartBy). */
  readonly perLens: readonly number[];
  /** Index of the first row slot in the packed array. */
  readonly rowsAt: number;
}

const shapes = new Map<string, Shape>();

function shapeOf(intervals: readonly Interval[]): Shape {
  const key = intervals.join(',');
  let shape = shapes.get(key);
  if (shape === undefined) {
    // Not frozen: element loads from frozen arrays are slower in the hot loop.
    const list = intervals.slice();
    const lens = list.map((iv) => INTERVAL_MS[iv]);
    const perLens = lens.map((len) => 1 / len);
    shape = { intervals: list, lens, perLens, rowsAt: BOOK_SLOTS + list.length * HEADER_SLOTS };
    shapes.set(key, shape);
  }
  return shape;
}

/**
 * Multi-interval OHLCV candles of one (venue, symbol), in event time.
 *
 * Trades are bucketed per interval into UTC-aligned [start, end) candles.
 * The watermark W is the highest trade time seen minus `closeDelayMs`; a
 * candle closes when W reaches its end, or on `onTimer` once a quiet symbol's
 * candle ended `closeDelayMs + idleCloseMs` ago. A trade older than
 * W - `allowedLatenessMs` is late and changes nothing; a later one that lands
 * in a closed range revises (or creates) that closed candle and emits it
 * again. Closed candles stay revisable until W - `allowedLatenessMs` reaches
 * their end; then they are final (`onFinal`).
 *
 * Every candle's final content is a function of its set of trades only: sums
 * are exact (exact-sum.ts) and open/close are the trades with the smallest /
 * largest (ts, id, arrival), so in-order, shuffled and replayed input give the
 * same finals. Closes and finals of one step are emitted in (end, interval)
 * order, so the emitted sequence does not depend on how far W moves per trade.
 *
 * State is one array of doubles (layout.ts; a plain array holding only
 * doubles, PACKED_DOUBLE_ELEMENTS, which costs less per book than a typed
 * array and its ArrayBuffer) plus, only when a venue uses
 * non-numeric or long trade ids, an array of those ids. Not reentrant: a
 * listener must not feed the book it listens to.
 */
export class CandleBook {
  readonly venue: string;
  readonly symbol: string;
  private readonly options: CandleBookOptions;
  private readonly shape: Shape;
  private readonly listener: CandleListener;
  private readonly closeDelay: number;
  private readonly lateness: number;
  private f: number[];
  /** Per row, the open and close trade ids whose key is -1 (see trade-id-key.ts); null until one is. */
  private ids: (string | undefined)[] | null = null;
  /** Id of the greatest trade so far; rows may refer to it by a NaN close id key. */
  private maxId = '';
  /**
   * Wall-clock time (ms) of the latest addTrade that said when it arrived; -Infinity when none
   * did. Compared with onTimer's clock (see there). Not part of a snapshot: it describes this
   * process's input, not the candles.
   */
  private lastArrivalAt = Number.NEGATIVE_INFINITY;

  /** Throws a `TF_ERR_BAD_CANDLE_OPTIONS` CandleError when `opts` does not validate. */
  constructor(venue: string, symbol: string, opts: CandleBookOptions, listener: CandleListener) {
    const problems = validateCandleOptions(opts);
    if (problems.length > 0) {
      throw new CandleError('TF_ERR_BAD_CANDLE_OPTIONS', problems.join('; '), problems);
    }
    this.venue = venue;
    this.symbol = symbol;
    this.options = opts;
    this.shape = shapeOf(opts.intervals);
    this.listener = listener;
    this.closeDelay = opts.closeDelayMs;
    this.lateness = opts.allowedLatenessMs;
    const k = this.shape.lens.length;
    // No rows until the first trade: a symbol that never trades costs only its headers.
    const f = doubleZeros(this.shape.rowsAt);
    f[B_MAX_TS] = Number.NEGATIVE_INFINITY;
    f[B_MAX_ID] = -1;
    f[B_TIMER] = Number.NEGATIVE_INFINITY;
    f[B_LATE_BOUND] = Number.NEGATIVE_INFINITY;
    f[B_NEXT_CLOSE] = Number.POSITIVE_INFINITY;
    f[B_NEXT_FINAL] = Number.POSITIVE_INFINITY;
    for (let i = 0; i < k; i++) {
      const h = BOOK_SLOTS + i * HEADER_SLOTS;
      f[h + H_TAIL] = Number.NaN;
      f[h + H_DIRTY] = Number.NEGATIVE_INFINITY;
    }
    this.f = f;
  }

  /** Highest trade event time seen minus closeDelayMs; -Infinity before the first trade. */
  get watermark(): number {
    return this.f[B_MAX_TS]! - this.closeDelay;
  }

  /** trades: addTrade calls (the arrival counter); late: trades that changed nothing; revisions: revised candles emitted. */
  get stats(): { trades: number; late: number; revisions: number } {
    const f = this.f;
    return { trades: f[B_ARRIVAL]!, late: f[B_LATE]!, revisions: f[B_REVISIONS]! };
  }

  /**
   * Applies a trade (already validated by the caller) to every interval and
   * emits what it closed, revised or finalized. Returns TRADE_APPLIED,
   * TRADE_REVISED or TRADE_LATE. `now`, the wall clock at arrival, tells
   * `onTimer` that the symbol is not quiet.
   */
  addTrade(t: Trade, now?: number): TradeOutcome {
    if (now !== undefined) this.lastArrivalAt = now;
    let f = this.f;
    // Arrival order breaks (ts, id) ties; every incoming trade arrives after all
    // applied ones, so it wins close ties and loses open ties without storing it.
    f[B_ARRIVAL] = f[B_ARRIVAL]! + 1;
    const ts = t.ts;
    if (ts < f[B_LATE_BOUND]!) {
      f[B_LATE] = f[B_LATE]! + 1;
      return TRADE_LATE;
    }
    const price = t.price;
    const size = t.size;
    const id = t.id;
    const maxTs = f[B_MAX_TS]!;
    // The greatest trade so far is the close of every candle it lands in. Its id
    // is parsed only on a tie in time (NaN: not parsed).
    let key = Number.NaN;
    let newest = ts > maxTs;
    if (ts === maxTs) {
      key = tradeIdKey(id);
      newest = this.compareWithMax(key, id) >= 0;
    }
    // Limbs of the size and the notional (exact-sum.ts, inlined: no tuple per trade).
    const s2 = highPart(size);
    let rest = size - s2 * HIGH;
    const s1 = midPart(rest);
    const s0 = lowPart(rest - s1 * MID);
    const notional = price * size;
    const n2 = highPart(notional);
    rest = notional - n2 * HIGH;
    const n1 = midPart(rest);
    const n0 = lowPart(rest - n1 * MID);
    const side = t.side;
    const sideSlot = side === 'buy' ? R_BUY : side === 'sell' ? R_SELL : R_UNKNOWN;
    const lens = this.shape.lens;
    const rowsAt = this.shape.rowsAt;
    const k = lens.length;
    let outcome: TradeOutcome = TRADE_APPLIED;
    for (let i = 0; i < k; i++) {
      const h = BOOK_SLOTS + i * HEADER_SLOTS;
      const tail = f[h + H_TAIL]!;
      const r = (f[h + H_COUNT]! - 1) | 0;
      // Fast path, the streaming case: the greatest trade so far, in the open last candle.
      if (newest && ts >= tail && ts < tail + lens[i]! && r >= f[h + H_CLOSED]!) {
        const o = (rowsAt + (f[h + H_BASE]! + r) * ROW_SLOTS) | 0;
        f[o + R_CLOSE] = price;
        f[o + R_LAST_TS] = ts;
        // NaN: "the greatest trade's id", parsed only if a tie ever needs it.
        f[o + R_CLOSE_ID] = Number.NaN;
        if (price > f[o + R_HIGH]!) f[o + R_HIGH] = price;
        else if (price < f[o + R_LOW]!) f[o + R_LOW] = price;
        const count = f[o + R_COUNT]! + 1;
        f[o + R_COUNT] = count;
        f[o + R_NOTIONAL] = f[o + R_NOTIONAL]! + n0;
        f[o + R_NOTIONAL + 1] = f[o + R_NOTIONAL + 1]! + n1;
        f[o + R_NOTIONAL + 2] = f[o + R_NOTIONAL + 2]! + n2;
        f[o + sideSlot] = f[o + sideSlot]! + s0;
        f[o + sideSlot + 1] = f[o + sideSlot + 1]! + s1;
        f[o + sideSlot + 2] = f[o + sideSlot + 2]! + s2;
        // Limbs stay exact for 2^12 additions; renormalize well before.
        if ((count & NORMALIZE_MASK) === 0) normalizeRow(f, o);
        if (tail > f[h + H_DIRTY]!) f[h + H_DIRTY] = tail;
      } else {
        if (this.applyAt(i, ts, price, id, newest, n0, n1, n2, sideSlot, s0, s1, s2)) outcome = TRADE_REVISED;
        // A new row may have reallocated the array.
        f = this.f;
      }
    }
    if (newest) {
      f[B_MAX_TS] = ts;
      f[B_MAX_ID] = key;
      this.maxId = id;
    }
    const w = f[B_MAX_TS]! - this.closeDelay;
    const bound = Math.max(w, f[B_TIMER]!);
    if (bound >= f[B_NEXT_CLOSE]!) this.closeUpTo(bound);
    const limit = w - this.lateness;
    // closeUpTo never reallocates; finalUpTo may, and comes last.
    if (limit > f[B_LATE_BOUND]!) f[B_LATE_BOUND] = limit;
    if (limit >= f[B_NEXT_FINAL]!) this.finalUpTo(limit);
    return outcome;
  }

  /**
   * Timer tick (`now` in ms, injected): once the symbol is quiet, closes every
   * open candle with end + closeDelayMs + idleCloseMs <= now. Does not move the
   * watermark, so it finalizes nothing; a later trade in a range it closed
   * revises or creates a closed candle.
   *
   * Quiet means `now` has passed the arrival of its latest trade (addTrade's
   * wall clock) + idleCloseMs. The engine's `now` is its partition's clock:
   * the wall clock when live, so quiet is "no trade for idleCloseMs"; behind
   * it while a backlog drains, so a symbol fed during the catch-up is not
   * timer-closed before the partition has caught up to that arrival, and its
   * watermark closes its candles meanwhile. bench/engine, 400k backlogged
   * framed trades: 0 revisions this way, 13-19k with quiet measured on the
   * wall clock alone, 20-31k with arrivals stamped on the partition clock
   * (frames reorder trades across symbols).
   */
  onTimer(now: number): void {
    if (now - this.lastArrivalAt < this.options.idleCloseMs) return;
    const f = this.f;
    const tb = now - this.closeDelay - this.options.idleCloseMs;
    if (tb > f[B_TIMER]!) f[B_TIMER] = tb;
    const bound = this.closedBound();
    if (bound >= f[B_NEXT_CLOSE]!) this.closeUpTo(bound);
  }

  /**
   * End of input (backfill, replay): closes every open candle, then finalizes
   * every retained one, in (end, interval) order. Afterwards a trade before the
   * end of the latest finalized candle is late.
   */
  closeAll(): void {
    this.closeUpTo(Number.POSITIVE_INFINITY);
    this.finalUpTo(Number.POSITIVE_INFINITY);
    const f = this.f;
    for (let i = 0; i < this.shape.lens.length; i++) f[BOOK_SLOTS + i * HEADER_SLOTS + H_DIRTY] = -Infinity;
  }

  /**
   * Emits the open candles (closed: false) that changed since the last call,
   * one per interval, shortest first: per interval, the latest open candle
   * that changed, if it is still open. They go to `out`, or without it to the
   * listener's `onOpen` (which spares a caller a closure of its own). With
   * `intervals`, only the first that many (the shortest); the others stay
   * pending for a later call.
   */
  flushOpen(out?: (c: Candle) => void, intervals = this.shape.lens.length): void {
    const lens = this.shape.lens;
    const rowsAt = this.shape.rowsAt;
    const n = Math.min(intervals, lens.length);
    for (let i = 0; i < n; i++) {
      const f = this.f;
      const h = BOOK_SLOTS + i * HEADER_SLOTS;
      const d = f[h + H_DIRTY]!;
      if (d === Number.NEGATIVE_INFINITY) continue;
      f[h + H_DIRTY] = Number.NEGATIVE_INFINITY;
      const len = lens[i]!;
      const base = f[h + H_BASE]!;
      const closed = f[h + H_CLOSED]!;
      for (let p = f[h + H_COUNT]! - 1; p >= closed; p--) {
        const o = rowsAt + (base + p) * ROW_SLOTS;
        const ft = f[o + R_FIRST_TS]!;
        if (ft < d) break;
        if (ft < d + len) {
          const c = this.candleAt(i, o, false);
          if (out !== undefined) out(c);
          else this.listener.onOpen?.(c, i);
          break;
        }
      }
    }
  }

  /** True when an interval from index `from` on has an open-candle update that flushOpen has not emitted. */
  hasPendingOpen(from = 0): boolean {
    const f = this.f;
    for (let i = from; i < this.shape.lens.length; i++) {
      if (f[BOOK_SLOTS + i * HEADER_SLOTS + H_DIRTY]! !== Number.NEGATIVE_INFINITY) return true;
    }
    return false;
  }

  /** The latest open candle of interval index i (fresh object), or null when none (or i is out of range). */
  openCandle(i: number): Candle | null {
    if (!this.hasInterval(i)) return null;
    const f = this.f;
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const count = f[h + H_COUNT]!;
    if (count <= f[h + H_CLOSED]!) return null;
    return this.candleAt(i, this.shape.rowsAt + (f[h + H_BASE]! + count - 1) * ROW_SLOTS, false);
  }

  /**
   * Closed candles of interval index i still within the revision horizon, in
   * start order (fresh objects). Inside onFinal, the candle being finalized is
   * no longer listed.
   */
  retained(i: number): Candle[] {
    const out: Candle[] = [];
    if (!this.hasInterval(i)) return out;
    const f = this.f;
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const base = f[h + H_BASE]!;
    const closed = f[h + H_CLOSED]!;
    for (let p = 0; p < closed; p++) {
      out.push(this.candleAt(i, this.shape.rowsAt + (base + p) * ROW_SLOTS, true));
    }
    return out;
  }

  /** How many closed candles of interval index i are still within the revision horizon (0 when i is out of range). */
  retainedCount(i: number): number {
    if (!this.hasInterval(i)) return 0;
    return this.f[BOOK_SLOTS + i * HEADER_SLOTS + H_CLOSED]!;
  }

  /**
   * Writes the k-th retained closed candle of interval index i (start order,
   * k < retainedCount(i)) into `into`, every field, and returns it: the
   * allocation-free form of `retained(i)[k]` for callers that replay
   * candles through a reused object.
   */
  fillRetained(i: number, k: number, into: Candle): Candle {
    if (!(this.hasInterval(i) && Number.isInteger(k) && k >= 0 && k < this.retainedCount(i))) {
      throw new RangeError(`no retained candle ${k} for interval index ${i}`);
    }
    const o = this.shape.rowsAt + (this.f[BOOK_SLOTS + i * HEADER_SLOTS + H_BASE]! + k) * ROW_SLOTS;
    const f = this.f;
    const len = this.shape.lens[i]!;
    const firstTs = f[o + R_FIRST_TS]!;
    const start = bucketStartBy(firstTs, len, this.shape.perLens[i]!);
    const count = f[o + R_COUNT]!;
    const revision = Math.floor(count / REVISION_UNIT);
    const volume = readLimbs(
      f[o + R_BUY]! + f[o + R_SELL]! + f[o + R_UNKNOWN]!,
      f[o + R_BUY + 1]! + f[o + R_SELL + 1]! + f[o + R_UNKNOWN + 1]!,
      f[o + R_BUY + 2]! + f[o + R_SELL + 2]! + f[o + R_UNKNOWN + 2]!,
    );
    const notional = readLimbs(f[o + R_NOTIONAL]!, f[o + R_NOTIONAL + 1]!, f[o + R_NOTIONAL + 2]!);
    const close = f[o + R_CLOSE]!;
    into.v = SCHEMA_VERSION;
    into.type = 'candle';
    into.venue = this.venue;
    into.symbol = this.symbol;
    into.interval = this.shape.intervals[i]!;
    into.start = start;
    into.end = start + len;
    into.open = f[o + R_OPEN]!;
    into.high = f[o + R_HIGH]!;
    into.low = f[o + R_LOW]!;
    into.close = close;
    into.volume = volume;
    into.notional = notional;
    into.vwap = volume === 0 ? close : notional / volume;
    into.trades = count - revision * REVISION_UNIT;
    into.buyVolume = readLimbs(f[o + R_BUY]!, f[o + R_BUY + 1]!, f[o + R_BUY + 2]!);
    into.sellVolume = readLimbs(f[o + R_SELL]!, f[o + R_SELL + 1]!, f[o + R_SELL + 2]!);
    into.firstTradeTs = firstTs;
    into.lastTradeTs = f[o + R_LAST_TS]!;
    into.closed = true;
    into.revision = revision;
    return into;
  }

  /** Plain-data image of the book; `CandleBook.restore` continues exactly where this left off. */
  snapshot(): CandleBookSnapshot {
    const used = this.usedRows();
    const o = this.options;
    let ids: (string | null)[] | null = null;
    if (this.ids !== null) {
      ids = new Array<string | null>(used * 2);
      for (let j = 0; j < used * 2; j++) ids[j] = this.ids[j] ?? null;
    }
    return {
      v: CANDLE_SNAPSHOT_VERSION,
      venue: this.venue,
      symbol: this.symbol,
      options: {
        intervals: o.intervals.slice(),
        closeDelayMs: o.closeDelayMs,
        allowedLatenessMs: o.allowedLatenessMs,
        idleCloseMs: o.idleCloseMs,
      },
      state: this.f.slice(0, this.shape.rowsAt + used * ROW_SLOTS),
      ids,
      maxId: this.maxId,
    };
  }

  /** Rebuilds a book from `snapshot()`; throws a `TF_ERR_CANDLE_SNAPSHOT` CandleError when it is malformed. */
  static restore(s: CandleBookSnapshot, listener: CandleListener): CandleBook {
    const state = readCandleSnapshot(s);
    const b = new CandleBook(s.venue, s.symbol, s.options, listener);
    const used = (state.length - b.shape.rowsAt) / ROW_SLOTS;
    const rows = Math.max(b.shape.lens.length, used + 1);
    // Copied element by element into a fresh double array: msgpack decodes whole numbers as SMIs.
    const f = doubleZeros(b.shape.rowsAt + rows * ROW_SLOTS);
    for (let j = 0; j < state.length; j++) f[j] = state[j]!;
    b.f = f;
    if (s.ids !== null) {
      const ids = new Array<string | undefined>(rows * 2);
      for (let j = 0; j < s.ids.length; j++) ids[j] = s.ids[j] ?? undefined;
      b.ids = ids;
    }
    b.maxId = s.maxId;
    return b;
  }

  /**
   * The general case of applying a trade to interval i: any row, new or
   * existing, open or closed. Returns true when it emitted a closed candle.
   */
  private applyAt(
    i: number,
    ts: number,
    price: number,
    id: string,
    newest: boolean,
    n0: number,
    n1: number,
    n2: number,
    sideSlot: number,
    s0: number,
    s1: number,
    s2: number,
  ): boolean {
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const len = this.shape.lens[i]!;
    const key = tradeIdKey(id);
    const s = bucketStartBy(ts, len, this.shape.perLens[i]!);
    let r = this.findRow(i, s);
    const fresh = r < 0;
    if (fresh) {
      // The last row may hold the greatest trade as its close by reference;
      // pin that id down before another trade becomes the greatest.
      if (newest) this.pinTailClose(i);
      r = this.insertRow(i, -r - 1, s);
    }
    const f = this.f;
    const phys = f[h + H_BASE]! + r;
    const o = this.shape.rowsAt + phys * ROW_SLOTS;
    if (fresh) {
      f[o + R_OPEN] = price;
      f[o + R_HIGH] = price;
      f[o + R_LOW] = price;
      f[o + R_CLOSE] = price;
      f[o + R_FIRST_TS] = ts;
      f[o + R_LAST_TS] = ts;
      f[o + R_COUNT] = 1;
      f[o + R_NOTIONAL] = n0;
      f[o + R_NOTIONAL + 1] = n1;
      f[o + R_NOTIONAL + 2] = n2;
      for (let j = o + R_BUY; j < o + ROW_SLOTS; j++) f[j] = 0;
      f[o + sideSlot] = s0;
      f[o + sideSlot + 1] = s1;
      f[o + sideSlot + 2] = s2;
      this.setRowId(o, phys, R_OPEN_ID, key, id);
      this.setRowId(o, phys, R_CLOSE_ID, key, id);
    } else {
      if (newest || this.compareWithRow(key, id, o, phys, R_CLOSE_ID, f[o + R_LAST_TS]!, ts) >= 0) {
        f[o + R_CLOSE] = price;
        f[o + R_LAST_TS] = ts;
        this.setRowId(o, phys, R_CLOSE_ID, key, id);
      }
      // The greatest trade so far cannot be an existing candle's open.
      if (!newest && this.compareWithRow(key, id, o, phys, R_OPEN_ID, f[o + R_FIRST_TS]!, ts) < 0) {
        f[o + R_OPEN] = price;
        f[o + R_FIRST_TS] = ts;
        this.setRowId(o, phys, R_OPEN_ID, key, id);
      }
      if (price > f[o + R_HIGH]!) f[o + R_HIGH] = price;
      if (price < f[o + R_LOW]!) f[o + R_LOW] = price;
      const count = f[o + R_COUNT]! + 1;
      f[o + R_COUNT] = count;
      f[o + R_NOTIONAL] = f[o + R_NOTIONAL]! + n0;
      f[o + R_NOTIONAL + 1] = f[o + R_NOTIONAL + 1]! + n1;
      f[o + R_NOTIONAL + 2] = f[o + R_NOTIONAL + 2]! + n2;
      f[o + sideSlot] = f[o + sideSlot]! + s0;
      f[o + sideSlot + 1] = f[o + sideSlot + 1]! + s1;
      f[o + sideSlot + 2] = f[o + sideSlot + 2]! + s2;
      if ((count & NORMALIZE_MASK) === 0) normalizeRow(f, o);
    }
    if (r < f[h + H_CLOSED]!) {
      if (!fresh) {
        f[o + R_COUNT] = f[o + R_COUNT]! + REVISION_UNIT;
        f[B_REVISIONS] = f[B_REVISIONS]! + 1;
      }
      this.listener.onClosed(this.candleAt(i, o, true), i);
      return true;
    }
    if (s > f[h + H_DIRTY]!) f[h + H_DIRTY] = s;
    return false;
  }

  /** Key of the greatest trade so far, parsed on first need. */
  private maxKey(): number {
    const f = this.f;
    let k = f[B_MAX_ID]!;
    if (Number.isNaN(k)) {
      k = tradeIdKey(this.maxId);
      f[B_MAX_ID] = k;
    }
    return k;
  }

  /** Orders a trade's id against the greatest trade's. */
  private compareWithMax(key: number, id: string): number {
    return compareIdKeys(key, id, this.maxKey(), this.maxId);
  }

  /** Orders a trade (ts, id) against a row's open or close trade (its ts and the id in slot `slot`). */
  private compareWithRow(
    key: number,
    id: string,
    o: number,
    phys: number,
    slot: number,
    rowTs: number,
    ts: number,
  ): number {
    if (ts !== rowTs) return ts < rowTs ? -1 : 1;
    const rowKey = this.f[o + slot]!;
    if (Number.isNaN(rowKey)) return this.compareWithMax(key, id);
    return compareIdKeys(key, id, rowKey, this.idAt(phys * 2 + (slot === R_OPEN_ID ? 0 : 1)));
  }

  /** Resolves a by-reference close id (NaN) in interval i's last row to the greatest trade's id. */
  private pinTailClose(i: number): void {
    const f = this.f;
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const count = f[h + H_COUNT]!;
    if (count === 0) return;
    const phys = f[h + H_BASE]! + count - 1;
    const o = this.shape.rowsAt + phys * ROW_SLOTS;
    if (Number.isNaN(f[o + R_CLOSE_ID]!)) this.setRowId(o, phys, R_CLOSE_ID, this.maxKey(), this.maxId);
  }

  /** Stores an id key in a row slot, keeping the string aside when the key is -1. */
  private setRowId(o: number, phys: number, slot: number, key: number, id: string): void {
    this.f[o + slot] = key;
    const j = phys * 2 + (slot === R_OPEN_ID ? 0 : 1);
    if (key < 0) {
      if (this.ids === null) {
        this.ids = new Array<string | undefined>(((this.f.length - this.shape.rowsAt) / ROW_SLOTS) * 2);
      }
      this.ids[j] = id;
    } else if (this.ids !== null) {
      this.ids[j] = undefined;
    }
  }

  private hasInterval(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.shape.lens.length;
  }

  private closedBound(): number {
    const f = this.f;
    const w = f[B_MAX_TS]! - this.closeDelay;
    const timer = f[B_TIMER]!;
    return Math.max(w, timer);
  }

  private usedRows(): number {
    // Interval 0 is stored last.
    const f = this.f;
    return f[BOOK_SLOTS + H_BASE]! + f[BOOK_SLOTS + H_COUNT]!;
  }

  private rowEnd(i: number, phys: number): number {
    const len = this.shape.lens[i]!;
    const f = this.f;
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    // The last row's start is kept in the header: no bucket computation for the common case.
    if (phys === f[h + H_BASE]! + f[h + H_COUNT]! - 1) return f[h + H_TAIL]! + len;
    return (
      bucketStartBy(this.f[this.shape.rowsAt + phys * ROW_SLOTS + R_FIRST_TS]!, len, this.shape.perLens[i]!) +
      len
    );
  }

  /** Index of interval i's row starting at s, or -(insertion index + 1). */
  private findRow(i: number, s: number): number {
    const f = this.f;
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const len = this.shape.lens[i]!;
    const base = f[h + H_BASE]!;
    const rowsAt = this.shape.rowsAt;
    let p = f[h + H_COUNT]!;
    while (p > 0) {
      const ft = f[rowsAt + (base + p - 1) * ROW_SLOTS + R_FIRST_TS]!;
      if (ft < s) break;
      if (ft < s + len) return p - 1;
      p--;
    }
    return -p - 1;
  }

  /** Makes room for a row of interval i at index p (start s) and accounts for it; the caller fills it. */
  private insertRow(i: number, p: number, s: number): number {
    const rowsAt = this.shape.rowsAt;
    const used = this.usedRows();
    if (rowsAt + used * ROW_SLOTS >= this.f.length) {
      // The first trade opens a row per interval: make room for all of them at once.
      this.resize(Math.max(this.shape.lens.length, used + 1 + (used >> 4)));
    }
    const f = this.f;
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const q = f[h + H_BASE]! + p;
    if (q < used) this.moveRows(q + 1, q, used - q);
    // Intervals with a smaller index are stored after this one.
    for (let j = 0; j < i; j++) {
      const hj = BOOK_SLOTS + j * HEADER_SLOTS;
      f[hj + H_BASE] = f[hj + H_BASE]! + 1;
    }
    const count = f[h + H_COUNT]!;
    f[h + H_COUNT] = count + 1;
    if (p === count) f[h + H_TAIL] = s;
    const end = s + this.shape.lens[i]!;
    if (end <= this.closedBound()) {
      // A range that is already closed: every earlier row is closed too, so p <= H_CLOSED.
      f[h + H_CLOSED] = f[h + H_CLOSED]! + 1;
      if (end < f[B_NEXT_FINAL]!) f[B_NEXT_FINAL] = end;
    } else if (end < f[B_NEXT_CLOSE]!) {
      f[B_NEXT_CLOSE] = end;
    }
    return p;
  }

  /** Moves n rows (and their ids) from physical row src to dst; ranges may overlap. */
  private moveRows(dst: number, src: number, n: number): void {
    const f = this.f;
    const rowsAt = this.shape.rowsAt;
    const to = rowsAt + dst * ROW_SLOTS;
    const from = rowsAt + src * ROW_SLOTS;
    const len = n * ROW_SLOTS;
    // A plain loop: Array.prototype.copyWithin is the generic, slow one on plain arrays.
    if (to < from) for (let j = 0; j < len; j++) f[to + j] = f[from + j]!;
    else for (let j = len - 1; j >= 0; j--) f[to + j] = f[from + j]!;
    if (this.ids !== null) this.ids.copyWithin(dst * 2, src * 2, (src + n) * 2);
  }

  /** Reallocates the packed array (and ids) to hold `rows` rows, at exactly that capacity. */
  private resize(rows: number): void {
    const keep = this.shape.rowsAt + this.usedRows() * ROW_SLOTS;
    const g = doubleZeros(this.shape.rowsAt + rows * ROW_SLOTS);
    const f = this.f;
    for (let j = 0; j < keep; j++) g[j] = f[j]!;
    this.f = g;
    if (this.ids !== null) this.ids.length = rows * 2;
  }

  private idAt(j: number): string {
    return this.ids === null ? '' : (this.ids[j] ?? '');
  }

  /** Emits, in (end, interval) order, every open candle whose end is <= bound as closed. */
  private closeUpTo(bound: number): void {
    const f = this.f;
    const k = this.shape.lens.length;
    // Thresholds are kept up to date here rather than recomputed after: the
    // last scan sees every open row's end, and a closed row can only lower
    // the next final.
    let nextFinal = f[B_NEXT_FINAL]!;
    for (;;) {
      let best = -1;
      let bestEnd = Number.POSITIVE_INFINITY;
      let nextClose = Number.POSITIVE_INFINITY;
      for (let i = 0; i < k; i++) {
        const h = BOOK_SLOTS + i * HEADER_SLOTS;
        const c = f[h + H_CLOSED]!;
        if (c >= f[h + H_COUNT]!) continue;
        const e = this.rowEnd(i, f[h + H_BASE]! + c);
        if (e < nextClose) nextClose = e;
        if (e <= bound && e < bestEnd) {
          best = i;
          bestEnd = e;
        }
      }
      if (best < 0) {
        f[B_NEXT_CLOSE] = nextClose;
        break;
      }
      if (bestEnd < nextFinal) nextFinal = bestEnd;
      const h = BOOK_SLOTS + best * HEADER_SLOTS;
      const c = f[h + H_CLOSED]!;
      f[h + H_CLOSED] = c + 1;
      this.listener.onClosed(
        this.candleAt(best, this.shape.rowsAt + (f[h + H_BASE]! + c) * ROW_SLOTS, true),
        best,
      );
    }
    f[B_NEXT_FINAL] = nextFinal;
  }

  /** Passes, in (end, interval) order, every closed candle whose end is <= limit to onFinal, dropping each first. */
  private finalUpTo(limit: number): void {
    const k = this.shape.lens.length;
    // The last scan sees every closed interval's first row: the next final.
    // Finals only drop closed rows, so the next close is unchanged.
    let nextFinal = Number.POSITIVE_INFINITY;
    for (;;) {
      const f = this.f;
      let best = -1;
      let bestEnd = Number.POSITIVE_INFINITY;
      nextFinal = Number.POSITIVE_INFINITY;
      for (let i = 0; i < k; i++) {
        const h = BOOK_SLOTS + i * HEADER_SLOTS;
        if (f[h + H_CLOSED]! === 0) continue;
        const e = this.rowEnd(i, f[h + H_BASE]!);
        if (e < nextFinal) nextFinal = e;
        if (e <= limit && e < bestEnd) {
          best = i;
          bestEnd = e;
        }
      }
      if (best < 0) break;
      // Nothing may change a final candle: after closeAll this makes its range late.
      if (bestEnd > f[B_LATE_BOUND]!) f[B_LATE_BOUND] = bestEnd;
      const h = BOOK_SLOTS + best * HEADER_SLOTS;
      const listener = this.listener;
      if (listener.needsFinal !== undefined && !listener.needsFinal(best)) {
        this.dropFirstRow(best);
        continue;
      }
      const c = this.candleAt(best, this.shape.rowsAt + f[h + H_BASE]! * ROW_SLOTS, true);
      // Dropped before the call, so `retained` no longer lists it inside onFinal.
      this.dropFirstRow(best);
      listener.onFinal(c, best);
    }
    const used = this.usedRows();
    const free = (this.f.length - this.shape.rowsAt) / ROW_SLOTS - used;
    if (free > SHRINK_FREE_ROWS && 2 * free > used) {
      this.resize(Math.max(this.shape.lens.length, used + (used >> 2) + 1));
    }
    this.f[B_NEXT_FINAL] = nextFinal;
  }

  /** Removes interval i's first row (a closed one) and closes the gap. */
  private dropFirstRow(i: number): void {
    const f = this.f;
    const h = BOOK_SLOTS + i * HEADER_SLOTS;
    const used = this.usedRows();
    const base = f[h + H_BASE]!;
    if (base + 1 < used) this.moveRows(base, base + 1, used - base - 1);
    if (this.ids !== null) {
      this.ids[(used - 1) * 2] = undefined;
      this.ids[(used - 1) * 2 + 1] = undefined;
    }
    // Intervals with a smaller index are stored after this one.
    for (let j = 0; j < i; j++) {
      const hj = BOOK_SLOTS + j * HEADER_SLOTS;
      f[hj + H_BASE] = f[hj + H_BASE]! - 1;
    }
    const count = f[h + H_COUNT]! - 1;
    f[h + H_COUNT] = count;
    f[h + H_CLOSED] = f[h + H_CLOSED]! - 1;
    if (count === 0) f[h + H_TAIL] = Number.NaN;
  }

  private candleAt(i: number, o: number, closed: boolean): Candle {
    const f = this.f;
    const len = this.shape.lens[i]!;
    const firstTs = f[o + R_FIRST_TS]!;
    const start = bucketStartBy(firstTs, len, this.shape.perLens[i]!);
    const count = f[o + R_COUNT]!;
    const revision = Math.floor(count / REVISION_UNIT);
    // Side limbs stay below 2^51 (layout.ts NORMALIZE_MASK), so three add exactly.
    const volume = readLimbs(
      f[o + R_BUY]! + f[o + R_SELL]! + f[o + R_UNKNOWN]!,
      f[o + R_BUY + 1]! + f[o + R_SELL + 1]! + f[o + R_UNKNOWN + 1]!,
      f[o + R_BUY + 2]! + f[o + R_SELL + 2]! + f[o + R_UNKNOWN + 2]!,
    );
    const notional = readLimbs(f[o + R_NOTIONAL]!, f[o + R_NOTIONAL + 1]!, f[o + R_NOTIONAL + 2]!);
    const close = f[o + R_CLOSE]!;
    return {
      v: SCHEMA_VERSION,
      type: 'candle',
      venue: this.venue,
      symbol: this.symbol,
      interval: this.shape.intervals[i]!,
      start,
      end: start + len,
      open: f[o + R_OPEN]!,
      high: f[o + R_HIGH]!,
      low: f[o + R_LOW]!,
      close,
      volume,
      notional,
      vwap: volume === 0 ? close : notional / volume,
      trades: count - revision * REVISION_UNIT,
      buyVolume: readLimbs(f[o + R_BUY]!, f[o + R_BUY + 1]!, f[o + R_BUY + 2]!),
      sellVolume: readLimbs(f[o + R_SELL]!, f[o + R_SELL + 1]!, f[o + R_SELL + 2]!),
      firstTradeTs: firstTs,
      lastTradeTs: f[o + R_LAST_TS]!,
      closed,
      revision,
    };
  }
}

/** Moves the carries of a row's four sums up their limbs, leaving the low and middle limbs in [0, 2^40). */
function normalizeRow(f: number[], o: number): void {
  for (let slot = o + R_NOTIONAL; slot <= o + R_UNKNOWN; slot += 3) {
    let carry = limbCarry(f[slot]!);
    f[slot] = f[slot]! - carry * LIMB;
    const mid = f[slot + 1]! + carry;
    carry = limbCarry(mid);
    f[slot + 1] = mid - carry * LIMB;
    f[slot + 2] = f[slot + 2]! + carry;
  }
}

/** Shared zeros (doubles, never written) that `doubleZeros` slices from; grows to the longest request. */
let zeros: number[] = [];

/**
 * A plain array of n zeros that holds doubles (PACKED_DOUBLE_ELEMENTS) at
 * exactly its length, in one allocation: a slice of a shared array built by
 * push from a double, so it is never SMI or holey.
 */
function doubleZeros(n: number): number[] {
  if (zeros.length < n) {
    const z: number[] = [];
    const len = Math.max(n, zeros.length * 2);
    for (let j = 0; j < len; j++) z.push(0.5);
    for (let j = 0; j < len; j++) z[j] = 0;
    zeros = z;
  }
  return zeros.slice(0, n);
}
