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
    for (const spec of specs) {
      const out = indicatorOutputNames(spec);
      names.push(...out);
      const [a = '', b = '', c = ''] = out;
      switch (spec.kind) {
        case 'sma':
          this.outputs.push(new Sma(windowFor(spec.period), a));
          break;
        case 'bollinger':
          this.outputs.push(new Bollinger(windowFor(spec.period), spec.stddev, a, b, c));
          break;
        case 'ema':
          this.add(new Ema(at, spec.period, a));
          at += Ema.size;
          break;
        case 'rsi':
          this.add(new Rsi(at, spec.period, a));
          at += Rsi.size;
          break;
        case 'macd':
          this.add(new Macd(at, spec.fast, spec.slow, spec.signal, a, b, c));
          at += Macd.size;
          break;
        case 'atr':
          this.add(new Atr(at, spec.period, a));
          at += Atr.size;
          break;
        case 'vwap':
          this.add(new Vwap(at, a));
          at += Vwap.size;
          break;
        case 'volatility':
          this.add(new Volatility(at, spec.period, ring, a));
          at += Volatility.size;
          break;
      }
    }
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
    const n = this.stateSize;
    for (let j = 0; j < n; j++) dst[dstAt + j] = src[srcAt + j]!;
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
    const kernels = this.kernels;
    for (let k = 0; k < kernels.length; k++) kernels[k]!.push(state, at, c, index, prevClose);
    state[at + HISTORY_COUNT] = index + 1;
    state[at + HISTORY_PREV_CLOSE] = x;
  }

  /** Values of the state at `state[at…]` after its last push, written into out[outputName]. */
  readAt(state: IndicatorState, at: number, out: Record<string, number | null>): void {
    this.checkAt(state, at);
    const count = state[at + HISTORY_COUNT]!;
    const outputs = this.outputs;
    for (let k = 0; k < outputs.length; k++) outputs[k]!.read(state, at, count, out);
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
