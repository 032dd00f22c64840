import type { Quote, Side, Trade } from '../../schemas/records.js';
import { SCHEMA_VERSION } from '../../schemas/records.js';
import { Random } from './random.js';

/** Options of the simulated market. Every field has a default in DEFAULT_MARKET_OPTIONS. */
export interface MarketOptions {
  /** Seed of the PRNG: the same seed and options give the same records. */
  seed: number;
  venue: string;
  /** Number of symbols. The first few carry real-looking names (BTC/USDT, BRK.B, ES Z6, …). */
  symbols: number;
  /** Event time of the first record, epoch ms. */
  startTs: number;
  /** Mean records per second of event time, across all symbols. */
  ratePerSec: number;
  /** Zipf exponent of activity across symbols: symbol k gets weight 1 / k^s. */
  zipf: number;
  /** Annualised volatility of the geometric Brownian motion. */
  volatility: number;
  /** Fraction of records that are quotes rather than trades. */
  quoteFraction: number;
  /** Probability per trade of a price jump (so price-spike detectors have something to find). */
  jumpProbability: number;
  /** Size of a jump, as a fraction of the price. */
  jumpSize: number;
  /** Fraction of trades delivered late (receive order != event order). */
  lateFraction: number;
  /** Largest delay of a late trade, ms of event time. */
  lateMaxMs: number;
}

export const DEFAULT_MARKET_OPTIONS: MarketOptions = {
  seed: 1,
  venue: 'sim',
  symbols: 100,
  startTs: Date.UTC(2026, 0, 5, 0, 0, 0),
  ratePerSec: 10_000,
  zipf: 1.1,
  volatility: 0.8,
  quoteFraction: 0.3,
  jumpProbability: 0.00002,
  jumpSize: 0.08,
  lateFraction: 0,
  lateMaxMs: 0,
};

/** Real-looking names with prices in their usual range, so the demo reads like a market. */
const NAMED: readonly (readonly [string, number])[] = [
  ['BTC/USDT', 67_000],
  ['ETH/USDT', 3_400],
  ['SOL/USDT', 160],
  ['BRK.B', 450],
  ['ES Z6', 5_600],
  ['AAPL', 225],
  ['EUR/USD', 1.08],
  ['XRP/USDT', 0.6],
];
const MS_PER_YEAR = 365.25 * 86_400_000;

/** Name of the k-th simulated symbol (0-based). */
export function simulatedSymbol(k: number): string {
  return k < NAMED.length ? NAMED[k]![0] : `SIM${String(k).padStart(5, '0')}/USD`;
}

/**
 * A deterministic market: geometric Brownian motion per symbol, Zipf-skewed
 * activity, bid/ask quotes around the last price, occasional jumps, and
 * optionally late trades. Records come out in receive order; event times of
 * late trades lie behind the clock by at most `lateMaxMs`.
 */
export class SimulatedMarket {
  readonly options: MarketOptions;
  private readonly rng: Random;
  private readonly names: string[];
  private readonly cdf: Float64Array;
  private readonly prices: Float64Array;
  private readonly lastTs: Float64Array;
  private readonly tradeIds: Float64Array;
  private readonly tradeSeqs: Float64Array;
  private readonly quoteSeqs: Float64Array;
  private clock: number;

  constructor(options: Partial<MarketOptions> = {}) {
    this.options = { ...DEFAULT_MARKET_OPTIONS, ...options };
    const n = this.options.symbols;
    this.rng = new Random(this.options.seed);
    this.names = [];
    this.cdf = new Float64Array(n);
    this.prices = new Float64Array(n);
    this.lastTs = new Float64Array(n);
    this.tradeIds = new Float64Array(n);
    this.tradeSeqs = new Float64Array(n);
    this.quoteSeqs = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      this.names.push(simulatedSymbol(k));
      total += 1 / (k + 1) ** this.options.zipf;
      this.cdf[k] = total;
      // Prices spread over several orders of magnitude, like a real venue's list.
      const random = 10 ** (0.5 + 4 * this.rng.next());
      this.prices[k] = roundPrice(k < NAMED.length ? NAMED[k]![1] : random);
      this.lastTs[k] = this.options.startTs;
    }
    for (let k = 0; k < n; k++) this.cdf[k] = this.cdf[k]! / total;
    this.clock = this.options.startTs;
  }

  /** Symbol names in activity order (most active first). */
  get symbols(): readonly string[] {
    return this.names;
  }

  /** Current event-time clock, epoch ms. */
  get now(): number {
    return this.clock;
  }

  /** The next record in receive order. */
  next(): Trade | Quote {
    const o = this.options;
    this.clock += this.rng.exponential(1000 / o.ratePerSec);
    const k = this.pickSymbol();
    const dt = Math.max(this.clock - this.lastTs[k]!, 0);
    this.lastTs[k] = this.clock;
    let price = this.prices[k]!;
    if (dt > 0) {
      const sigma = o.volatility * Math.sqrt(dt / MS_PER_YEAR);
      price *= Math.exp(-0.5 * sigma * sigma + sigma * this.rng.normal());
    }
    if (this.rng.next() < o.quoteFraction) {
      this.prices[k] = price;
      const half = price * (0.00005 + 0.0005 * this.rng.next());
      return {
        v: SCHEMA_VERSION,
        type: 'quote',
        venue: o.venue,
        symbol: this.names[k]!,
        bidPrice: roundPrice(price - half),
        bidSize: roundSize(this.rng.exponential(5)),
        askPrice: roundPrice(price + half),
        askSize: roundSize(this.rng.exponential(5)),
        ts: this.clock,
        recvTs: this.clock,
        seq: ++this.quoteSeqs[k]!,
      };
    }
    if (this.rng.next() < o.jumpProbability) price *= 1 + (this.rng.next() < 0.5 ? -o.jumpSize : o.jumpSize);
    price = roundPrice(price);
    this.prices[k] = price;
    const side: Side = this.rng.next() < 0.5 ? 'buy' : 'sell';
    let ts = this.clock;
    if (o.lateFraction > 0 && this.rng.next() < o.lateFraction)
      ts = Math.max(o.startTs, ts - this.rng.next() * o.lateMaxMs);
    return {
      v: SCHEMA_VERSION,
      type: 'trade',
      venue: o.venue,
      symbol: this.names[k]!,
      price,
      size: roundSize(this.rng.exponential(1) * (1 + (this.rng.next() < 0.01 ? 20 : 0))),
      side,
      id: String(++this.tradeIds[k]!),
      ts,
      recvTs: this.clock,
      seq: ++this.tradeSeqs[k]!,
    };
  }

  private pickSymbol(): number {
    const u = this.rng.next();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function roundPrice(p: number): number {
  const digits = p >= 1000 ? 2 : p >= 10 ? 3 : 5;
  const f = 10 ** digits;
  return Math.max(Math.round(p * f) / f, 1 / f);
}

function roundSize(s: number): number {
  return Math.round(s * 1e6) / 1e6;
}
