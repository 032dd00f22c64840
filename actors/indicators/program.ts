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
import { Volatility } from './volatility.js';
import { Vwap } from './vwap.js';

/**
 * A set of indicators compiled once per deployment and shared by every symbol.
 * All per-(symbol, interval) state lives in one Float64Array of `stateSize`
 * doubles: the close history (count, previous close, run of equal closes, a
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
  private readonly scratch: Float64Array;

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
    this.scratch = new Float64Array(at);
  }

  /** A fresh state: no candles pushed. */
  newState(): Float64Array {
    return new Float64Array(this.stateSize);
  }

  /** Copies `src` into `dst` (both states of this program). */
  copy(dst: Float64Array, src: Float64Array): void {
    this.check(dst);
    this.check(src);
    dst.set(src);
  }

  /** Appends one closed candle. */
  push(state: Float64Array, c: Candle): void {
    this.check(state);
    const index = state[HISTORY_COUNT]!;
    const prevClose = state[HISTORY_PREV_CLOSE]!;
    const x = c.close;
    state[HISTORY_RUN] = index > 0 && x === prevClose ? state[HISTORY_RUN]! + 1 : 1;
    const ring = this.ringLength;
    if (ring > 0) {
      const head = state[HISTORY_HEAD]! + 1;
      const pos = head < ring ? head : 0;
      state[HISTORY_HEAD] = pos;
      state[HISTORY_RING + pos] = x;
    }
    const kernels = this.kernels;
    for (let k = 0; k < kernels.length; k++) kernels[k]!.push(state, c, index, prevClose);
    state[HISTORY_COUNT] = index + 1;
    state[HISTORY_PREV_CLOSE] = x;
  }

  /** Values after the last push, written into out[outputName] (null in warm-up). */
  read(state: Float64Array, out: Record<string, number | null>): void {
    this.check(state);
    const count = state[HISTORY_COUNT]!;
    const outputs = this.outputs;
    for (let k = 0; k < outputs.length; k++) outputs[k]!.read(state, count, out);
  }

  /** Values as if c were appended, WITHOUT mutating state (live values on the open candle). */
  peek(state: Float64Array, c: Candle, out: Record<string, number | null>): void {
    this.check(state);
    this.scratch.set(state);
    this.push(this.scratch, c);
    this.read(this.scratch, out);
  }

  private add(k: IndicatorKernel & IndicatorOutput): void {
    this.kernels.push(k);
    this.outputs.push(k);
  }

  private check(state: Float64Array): void {
    if (state.length !== this.stateSize) {
      throw new IndicatorError(
        'TF_ERR_INDICATOR_STATE',
        `indicator state has ${state.length} doubles but this program needs ${this.stateSize}; was it made by a program with other indicators?`,
      );
    }
  }
}
