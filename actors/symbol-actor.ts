import type { Alert, Candle, IndicatorSnapshot, Interval, Quote, Trade } from '../schemas/records.js';
import { SCHEMA_VERSION } from '../schemas/records.js';
import type { ReasonCode } from '../schemas/validation.js';
import { REASON_OK, validateQuote, validateTrade } from '../schemas/validation.js';
import type { AnomalySnapshot } from './anomalies/index.js';
import { AnomalyDetectors } from './anomalies/index.js';
import type { CandleBookSnapshot, CandleListener } from './candles.js';
import { CandleBook, TRADE_LATE } from './candles.js';
import type { ActorConfig } from './config.js';
import { IndicatorProgram } from './indicators/index.js';

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
 * Compiled, shared part of a deployment's actors: the indicator program and
 * scratch space are built once and used by every symbol, which keeps a
 * symbol's own state to its candle book, committed indicator states and
 * detector state.
 */
export class ActorFactory {
  readonly config: ActorConfig;
  readonly program: IndicatorProgram;
  /** Candle interval index -> whether indicators run on it. */
  readonly indicatorOn: readonly boolean[];
  readonly intervalIndex: ReadonlyMap<Interval, number>;
  /** Index of the interval whose closed candles feed the volume-spike detector, or -1. */
  readonly volumeIntervalIndex: number;
  /** Shared scratch state: committed state + still-revisable candles are replayed here before reading. */
  readonly scratch: Float64Array;

  constructor(config: ActorConfig) {
    this.config = config;
    this.program = new IndicatorProgram(config.indicators);
    this.scratch = this.program.newState();
    const index = new Map<Interval, number>();
    const on: boolean[] = [];
    config.candles.intervals.forEach((iv, i) => {
      index.set(iv, i);
      on.push(config.indicators.length > 0 && config.indicatorIntervals.includes(iv));
    });
    this.intervalIndex = index;
    this.indicatorOn = on;
    const vs = config.anomalies.volumeSpike;
    this.volumeIntervalIndex = vs.enabled ? (index.get(vs.interval) ?? -1) : -1;
  }

  /**
   * Committed indicator states of one symbol, one per candle interval (null
   * where the interval has no indicators). All of them are views into a
   * single Float64Array: one backing store per symbol instead of one per
   * interval, which is most of a typed array's fixed cost.
   */
  newIndicatorStates(from: readonly (readonly number[] | null)[] | null): (Float64Array | null)[] {
    const size = this.program.stateSize;
    let used = 0;
    for (const on of this.indicatorOn) if (on) used++;
    const block = new Float64Array(size * used);
    const out: (Float64Array | null)[] = [];
    let at = 0;
    for (let i = 0; i < this.indicatorOn.length; i++) {
      if (!this.indicatorOn[i]) {
        out.push(null);
        continue;
      }
      const view = block.subarray(at, at + size);
      const saved = from?.[i];
      if (saved) {
        if (saved.length !== size) {
          throw new ActorSnapshotError(
            `indicator state of interval ${i} has ${saved.length} values, expected ${size}`,
          );
        }
        view.set(saved);
      }
      out.push(view);
      at += size;
    }
    return out;
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
  private readonly committed: (Float64Array | null)[];
  private readonly emitLive: (c: Candle) => void;
  private readonly emitAlert: (a: Alert) => void;

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
    this.emitAlert = (a) => this.sink.alert(a);
    this.emitLive = (c) => this.onOpenCandle(c);
    this.committed = shared.newIndicatorStates(snapshot?.indicators ?? null);
    if (snapshot === null) {
      this.book = new CandleBook(venue, symbol, config.candles, this);
      this.detectors = new AnomalyDetectors(venue, symbol, config.anomalies, this.emitAlert);
    } else {
      this.book = CandleBook.restore(snapshot.book, this);
      this.detectors = AnomalyDetectors.restore(snapshot.anomalies, config.anomalies, this.emitAlert);
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
    return this.applyTrade(t);
  }

  /** Applies a trade the caller has already validated (the engine validates once, at its edge). */
  applyTrade(t: Trade): 'ok' | 'late' {
    const outcome = this.book.addTrade(t);
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

  /** Emits the open candles that changed since the last flush, with live indicator values. */
  flush(): void {
    this.book.flushOpen(this.emitLive);
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
    return {
      venue: this.venue,
      symbol: this.symbol,
      book: this.book.snapshot(),
      indicators: this.committed.map((s) => (s === null ? null : Array.from(s))),
      anomalies: this.detectors.snapshot(),
    };
  }

  /** CandleListener: a candle closed or was revised. */
  onClosed(c: Candle): void {
    this.sink.candle(c);
    const i = this.shared.intervalIndex.get(c.interval)!;
    if (i === this.shared.volumeIntervalIndex && c.revision === 0) this.detectors.onCandleClosed(c);
    if (this.committed[i] === null) return;
    // Replay the still-revisable closed candles over the committed state and
    // emit values for the changed candle and every later one.
    const program = this.shared.program;
    const scratch = this.shared.scratch;
    const retained = this.book.retained(i);
    program.copy(scratch, this.committed[i]!);
    for (let k = 0; k < retained.length; k++) {
      const r = retained[k]!;
      program.push(scratch, r);
      if (r.start >= c.start) this.emitIndicator(r, true, scratch, null);
    }
  }

  /** CandleListener: a candle can no longer change; commit it to the indicator state. */
  onFinal(c: Candle): void {
    const i = this.shared.intervalIndex.get(c.interval)!;
    const state = this.committed[i]!;
    if (state !== null) this.shared.program.push(state, c);
    if (this.sink.final === undefined) return;
    this.sink.final(c, state === null ? null : this.indicatorSnapshot(c, true, state, null));
  }

  private onOpenCandle(c: Candle): void {
    this.sink.candle(c);
    if (!this.shared.config.liveIndicators) return;
    const i = this.shared.intervalIndex.get(c.interval)!;
    if (this.committed[i] === null) return;
    const scratch = this.replayRetained(i);
    this.emitIndicator(c, false, scratch, c);
  }

  /** Copies the committed state of interval i into the shared scratch and replays the retained closed candles. */
  private replayRetained(i: number): Float64Array {
    const program = this.shared.program;
    const scratch = this.shared.scratch;
    program.copy(scratch, this.committed[i]!);
    const retained = this.book.retained(i);
    for (let k = 0; k < retained.length; k++) program.push(scratch, retained[k]!);
    return scratch;
  }

  private emitIndicator(c: Candle, closed: boolean, state: Float64Array, live: Candle | null): void {
    this.sink.indicator(this.indicatorSnapshot(c, closed, state, live));
  }

  private indicatorSnapshot(
    c: Candle,
    closed: boolean,
    state: Float64Array,
    live: Candle | null,
  ): IndicatorSnapshot {
    const values: Record<string, number | null> = {};
    if (live === null) this.shared.program.read(state, values);
    else this.shared.program.peek(state, live, values);
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
