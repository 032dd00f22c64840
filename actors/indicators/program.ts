import type { Candle } from '../../schemas/records.js';
import { Atr } from './atr.js';
import { Bollinger } from './bollinger.js';
import {
  HISTORY_COUNT,
  HISTORY_HEAD,
  HISTORY_PREV_CLOSE,
  HISTORY_RING,
  HISTORY_RUN,
  HISTORY_SIZE,
} from './close-history.js';
import { CloseWindow } from './close-window.js';
import { Ema } from './ema.js';
import { IndicatorError } from './errors.js';
import type { IndicatorKernel, IndicatorOutput } from './kernel.js';
import { Macd } from './macd.js';
import { Rsi } from './rsi.js';
import { Sma } from './sma.js';
import type { IndicatorSpec } from './spec.js';
import { indicatorOutputNames, validateIndicatorSpecs } from './spec.js';
import type { IndicatorState } from './state.js';
import { doubleZeros } from './state.js';
import { Volatility } from './volatility.js';
import { Vwap } from './vwap.js';

/** IndicatorKernel.push over every kernel of a program. */
type PushAll = (s: IndicatorState, at: number, c: Candle, index: number, prevClose: number) => void;
/** Every output's values after the last push to the state at s[at…], in a fresh object. */
type ReadValues = (
  s: IndicatorState,
  at: number,
  count: number,
  row: Float64Array,
) => Record<string, number | null>;

/**
 * A set of indicators compiled once per deployment and shared by every symbol.
 * All per-(symbol, interval) state lives in `stateSize` doubles of a plain
 * double array (state.ts), alone or at an offset inside a larger one: the close history (count, previous close, run of equal closes, a
 * ring of recent closes shared by all windows) followed by each indicator's
 * slots. The program itself holds no per-symbol data, so revisions are handled
 * by copying a committed state and re-pushing candles; pushes are
 * deterministic, so the same candles always give bit-identical states.
 */
export class IndicatorProgram {
  /** Every output name, in spec order (see `indicatorOutputNames`). */
  readonly outputNames: readonly string[];
  /** Length of a state, in doubles. */
  readonly stateSize: number;
  private readonly ringLength: number;
  private readonly kernels: IndicatorKernel[] = [];
  private readonly outputs: IndicatorOutput[] = [];
  /** Every kernel's push, in order, each from a call site of its own (see straightLine). */
  private readonly pushKernels: PushAll;
  /** Every output's read, in order, each from a call site of its own, then the values object (see valuesReader). */
  private readonly readValues: ReadValues;
  /** Where outputs write their numbers before readValues puts them in an object. */
  private readonly row: Float64Array;
  /** peek() works here so it never touches the caller's state. */
  private readonly scratch: IndicatorState;

  /** @throws IndicatorError `TF_ERR_BAD_INDICATOR_SPEC` listing every problem when a spec is invalid. */
  constructor(specs: readonly IndicatorSpec[]) {
    const problems = validateIndicatorSpecs(specs);
    if (problems.length > 0) {
      throw new IndicatorError(
        'TF_ERR_BAD_INDICATOR_SPEC',
        `invalid indicators: ${problems.join('; ')}`,
        problems,
      );
    }
    // One ring long enough for every window: a window of n closes reads the
    // close leaving it (n + 1); volatility over n returns reads the return
    // leaving it, which needs two closes before the window (n + 2).
    let ring = 0;
    for (const spec of specs) {
      if (spec.kind === 'sma' || spec.kind === 'bollinger') ring = Math.max(ring, spec.period + 1);
      else if (spec.kind === 'volatility') ring = Math.max(ring, spec.period + 2);
    }
    this.ringLength = ring;
    let at = HISTORY_SIZE + ring;
    const windows = new Map<number, CloseWindow>();
    const windowFor = (period: number): CloseWindow => {
      let w = windows.get(period);
      if (w === undefined) {
        w = new CloseWindow(at, period, ring);
        at += CloseWindow.size;
        windows.set(period, w);
        this.kernels.push(w);
      }
      return w;
    };
    const names: string[] = [];
    const widths: number[] = [];
    for (const spec of specs) {
      const out = indicatorOutputNames(spec);
      // This spec's output (added below) writes its values from row index names.length on.
      widths.push(out.length);
      names.push(...out);
      switch (spec.kind) {
        case 'sma':
          this.outputs.push(new Sma(windowFor(spec.period)));
          break;
        case 'bollinger':
          this.outputs.push(new Bollinger(windowFor(spec.period), spec.stddev));
          break;
        case 'ema':
          this.add(new Ema(at, spec.period));
          at += Ema.size;
          break;
        case 'rsi':
          this.add(new Rsi(at, spec.period));
          at += Rsi.size;
          break;
        case 'macd':
          this.add(new Macd(at, spec.fast, spec.slow, spec.signal));
          at += Macd.size;
          break;
        case 'atr':
          this.add(new Atr(at, spec.period));
          at += Atr.size;
          break;
        case 'vwap':
          this.add(new Vwap(at));
          at += Vwap.size;
          break;
        case 'volatility':
          this.add(new Volatility(at, spec.period, ring));
          at += Volatility.size;
          break;
      }
    }
    this.pushKernels = straightLine(this.kernels, 'push', 's, at, c, index, prev') as PushAll;
    this.readValues = valuesReader(this.outputs, widths, names) as ReadValues;
    this.row = new Float64Array(names.length);
    this.outputNames = Object.freeze(names);
    this.stateSize = at;
    this.scratch = doubleZeros(at);
  }

  /** A fresh state: no candles pushed (a plain double array of `stateSize` zeros). */
  newState(): IndicatorState {
    return doubleZeros(this.stateSize);
  }

  /** Room for `count` fresh states side by side (state j at offset j * stateSize), in one plain double array. */
  newStates(count: number): IndicatorState {
    return doubleZeros(this.stateSize * count);
  }

  /** Copies `src` into `dst` (both whole states of this program). */
  copy(dst: IndicatorState, src: IndicatorState): void {
    this.check(dst);
    this.check(src);
    this.copyAt(dst, 0, src, 0);
  }

  /** Appends one closed candle to a whole state. */
  push(state: IndicatorState, c: Candle): void {
    this.check(state);
    this.pushAt(state, 0, c);
  }

  /** Values after the last push, written into out[outputName] (null in warm-up). */
  read(state: IndicatorState, out: Record<string, number | null>): void {
    this.check(state);
    this.readAt(state, 0, out);
  }

  /** Values as if c were appended, WITHOUT mutating state (live values on the open candle). */
  peek(state: IndicatorState, c: Candle, out: Record<string, number | null>): void {
    this.check(state);
    this.peekAt(state, 0, c, out);
  }

  /**
   * Copies the state at `src[srcAt…]` to `dst[dstAt…]`. The `…At` methods work
   * on a state stored at an offset inside a larger array (one array per symbol
   * holding every interval's state).
   */
  copyAt(dst: IndicatorState, dstAt: number, src: IndicatorState, srcAt: number): void {
    this.checkAt(dst, dstAt);
    this.checkAt(src, srcAt);
    copySlots(dst, dstAt, src, srcAt, this.stateSize);
  }

  /** Appends one closed candle to the state at `state[at…]`. */
  pushAt(state: IndicatorState, at: number, c: Candle): void {
    this.checkAt(state, at);
    const index = state[at + HISTORY_COUNT]!;
    const prevClose = state[at + HISTORY_PREV_CLOSE]!;
    const x = c.close;
    state[at + HISTORY_RUN] = index > 0 && x === prevClose ? state[at + HISTORY_RUN]! + 1 : 1;
    const ring = this.ringLength;
    if (ring > 0) {
      const head = state[at + HISTORY_HEAD]! + 1;
      const pos = head < ring ? head : 0;
      state[at + HISTORY_HEAD] = pos;
      state[at + HISTORY_RING + pos] = x;
    }
    this.pushKernels(state, at, c, index, prevClose);
    state[at + HISTORY_COUNT] = index + 1;
    state[at + HISTORY_PREV_CLOSE] = x;
  }

  /**
   * Values of the state at `state[at…]` after its last push, written into
   * out[outputName]. Stores by name, one at a time: valuesAt is the fast form.
   */
  readAt(state: IndicatorState, at: number, out: Record<string, number | null>): void {
    this.checkAt(state, at);
    const values = this.valuesAt(state, at);
    const names = this.outputNames;
    for (let k = 0; k < names.length; k++) out[names[k]!] = values[names[k]!]!;
  }

  /**
   * Values of the state at `state[at…]` after its last push, in a fresh
   * object holding every output name in output order (null in warm-up): what
   * readAt writes, without the cost of writing one property at a time.
   */
  valuesAt(state: IndicatorState, at: number): Record<string, number | null> {
    this.checkAt(state, at);
    return this.readValues(state, at, state[at + HISTORY_COUNT]!, this.row);
  }

  /** Values as if c were appended to the state at `state[at…]`, without mutating it. */
  peekAt(state: IndicatorState, at: number, c: Candle, out: Record<string, number | null>): void {
    this.copyAt(this.scratch, 0, state, at);
    this.pushAt(this.scratch, 0, c);
    this.readAt(this.scratch, 0, out);
  }

  private add(k: IndicatorKernel & IndicatorOutput): void {
    this.kernels.push(k);
    this.outputs.push(k);
  }

  private checkAt(state: IndicatorState, at: number): void {
    if (!(at >= 0 && at + this.stateSize <= state.length)) {
      throw new IndicatorError(
        'TF_ERR_INDICATOR_STATE',
        `indicator state at ${at} needs ${this.stateSize} doubles but the array holds ${state.length}`,
      );
    }
  }

  private check(state: IndicatorState): void {
    if (state.length !== this.stateSize) {
      throw new IndicatorError(
        'TF_ERR_INDICATOR_STATE',
        `indicator state has ${state.length} doubles but this program needs ${this.stateSize}; was it made by a program with other indicators?`,
      );
    }
  }
}

/**
 * Copies n slots from src[srcAt…] to dst[dstAt…] (ranges must not overlap),
 * four per iteration: on plain double arrays this is about a third faster
 * than one slot per iteration.
 */
function copySlots(dst: IndicatorState, dstAt: number, src: IndicatorState, srcAt: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const a = src[srcAt + j]!;
    const b = src[srcAt + j + 1]!;
    const c = src[srcAt + j + 2]!;
    const d = src[srcAt + j + 3]!;
    dst[dstAt + j] = a;
    dst[dstAt + j + 1] = b;
    dst[dstAt + j + 2] = c;
    dst[dstAt + j + 3] = d;
  }
  for (; j < n; j++) dst[dstAt + j] = src[srcAt + j]!;
}

/**
 * A function calling `method` on each of `targets` in order, from one call
 * site per target. A loop over the targets has a single call site that sees
 * every indicator class, so each call is a megamorphic lookup the compiler
 * cannot inline; here each site sees one object and is inlined (measured:
 * push and read of the default indicators take about half the time). Built
 * once per program from a fixed template: no user text goes into the source.
 */
function straightLine(targets: readonly object[], method: string, params: string): unknown {
  const body = targets.map((_, k) => `t${k}.${method}(${params});`).join('\n');
  const names = targets.map((_, k) => `t${k}`);
  return new Function(...names, `return function ${method}All(${params}) {\n${body}\n};`)(...targets);
}

/**
 * A function that calls every output's read into `row` and returns the
 * values as one object literal with a property per output name, in output
 * order: `{ "sma20": d0 ? row[0] : null, … }`. Compared with filling an
 * object by name, one read call site per output (inlined, as in
 * straightLine) and numbers kept unboxed in the row until the literal is
 * built make this several times cheaper. Names are validated identifiers
 * (spec.ts), quoted by JSON.stringify as well.
 */
function valuesReader(
  outputs: readonly IndicatorOutput[],
  widths: readonly number[],
  names: readonly string[],
): unknown {
  const reads: string[] = [];
  const fields: string[] = [];
  let k = 0;
  for (let j = 0; j < outputs.length; j++) {
    reads.push(`const d${j} = t${j}.read(s, at, count, row, ${k});`);
    for (let w = 0; w < widths[j]!; w++, k++)
      fields.push(`${JSON.stringify(names[k])}: d${j} ? row[${k}] : null`);
  }
  const params = outputs.map((_, j) => `t${j}`);
  const body = `${reads.join('\n')}\nreturn { ${fields.join(', ')} };`;
  return new Function(...params, `return function valuesAt(s, at, count, row) {\n${body}\n};`)(...outputs);
}
