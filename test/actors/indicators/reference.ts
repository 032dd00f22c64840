import type { IndicatorSpec } from '../../../actors/indicators/index.js';
import { indicatorOutputNames } from '../../../actors/indicators/index.js';
import type { Candle } from '../../../schemas/records.js';

/**
 * Naive reference indicators straight from the definitions: every windowed
 * value is re-summed over its whole window (O(n) per candle), every recursive
 * one is re-run from the first candle over plain arrays. Slow on purpose; it
 * shares no code with actors/indicators.
 */

type Series = (number | null)[];

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function sumSquaredDeviations(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s;
}

export function refSma(closes: readonly number[], n: number): Series {
  return closes.map((_, i) => (i + 1 >= n ? mean(closes.slice(i + 1 - n, i + 1)) : null));
}

/** EMA of `values` from index `from`: seed = mean of values[from .. from+n-1], then k = 2/(n+1). */
export function refEma(values: readonly number[], n: number, from = 0): Series {
  const out: Series = values.map(() => null);
  const k = 2 / (n + 1);
  let ema = Number.NaN;
  for (let i = from + n - 1; i < values.length; i++) {
    ema = i === from + n - 1 ? mean(values.slice(from, from + n)) : ema + k * (values[i]! - ema);
    out[i] = ema;
  }
  return out;
}

export function refRsi(closes: readonly number[], n: number): Series {
  const out: Series = closes.map(() => null);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < closes.length; i++) {
    const d = closes[i]! - closes[i - 1]!;
    const g = Math.max(d, 0);
    const l = d < 0 ? -d : 0;
    if (i < n) {
      gain += g;
      loss += l;
      continue;
    }
    if (i === n) {
      gain = (gain + g) / n;
      loss = (loss + l) / n;
    } else {
      gain = gain + (g - gain) / n;
      loss = loss + (l - loss) / n;
    }
    out[i] = gain + loss === 0 ? 50 : 100 - 100 / (1 + gain / loss);
  }
  return out;
}

/** TA-Lib MACD: both EMAs start at candle `slow`, the fast one seeded over the `fast` closes ending there. */
export function refMacd(
  closes: readonly number[],
  fast: number,
  slow: number,
  signal: number,
): [Series, Series, Series] {
  const slowEma = refEma(closes, slow);
  const fastEma = refEma(closes, fast, slow - fast);
  const line: number[] = [];
  for (let i = slow - 1; i < closes.length; i++) line.push(fastEma[i]! - slowEma[i]!);
  const sig = refEma(line, signal);
  const m: Series = closes.map(() => null);
  const s: Series = closes.map(() => null);
  const h: Series = closes.map(() => null);
  for (let j = signal - 1; j < line.length; j++) {
    const i = j + slow - 1;
    m[i] = line[j]!;
    s[i] = sig[j]!;
    h[i] = line[j]! - sig[j]!;
  }
  return [m, s, h];
}

export function refBollinger(closes: readonly number[], n: number, k: number): [Series, Series, Series] {
  const up: Series = [];
  const mid: Series = [];
  const low: Series = [];
  for (let i = 0; i < closes.length; i++) {
    if (i + 1 < n) {
      up.push(null);
      mid.push(null);
      low.push(null);
      continue;
    }
    const w = closes.slice(i + 1 - n, i + 1);
    const m = mean(w);
    const sd = Math.sqrt(sumSquaredDeviations(w) / n);
    up.push(m + k * sd);
    mid.push(m);
    low.push(m - k * sd);
  }
  return [up, mid, low];
}

export function refAtr(candles: readonly Candle[], n: number): Series {
  const tr = candles.map((c, i) => {
    if (i === 0) return c.high - c.low;
    const pc = candles[i - 1]!.close;
    return Math.max(c.high - c.low, Math.abs(c.high - pc), Math.abs(c.low - pc));
  });
  const out: Series = candles.map(() => null);
  let atr = Number.NaN;
  for (let i = n - 1; i < candles.length; i++) {
    atr = i === n - 1 ? mean(tr.slice(0, n)) : atr + (tr[i]! - atr) / n;
    out[i] = atr;
  }
  return out;
}

export function refVwap(candles: readonly Candle[]): Series {
  const dayOf = (c: Candle) => Math.floor(c.start / 86_400_000);
  return candles.map((c, i) => {
    let first = i;
    while (first > 0 && dayOf(candles[first - 1]!) === dayOf(c)) first--;
    let notional = 0;
    let volume = 0;
    let fallback = candles[first]!.close;
    for (let j = first; j <= i; j++) {
      notional += candles[j]!.notional;
      volume += candles[j]!.volume;
      if (volume > 0) fallback = notional / volume;
    }
    return volume > 0 ? notional / volume : fallback;
  });
}

export function refVolatility(closes: readonly number[], n: number): Series {
  const ret = (a: number, b: number) => (a > 0 && b > 0 ? Math.log(b / a) : 0);
  return closes.map((_, i) => {
    if (i < n) return null;
    const rs: number[] = [];
    for (let j = i - n + 1; j <= i; j++) rs.push(ret(closes[j - 1]!, closes[j]!));
    return Math.sqrt(sumSquaredDeviations(rs) / (n - 1));
  });
}

/**
 * Mean square of the returns in each volatility(n) window: the scale rounding
 * errors of any variance algorithm are proportional to, which matters when the
 * returns are nearly equal and the deviation is tiny.
 */
export function refReturnMeanSquare(closes: readonly number[], n: number): Series {
  const ret = (a: number, b: number) => (a > 0 && b > 0 ? Math.log(b / a) : 0);
  return closes.map((_, i) => {
    if (i < n) return null;
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) s += ret(closes[j - 1]!, closes[j]!) ** 2;
    return s / n;
  });
}

/** Every output of `specs`, keyed by output name, as series over `candles`. */
export function referenceOutputs(
  specs: readonly IndicatorSpec[],
  candles: readonly Candle[],
): Map<string, Series> {
  const closes = candles.map((c) => c.close);
  const out = new Map<string, Series>();
  for (const spec of specs) {
    const names = indicatorOutputNames(spec);
    let series: Series[];
    switch (spec.kind) {
      case 'sma':
        series = [refSma(closes, spec.period)];
        break;
      case 'ema':
        series = [refEma(closes, spec.period)];
        break;
      case 'rsi':
        series = [refRsi(closes, spec.period)];
        break;
      case 'atr':
        series = [refAtr(candles, spec.period)];
        break;
      case 'volatility':
        series = [refVolatility(closes, spec.period)];
        break;
      case 'vwap':
        series = [refVwap(candles)];
        break;
      case 'macd':
        series = refMacd(closes, spec.fast, spec.slow, spec.signal);
        break;
      case 'bollinger':
        series = refBollinger(closes, spec.period, spec.stddev);
        break;
    }
    for (let k = 0; k < names.length; k++) out.set(names[k]!, series[k]!);
  }
  return out;
}
