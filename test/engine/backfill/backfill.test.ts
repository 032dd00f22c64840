import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ActorFactory, DEFAULT_ACTOR_CONFIG } from '../../../actors/index.js';
import { backfill } from '../../../engine/backfill/backfill.js';
import { splitCsvLine } from '../../../engine/backfill/csv.js';
import { CANDLE_CSV_COLUMNS } from '../../../engine/backfill/record-writer.js';
import { SimulatedMarket } from '../../../feeds/simulator/market.js';
import type { Candle, Trade } from '../../../schemas/index.js';

const NOW = Date.UTC(2026, 5, 1);

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tf-backfill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function simulatedTrades(n: number): Trade[] {
  const m = new SimulatedMarket({ seed: 9, symbols: 6, ratePerSec: 50, quoteFraction: 0 });
  const out: Trade[] = [];
  while (out.length < n) {
    const r = m.next();
    if (r.type === 'trade') out.push(r);
  }
  return out;
}

function toCsv(trades: readonly Trade[]): string {
  const lines = ['venue,symbol,ts,price,size,side,id'];
  for (const x of trades)
    lines.push(`${x.venue},"${x.symbol}",${x.ts},${x.price},${x.size},${x.side},${x.id}`);
  return `${lines.join('\n')}\n`;
}

t.test('a CSV file gives exactly the final candles the streaming actors give', async (t) => {
  const dir = await tempDir(t);
  const trades = simulatedTrades(5000);
  await writeFile(join(dir, 'trades.csv'), toCsv(trades));
  const summary = await backfill({
    input: join(dir, 'trades.csv'),
    inputFormat: 'csv',
    venue: 'file',
    timeUnit: 'ms',
    candlesOut: join(dir, 'candles.ndjson'),
    indicatorsOut: join(dir, 'indicators.ndjson'),
    alertsOut: join(dir, 'alerts.ndjson'),
    outputFormat: 'ndjson',
    onError: 'fail',
    config: DEFAULT_ACTOR_CONFIG,
    now: NOW,
  });
  t.equal(summary.trades, 5000);
  t.equal(summary.symbols, 6);
  t.same(summary.rejected, {});

  // The same trades through actors in memory, collecting finals.
  const expected: Candle[] = [];
  const factory = new ActorFactory(DEFAULT_ACTOR_CONFIG);
  const actors = new Map<string, ReturnType<ActorFactory['create']>>();
  const sink = { candle() {}, indicator() {}, alert() {}, final: (c: Candle) => void expected.push(c) };
  for (const x of trades) {
    let a = actors.get(x.symbol);
    if (!a) {
      a = factory.create(x.venue, x.symbol, sink);
      actors.set(x.symbol, a);
    }
    a.onTrade(x, NOW);
  }
  for (const a of actors.values()) a.closeAll();

  const written = (await readFile(join(dir, 'candles.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Candle);
  t.equal(summary.candles, written.length);
  t.same(written, expected, 'byte-for-byte the streamed finals');
  const volume = trades.reduce((s, x) => s + x.size, 0);
  const oneMinute = written.filter((c) => c.interval === '1m');
  t.equal(
    oneMinute.reduce((s, c) => s + c.trades, 0),
    5000,
    'every trade is in exactly one 1m candle',
  );
  t.ok(Math.abs(oneMinute.reduce((s, c) => s + c.volume, 0) - volume) < 1e-6 * volume, 'volumes add up');
  const indicators = (await readFile(join(dir, 'indicators.ndjson'), 'utf8')).trim().split('\n');
  const withIndicators = written.filter((c) => DEFAULT_ACTOR_CONFIG.indicatorIntervals.includes(c.interval));
  t.equal(
    indicators.length,
    withIndicators.length,
    'one indicator row per final candle of an indicator interval',
  );
  t.equal(
    await readdir(dir).then((f) => f.filter((n) => n.endsWith('.partial')).length),
    0,
    'no partial files left',
  );
});

t.test('CSV output has the documented header and one row per candle', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 't.csv'), toCsv(simulatedTrades(300)));
  const summary = await backfill({
    input: join(dir, 't.csv'),
    inputFormat: 'csv',
    venue: 'file',
    timeUnit: 'ms',
    candlesOut: join(dir, 'c.csv'),
    indicatorsOut: join(dir, 'i.csv'),
    alertsOut: null,
    outputFormat: 'csv',
    onError: 'fail',
    config: {
      ...DEFAULT_ACTOR_CONFIG,
      candles: { ...DEFAULT_ACTOR_CONFIG.candles, intervals: ['1m'] },
      indicatorIntervals: ['1m'],
    },
    now: NOW,
  });
  const lines = (await readFile(join(dir, 'c.csv'), 'utf8')).trim().split('\n');
  t.equal(lines[0], CANDLE_CSV_COLUMNS.join(','));
  t.equal(lines.length - 1, summary.candles);
  const row = splitCsvLine(lines[1]!)!;
  t.equal(row[2], '1m');
  const ind = (await readFile(join(dir, 'i.csv'), 'utf8')).trim().split('\n');
  t.match(ind[0], /^venue,symbol,interval,ts,revision,sma20,ema20,rsi14,macd,macdSignal,macdHist,bbUpper/);
});

t.test('bad lines are reported with line numbers and skipped, or stop the run leaving nothing', async (t) => {
  const dir = await tempDir(t);
  const good = simulatedTrades(50);
  const text = toCsv(good).split('\n');
  text.splice(3, 0, 'sim,BTC/USDT,1767571200000,abc,1,buy,x1');
  text.splice(6, 0, 'sim,BTC/USDT,1767571200000,-5,1,buy,x2');
  await writeFile(join(dir, 'bad.csv'), text.join('\n'));
  const reported: string[] = [];
  const summary = await backfill({
    input: join(dir, 'bad.csv'),
    inputFormat: 'csv',
    venue: 'file',
    timeUnit: 'ms',
    candlesOut: join(dir, 'out.csv'),
    indicatorsOut: null,
    alertsOut: null,
    outputFormat: 'csv',
    onError: 'skip',
    config: DEFAULT_ACTOR_CONFIG,
    now: NOW,
    report: (n, m) => reported.push(`${n}: ${m}`),
  });
  t.same(reported, ["4: price 'abc' is not a number", '7: trade rejected: bad_price']);
  t.same(summary.rejected, { bad_line: 1, bad_price: 1 });
  t.equal(summary.trades, 50);

  await t.rejects(
    backfill({
      input: join(dir, 'bad.csv'),
      inputFormat: 'csv',
      venue: 'file',
      timeUnit: 'ms',
      candlesOut: join(dir, 'strict.csv'),
      indicatorsOut: join(dir, 'strict-ind.csv'),
      alertsOut: null,
      outputFormat: 'csv',
      onError: 'fail',
      config: DEFAULT_ACTOR_CONFIG,
      now: NOW,
    }),
    { code: 'TF_ERR_BAD_INPUT_LINE', lineNo: 4, message: "line 4: price 'abc' is not a number" },
  );
  const left = await readdir(dir);
  t.notOk(
    left.some((f) => f.startsWith('strict')),
    `nothing half-written: ${left.join(', ')}`,
  );
});
