/**
 * bench/actors: trades/s per core of a symbol actor with default config
 * (6 intervals, default indicators, anomaly detectors) against tardis-dev's
 * computeTradeBars (1s and 1m time bars) on the same generated trades, in the
 * same process; and resident bytes per symbol with default config.
 *
 * Run: make bench   (or: node --expose-gc build/bench/actors/run.js [--trades N] [--symbols N] [--no-record])
 */
import { parseArgs } from 'node:util';
import { compute, computeTradeBars } from 'tardis-dev';
import type { ActorSink, SymbolActor } from '../../actors/index.js';
import { ActorFactory, DEFAULT_ACTOR_CONFIG } from '../../actors/index.js';
import { SimulatedMarket } from '../../feeds/simulator/market.js';
import type { Trade } from '../../schemas/index.js';
import { describeMachine } from '../machine.js';
import { recordResult } from '../results-file.js';

const { values } = parseArgs({
  options: {
    trades: { type: 'string', default: '1000000' },
    symbols: { type: 'string', default: '2000' },
    'memory-symbols': { type: 'string', default: '20000' },
    'no-record': { type: 'boolean', default: false },
  },
});
const TRADES = Number(values.trades);
const SYMBOLS = Number(values.symbols);
const MEMORY_SYMBOLS = Number(values['memory-symbols']);
/** The engine flushes open candles once per fetched batch; a batch here is this many trades. */
const BATCH = 256;

function generate(n: number, symbols: number): Trade[] {
  // 2,000 trades/s of event time: 1M trades span about 8 minutes, so 1m and 5m candles close and
  // their indicators are computed (a faster clock would leave the indicator path unmeasured).
  const market = new SimulatedMarket({ seed: 42, symbols, ratePerSec: 2_000, quoteFraction: 0 });
  const out: Trade[] = [];
  while (out.length < n) {
    const r = market.next();
    if (r.type === 'trade') out.push(r);
  }
  return out;
}

class CountingSink implements ActorSink {
  candles = 0;
  indicators = 0;
  alerts = 0;
  candle(): void {
    this.candles++;
  }
  indicator(): void {
    this.indicators++;
  }
  alert(): void {
    this.alerts++;
  }
}

/**
 * Feeds every trade to its actor. With `batch` > 0 the open candles of the
 * actors touched are also flushed every `batch` trades (live partial updates
 * with live indicator values, as the engine does per fetched batch); with 0
 * only closes are emitted, the same outputs tardis-dev's bars give.
 */
function runTickflow(trades: readonly Trade[], batch: number): { seconds: number; sink: CountingSink } {
  const factory = new ActorFactory(DEFAULT_ACTOR_CONFIG);
  const sink = new CountingSink();
  const actors = new Map<string, SymbolActor>();
  const dirty = new Set<SymbolActor>();
  const now = trades[trades.length - 1]!.recvTs;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    let a = actors.get(t.symbol);
    if (a === undefined) {
      a = factory.create(t.venue, t.symbol, sink);
      actors.set(t.symbol, a);
    }
    a.onTrade(t, now);
    if (batch > 0) {
      dirty.add(a);
      if (i % batch === batch - 1) {
        for (const d of dirty) d.flush();
        dirty.clear();
      }
    }
  }
  for (const d of dirty) d.flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, sink };
}

async function runTardis(trades: readonly Trade[]): Promise<{ seconds: number; bars: number }> {
  // Converted before timing: the baseline is charged only for its own computation.
  const messages = trades.map((t) => ({
    type: 'trade' as const,
    symbol: t.symbol,
    exchange: 'binance' as const,
    id: t.id,
    price: t.price,
    amount: t.size,
    side: t.side,
    timestamp: new Date(t.ts),
    localTimestamp: new Date(t.recvTs),
  }));
  async function* source() {
    for (const m of messages) yield m;
  }
  let bars = 0;
  const t0 = process.hrtime.bigint();
  const stream = compute(
    source() as AsyncIterableIterator<(typeof messages)[number]>,
    computeTradeBars({ kind: 'time', interval: 1000 }),
    computeTradeBars({ kind: 'time', interval: 60_000 }),
  );
  for await (const m of stream) if ((m as { type: string }).type === 'trade_bar') bars++;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, bars };
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run node with --expose-gc to measure memory');
  g();
  g();
}

/** Bytes per symbol with default config, after every symbol has open candles and warm indicators. */
function measureMemory(symbols: number): {
  heapPerSymbol: number;
  bufferPerSymbol: number;
  rssPerSymbol: number;
} {
  const factory = new ActorFactory(DEFAULT_ACTOR_CONFIG);
  const sink = new CountingSink();
  gc();
  const m0 = process.memoryUsage();
  const actors: SymbolActor[] = [];
  for (let s = 0; s < symbols; s++) actors.push(factory.create('sim', `MEM${s}/USD`, sink));
  // 40 trades per symbol, 90 s apart: every interval has candles, 1m indicators are past warm-up.
  const start = Date.UTC(2026, 0, 5);
  const now = start + 41 * 90_000;
  for (let k = 0; k < 40; k++) {
    for (let s = 0; s < symbols; s++) {
      const a = actors[s]!;
      a.onTrade(
        {
          v: 1,
          type: 'trade',
          venue: 'sim',
          symbol: a.symbol,
          price: 100 + ((k * 7 + s) % 13),
          size: 1 + (k % 3),
          side: k % 2 === 0 ? 'buy' : 'sell',
          id: String(k),
          ts: start + k * 90_000,
          recvTs: start + k * 90_000,
        },
        now,
      );
      a.flush();
    }
  }
  gc();
  const m1 = process.memoryUsage();
  if (actors.length !== symbols) throw new Error('unreachable');
  return {
    heapPerSymbol: (m1.heapUsed - m0.heapUsed) / symbols,
    bufferPerSymbol: (m1.arrayBuffers - m0.arrayBuffers) / symbols,
    rssPerSymbol: (m1.rss - m0.rss) / symbols,
  };
}

const trades = generate(TRADES, SYMBOLS);
console.log(`bench/actors: ${TRADES} trades over ${SYMBOLS} symbols (Zipf 1.1), ${describeMachine()}`);

// Warm every side once (JIT), then measure each three times, interleaved, and keep the best.
runTickflow(trades.slice(0, 100_000), 0);
runTickflow(trades.slice(0, 100_000), BATCH);
await runTardis(trades.slice(0, 50_000));
let best = Number.POSITIVE_INFINITY;
let sink = new CountingSink();
let bestLive = Number.POSITIVE_INFINITY;
let liveSink = new CountingSink();
let baseline = Number.POSITIVE_INFINITY;
let bars = 0;
for (let r = 0; r < 3; r++) {
  const a = runTickflow(trades, 0);
  if (a.seconds < best) {
    best = a.seconds;
    sink = a.sink;
  }
  const l = runTickflow(trades, BATCH);
  if (l.seconds < bestLive) {
    bestLive = l.seconds;
    liveSink = l.sink;
  }
  const b = await runTardis(trades);
  if (b.seconds < baseline) {
    baseline = b.seconds;
    bars = b.bars;
  }
}
const ours = TRADES / best;
const live = TRADES / bestLive;
const theirs = TRADES / baseline;
const ratio = ours / theirs;
const outputs = (k: CountingSink): string =>
  `${k.candles} candle, ${k.indicators} indicator, ${k.alerts} alert outputs`;
console.log(
  `tickflow actor, closes (6 intervals + ${DEFAULT_ACTOR_CONFIG.indicators.length} indicators + anomalies): ` +
    `${Math.round(ours).toLocaleString('en')} trades/s  (${outputs(sink)})`,
);
console.log(
  `tickflow actor, + live partial candles and indicators flushed every ${BATCH} trades: ` +
    `${Math.round(live).toLocaleString('en')} trades/s  (${outputs(liveSink)})`,
);
console.log(
  `tardis-dev computeTradeBars (1s + 1m), closes: ${Math.round(theirs).toLocaleString('en')} trades/s  (${bars} bars)`,
);
console.log(
  `ratio (closes vs closes): ${ratio.toFixed(2)}x  (target >= 5x); with live updates: ${(live / theirs).toFixed(2)}x`,
);

const mem = measureMemory(MEMORY_SYMBOLS);
const perSymbol = mem.heapPerSymbol + mem.bufferPerSymbol;
console.log(
  `memory with default config over ${MEMORY_SYMBOLS} warm symbols: ${Math.round(perSymbol)} B per symbol ` +
    `(${Math.round(mem.heapPerSymbol)} B JS heap + ${Math.round(mem.bufferPerSymbol)} B typed-array data; target <= 4096 B), ` +
    `RSS grew ${Math.round(mem.rssPerSymbol)} B per symbol`,
);

if (!values['no-record']) {
  await recordResult(
    'bench/actors — actor compute vs tardis-dev computeTradeBars (1s + 1m), one core',
    `${TRADES.toLocaleString('en')} trades, ${SYMBOLS} symbols: tickflow ${Math.round(ours).toLocaleString('en')}/s, ` +
      `tardis ${Math.round(theirs).toLocaleString('en')}/s, **ratio ${ratio.toFixed(2)}x** (target ≥ 5x); ` +
      `with live updates every ${BATCH} trades ${Math.round(live).toLocaleString('en')}/s (${(live / theirs).toFixed(2)}x); ` +
      `memory **${Math.round(perSymbol)} B per symbol** (heap + typed arrays; target ≤ 4096 B), RSS +${Math.round(mem.rssPerSymbol)} B`,
  );
}
