import type { Candle } from '../../../schemas/records.js';

/** One minute, the interval of test candles unless a start is given. */
export const MINUTE = 60_000;
/** One UTC day. */
export const DAY = 86_400_000;

/** What a test cares about in a candle; the rest gets plain defaults. */
export interface CandleFields {
  close: number;
  start?: number;
  open?: number;
  high?: number;
  low?: number;
  volume?: number;
  /** Defaults to close * volume. */
  notional?: number;
}

/** A closed one-minute candle; high and low default to the close, volume to 1. */
export function candle(f: CandleFields): Candle {
  const start = f.start ?? 0;
  const volume = f.volume ?? 1;
  const notional = f.notional ?? f.close * volume;
  return {
    v: 1,
    type: 'candle',
    venue: 'sim',
    symbol: 'TEST',
    interval: '1m',
    start,
    end: start + MINUTE,
    open: f.open ?? f.close,
    high: f.high ?? f.close,
    low: f.low ?? f.close,
    close: f.close,
    volume,
    notional,
    vwap: volume > 0 ? notional / volume : f.close,
    trades: 1,
    buyVolume: volume,
    sellVolume: 0,
    firstTradeTs: start,
    lastTradeTs: start,
    closed: true,
    revision: 0,
  };
}

/** Consecutive one-minute candles with these closes. */
export function closeSeries(closes: readonly number[], start = 0): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < closes.length; i++) out.push(candle({ close: closes[i]!, start: start + i * MINUTE }));
  return out;
}

/** Deterministic PRNG (mulberry32) so long random series are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random walk of candles around `level`: some flat stretches, some zero-volume
 * candles, gaps of up to a few hours, so the series crosses UTC days.
 */
export function randomCandles(count: number, seed: number, level: number): Candle[] {
  const rnd = seededRandom(seed);
  const out: Candle[] = [];
  let price = level;
  let start = Math.floor(rnd() * 1000) * MINUTE;
  for (let i = 0; i < count; i++) {
    const r = rnd();
    if (r > 0.15) price *= Math.exp((rnd() - 0.5) * 0.04);
    const open = price * (1 + (rnd() - 0.5) * 0.01);
    const high = Math.max(open, price) * (1 + rnd() * 0.01);
    const low = Math.min(open, price) * (1 - rnd() * 0.01);
    const volume = rnd() < 0.05 ? 0 : rnd() * 10;
    const avg = low + (high - low) * rnd();
    out.push(candle({ close: price, open, high, low, volume, notional: avg * volume, start }));
    start += (rnd() < 0.1 ? 1 + Math.floor(rnd() * 240) : 1) * MINUTE;
  }
  return out;
}
