import type { Alert, Candle, IndicatorSnapshot, Interval, Quote, Trade } from '../schemas/records.js';
import { SCHEMA_VERSION } from '../schemas/records.js';
import type { ReasonCode } from '../schemas/validation.js';
import { REASON_OK, validateQuote, validateTrade } from '../schemas/validation.js';
import type { AnomalySnapshot } from './anomalies/index.js';
import { AnomalyDetectors } from './anomalies/index.js';
import type { CandleBookSnapshot, CandleListener } from './candles.js';
import { CandleBook, TRADE_LATE } from './candles.js';
import type { ActorConfig } from './config.js';
import type { IndicatorState } from './indicators/index.js';
import { doubleZeros, IndicatorProgram } from './indicators/index.js';

/** Where an actor's outputs go. Objects passed in are fresh; the sink may keep them. */
export interface ActorSink {
  /** Every candle update: open (closed: false), closed (revision 0) and revised (revision > 0). */
  candle(c: Candle): void;
  /** Indicator values after each closed or revised candle, and live ones over the open candle. */
  indicator(s: IndicatorSnapshot): void;
  alert(a: Alert): void;
  /**
   * Optional: a candle became final (it can never be revised again), with the
   * final indicator values at it (null where the interval has no indicators).
   * Backfill writes only these; the live engine usually leaves it out.
   */
  final?(c: Candle, indicators: IndicatorSnapshot | null): void;
}

/** Result of offering a record to an actor: accepted, accepted but too late to change candles, or rejected. */
export type ActorOutcome = 'ok' | 'late' | ReasonCode;

/** Plain-data image of an actor's state, for snapshots in NATS KV. */
export interface ActorSnapshot {
  venue: string;
  symbol: string;
  book: CandleBookSnapshot;
  /** Committed indicator state per candle interval index (plain numbers, msgpack-safe); null where none. */
  indicators: (number[] | null)[];
  anomalies: AnomalySnapshot;
}

/** A snapshot does not fit this deployment's actor config. */
export class ActorSnapshotError extends Error {
  readonly code = 'TF_ERR_ACTOR_SNAPSHOT';
}

/**
 * Compiled, shared part of a deployment's actors: the indicator program,
 * the layout of a symbol's indicator states and the scratch space are built
 * once and used by every symbol, which keeps a symbol's own state to its
 * candle book, one array of committed indicator states and detector state.
 */
export class ActorFactory {
  readonly config: ActorConfig;
  readonly program: IndicatorProgram;
  /** Candle interval index -> whether indicators run on it. */
  readonly indicatorOn: readonly boolean[];
  /** A state with no candles pushed: what an interval's committed state is until its first final candle. */
  readonly freshState: IndicatorState;
  readonly intervalIndex: ReadonlyMap<Interval, number>;
  /** Index of the interval whose closed candles feed the volume-spike detector, or -1. */
  readonly volumeIntervalIndex: number;
  /** Shared scratch state: committed state + still-revisable candles are replayed here before reading. */
  readonly scratch: IndicatorState;
  /** Shared candle the retained candles are read into while replaying (never handed out). */
  readonly replayCandle: Candle;
  /** One alert callback per sink, shared by every actor writing to it (a closure per actor costs memory). */
  private readonly alertEmitters = new WeakMap<ActorSink, (a: Alert) => void>();

  constructor(config: ActorConfig) {
    this.config = config;
    this.program = new IndicatorProgram(config.indicators);
    this.scratch = this.program.newState();
    const index = new Map<Interval, number>();
    const on: boolean[] = [];
    const intervals = config.candles.intervals;
    for (let i = 0; i < intervals.length; i++) {
      const iv = intervals[i]!;
      index.set(iv, i);
      const used = config.indicators.length > 0 && config.indicatorIntervals.includes(iv);
      on.push(used);
    }
    this.intervalIndex = index;
    this.indicatorOn = on;
    this.freshState = this.program.newState();
    const vs = config.anomalies.volumeSpike;
    this.volumeIntervalIndex = vs.enabled ? (index.get(vs.interval) ?? -1) : -1;
    this.replayCandle = {
      v: SCHEMA_VERSION,
      type: 'candle',
      venue: '',
      symbol: '',
      interval: intervals[0] ?? '1m',
      start: 0,
      end: 0,
      open: 0,
      high: 0,
      low: 0,
      close: 0,
      volume: 0,
      notional: 0,
      vwap: 0,
      trades: 0,
      buyVolume: 0,
      sellVolume: 0,
      firstTradeTs: 0,
      lastTradeTs: 0,
      closed: true,
      revision: 0,
    };
  }

  /**
   * Committed indicator states of one symbol, in one plain double array (no
   * typed array, buffer or views per symbol). Slot i (one per candle
   * interval) holds the offset of interval i's state in the same array, or -1
   * while it has none: a state is appended on the interval's first final
   * candle (`commitSlice`), so a young or quiet symbol does not carry the
   * states of intervals that have not completed a candle yet. States saved in
   * a snapshot are restored in place.
   * @throws ActorSnapshotError when a saved state has the wrong length.
   */
  newIndicatorStates(from: readonly (readonly number[] | null)[] | null): IndicatorState {
    const k = this.indicatorOn.length;
    const size = this.program.stateSize;
    let slices = 0;
    for (let i = 0; i < k; i++) {
      const saved = from?.[i];
      if (!this.indicatorOn[i] || !saved) continue;
      if (saved.length !== size) {
        throw new ActorSnapshotError(
          `indicator state of interval ${i} has ${saved.length} values, expected ${size}`,
        );
      }
      slices++;
    }
    const out = doubleZeros(k + slices * size);
    let at = k;
    for (let i = 0; i < k; i++) {
      const saved = from?.[i];
      if (!this.indicatorOn[i] || !saved) {
        out[i] = -1;
        continue;
      }
      out[i] = at;
      for (let j = 0; j < size; j++) out[at + j] = saved[j]!;
      at += size;
    }
    return out;
  }

  /**
   * `states` (from newIndicatorStates) with a fresh state for interval i
   * appended and its offset recorded: a new array, the old one is dropped.
   */
  commitSlice(states: IndicatorState, i: number): IndicatorState {
    const size = this.program.stateSize;
    const n = states.length;
    const out = doubleZeros(n + size);
    for (let j = 0; j < n; j++) out[j] = states[j]!;
    out[i] = n;
    return out;
  }

  /** The shared alert callback of `sink`. */
  alertEmitter(sink: ActorSink): (a: Alert) => void {
    let emit = this.alertEmitters.get(sink);
    if (emit === undefined) {
      emit = (a) => sink.alert(a);
      this.alertEmitters.set(sink, emit);
    }
    return emit;
  }

  create(venue: string, symbol: string, sink: ActorSink): SymbolActor {
    return new SymbolActor(this, venue, symbol, sink, null);
  }

  restore(snapshot: ActorSnapshot, sink: ActorSink): SymbolActor {
    return new SymbolActor(this, snapshot.venue, snapshot.symbol, sink, snapshot);
  }
}

/**
 * The per-(venue, symbol) actor: candles at every configured interval,
 * indicators over closed candles (and live over the open one), and anomaly
 * detectors. Pure and deterministic: time arrives as arguments, outputs go to
 * the sink synchronously.
 *
 * Revisions: indicator state is committed only for candles that can no longer
 * change (the candle book's `onFinal`). Values for closed-but-revisable
 * candles are computed by replaying them over a copy of the committed state,
 * so a revision updates every indicator value that depended on it.
 */
export class SymbolActor implements CandleListener {
  readonly venue: string;
  readonly symbol: string;
  private readonly shared: ActorFactory;
  private readonly sink: ActorSink;
  private readonly book: CandleBook;
  private readonly detectors: AnomalyDetectors;
  /** Committed indicator states; see ActorFactory.newIndicatorStates. */
  private committed: IndicatorState;
  /** Wall clock of the last flush that emitted every interval (see `flush`). */
  private liveAt = Number.NEGATIVE_INFINITY;

  constructor(
    shared: ActorFactory,
    venue: string,
    symbol: string,
    sink: ActorSink,
    snapshot: ActorSnapshot | null,
  ) {
    this.shared = shared;
    this.venue = venue;
    this.symbol = symbol;
    this.sink = sink;
    const config = shared.config;
    const emitAlert = shared.alertEmitter(sink);
    this.committed = shared.newIndicatorStates(snapshot?.indicators ?? null);
    if (snapshot === null) {
      this.book = new CandleBook(venue, symbol, config.candles, this);
      this.detectors = new AnomalyDetectors(venue, symbol, config.anomalies, emitAlert);
    } else {
      this.book = CandleBook.restore(snapshot.book, this);
      this.detectors = AnomalyDetectors.restore(snapshot.anomalies, config.anomalies, emitAlert);
    }
  }

  /**
   * Offers a trade. Invalid trades change nothing and return their reason
   * code; a trade older than the allowed lateness returns 'late' (the caller
   * still stores it) and changes no candle.
   */
  onTrade(t: Trade, now: number): ActorOutcome {
    const reason = validateTrade(t, now);
    if (reason !== REASON_OK) return reason;
    return this.applyTrade(t, now);
  }

  /**
   * Applies a trade the caller has already validated (the engine validates once, at its edge).
   * `now`, the wall clock at arrival, keeps the timer from closing the candles of a symbol that
   * is still receiving trades (see CandleBook.onTimer for how it meets the timer's clock).
   */
  applyTrade(t: Trade, now?: number): 'ok' | 'late' {
    const outcome = this.book.addTrade(t, now);
    this.detectors.onTrade(t);
    return outcome === TRADE_LATE ? 'late' : 'ok';
  }

  /** Offers a quote (quotes feed detectors only). */
  onQuote(q: Quote, now: number): ActorOutcome {
    const reason = validateQuote(q, now);
    if (reason !== REASON_OK) return reason;
    this.applyQuote(q);
    return 'ok';
  }

  /** Applies a quote the caller has already validated. */
  applyQuote(q: Quote): void {
    this.detectors.onQuote(q);
  }

  /** Wall-clock tick: closes candles of a quiet symbol and checks for a stale feed. */
  onTimer(now: number): void {
    this.book.onTimer(now);
    this.detectors.onTimer(now);
  }

  /**
   * Emits the open candles that changed since the last flush, with live indicator values.
   * Given the wall clock, intervals longer than the shortest are emitted at most every
   * `liveEveryMs` (a 1h candle updated on every batch is mostly repetition, and at one output
   * per interval per flush it was most of what a busy symbol published); the others wait for
   * a later flush or `flushDue`.
   */
  flush(now?: number): void {
    const every = this.shared.config.liveEveryMs ?? 0;
    if (now === undefined || every <= 0 || now - this.liveAt >= every) {
      if (now !== undefined) this.liveAt = now;
      this.book.flushOpen();
    } else this.book.flushOpen(undefined, 1);
  }

  /** Emits held-back open-candle updates once `liveEveryMs` has passed (from a timer). */
  flushDue(now: number): void {
    const every = this.shared.config.liveEveryMs ?? 0;
    if (every > 0 && now - this.liveAt >= every && this.book.hasPendingOpen(1)) this.flush(now);
  }

  /** End of input (backfill, replay): closes and finalizes every candle. */
  closeAll(): void {
    this.book.closeAll();
  }

  get stats(): { trades: number; late: number; revisions: number } {
    return this.book.stats;
  }

  get watermark(): number {
    return this.book.watermark;
  }

  snapshot(): ActorSnapshot {
    const shared = this.shared;
    const size = shared.program.stateSize;
    const indicators: (number[] | null)[] = [];
    for (let i = 0; i < shared.indicatorOn.length; i++) {
      if (!shared.indicatorOn[i]) {
        indicators.push(null);
        continue;
      }
      const at = this.committed[i]!;
      indicators.push(at < 0 ? shared.freshState.slice() : this.committed.slice(at, at + size));
    }
    return {
      venue: this.venue,
      symbol: this.symbol,
      book: this.book.snapshot(),
      indicators,
      anomalies: this.detectors.snapshot(),
    };
  }

  /** CandleListener: a candle of interval index i closed or was revised. */
  onClosed(c: Candle, i: number): void {
    this.sink.candle(c);
    const shared = this.shared;
    if (i === shared.volumeIntervalIndex && c.revision === 0) this.detectors.onCandleClosed(c);
    if (!shared.indicatorOn[i]) return;
    // Replay the still-revisable closed candles over the committed state and
    // emit values for the changed candle and every later one.
    const program = shared.program;
    const scratch = shared.scratch;
    const r = shared.replayCandle;
    const book = this.book;
    this.loadCommitted(i);
    const n = book.retainedCount(i);
    for (let k = 0; k < n; k++) {
      book.fillRetained(i, k, r);
      program.pushAt(scratch, 0, r);
      if (r.start >= c.start) this.emitIndicator(r, true, scratch);
    }
  }

  /** CandleListener: only intervals with indicators, or a sink that takes finals, need final candles. */
  needsFinal(i: number): boolean {
    return this.shared.indicatorOn[i]! || this.sink.final !== undefined;
  }

  /** CandleListener: a candle can no longer change; commit it to the indicator state. */
  onFinal(c: Candle, i: number): void {
    const shared = this.shared;
    let at = -1;
    if (shared.indicatorOn[i]) {
      at = this.committed[i]!;
      if (at < 0) {
        this.committed = shared.commitSlice(this.committed, i);
        at = this.committed[i]!;
      }
      shared.program.pushAt(this.committed, at, c);
    }
    if (this.sink.final === undefined) return;
    this.sink.final(c, at < 0 ? null : this.indicatorSnapshot(c, true, this.committed, at));
  }

  /** CandleListener: an open candle from flush(), emitted with live indicator values. */
  onOpen(c: Candle, i: number): void {
    this.sink.candle(c);
    const shared = this.shared;
    if (!shared.config.liveIndicators || !shared.indicatorOn[i]) return;
    const program = shared.program;
    const scratch = shared.scratch;
    const r = shared.replayCandle;
    const book = this.book;
    this.loadCommitted(i);
    const n = book.retainedCount(i);
    for (let k = 0; k < n; k++) program.pushAt(scratch, 0, book.fillRetained(i, k, r));
    // The scratch is a copy already: push the open candle into it rather than peek (a second copy).
    program.pushAt(scratch, 0, c);
    this.emitIndicator(c, false, scratch);
  }

  /** Copies interval i's committed state (fresh when it has none yet) into the shared scratch. */
  private loadCommitted(i: number): void {
    const shared = this.shared;
    const at = this.committed[i]!;
    if (at < 0) shared.program.copyAt(shared.scratch, 0, shared.freshState, 0);
    else shared.program.copyAt(shared.scratch, 0, this.committed, at);
  }

  private emitIndicator(c: Candle, closed: boolean, state: IndicatorState): void {
    this.sink.indicator(this.indicatorSnapshot(c, closed, state, 0));
  }

  private indicatorSnapshot(
    c: Candle,
    closed: boolean,
    state: IndicatorState,
    at: number,
  ): IndicatorSnapshot {
    // An object literal compiled for the program (IndicatorProgram.valuesAt): born in its final shape.
    const values = this.shared.program.valuesAt(state, at);
    return {
      v: SCHEMA_VERSION,
      type: 'indicator',
      venue: this.venue,
      symbol: this.symbol,
      interval: c.interval,
      ts: c.start,
      closed,
      revision: c.revision,
      values,
    };
  }
}
