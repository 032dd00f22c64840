/**
 * A short end-to-end harness run (real NATS, QuestDB, engine and gateway processes, forked WS
 * clients) at a small rate, checking that the numbers it reports agree with each other and with
 * what was stored: every trade published is in QuestDB once, the 1s candles in QuestDB are the
 * ones a plain fold over the published trades gives, and the latency, CPU and memory figures are
 * real measurements.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { type HarnessResult, runHarness } from '../../bench/harness/harness.js';
import type { LatencySummary } from '../../bench/harness/latency-window.js';
import { HARNESS_DEFAULTS, type HarnessOptions } from '../../bench/harness/options.js';
import { writeResultFiles } from '../../bench/harness/report.js';
import { questDbExec } from '../../engine/stack/index.js';
import type { Trade } from '../../schemas/index.js';

// Stack start, two 5 s steps, drain and QuestDB's WAL apply: minutes on a loaded 2-core machine.
t.setTimeout(400_000);

/** OHLCV + count of one symbol's 1s bucket. */
interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  count: number;
}

/** The reference: a plain fold of the trades, in publish order, into 1s buckets per symbol. */
function foldBars(trades: readonly Trade[]): Map<string, Bar> {
  const bars = new Map<string, Bar>();
  for (const tr of trades) {
    const key = `${tr.symbol}|${Math.floor(tr.ts / 1000) * 1000}`;
    const b = bars.get(key);
    if (b === undefined) {
      bars.set(key, {
        open: tr.price,
        high: tr.price,
        low: tr.price,
        close: tr.price,
        volume: tr.size,
        count: 1,
      });
    } else {
      b.high = Math.max(b.high, tr.price);
      b.low = Math.min(b.low, tr.price);
      b.close = tr.price;
      b.volume += tr.size;
      b.count++;
    }
  }
  return bars;
}

async function storedBars(qdbHttpUrl: string): Promise<Map<string, Bar>> {
  const r = await questDbExec(
    qdbHttpUrl,
    "select symbol, ts, open, high, low, close, volume, trade_count from candles where interval = '1s' and venue = 'sim'",
  );
  const bars = new Map<string, Bar>();
  for (const row of r.dataset) {
    const [symbol, ts, open, high, low, close, volume, count] = row as [
      string,
      string,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    bars.set(`${symbol}|${Date.parse(ts)}`, { open, high, low, close, volume, count });
  }
  return bars;
}

/** Keys missing or extra, and buckets whose values differ (volume to 1e-9 relative). */
function barDifferences(expected: Map<string, Bar>, stored: Map<string, Bar>): string[] {
  const out: string[] = [];
  for (const [key, e] of expected) {
    const s = stored.get(key);
    if (s === undefined) out.push(`${key} missing`);
    else if (
      s.open !== e.open ||
      s.high !== e.high ||
      s.low !== e.low ||
      s.close !== e.close ||
      s.count !== e.count ||
      Math.abs(s.volume - e.volume) > 1e-9 * Math.max(1, e.volume)
    ) {
      out.push(`${key} stored ${JSON.stringify(s)} expected ${JSON.stringify(e)}`);
    }
  }
  for (const key of stored.keys()) if (!expected.has(key)) out.push(`${key} not expected`);
  return out;
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Every tag closed in order, one root element: enough to say the SVG parses as XML. */
function wellFormedXml(text: string): boolean {
  const stack: string[] = [];
  let roots = 0;
  for (const m of text.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (close === '/') {
      if (stack.pop() !== name) return false;
    } else if (selfClose !== '/') {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  return stack.length === 0 && roots === 1;
}

function checkLatency(t: Test, what: string, l: LatencySummary): void {
  t.ok(l.samples > 0, `${what}: ${l.samples} updates timed`);
  t.ok(
    l.p50 > 0 && l.p50 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max,
    `${what}: 0 < p50 <= p99 <= p99.9 <= max`,
    l,
  );
}

t.test('a two-step harness run reports numbers that agree with what was stored', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tickflow-harness-test-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const options: HarnessOptions = {
    ...HARNESS_DEFAULTS,
    steps: [200, 500],
    stepSeconds: 5,
    warmupSeconds: 1,
    startWarmupSeconds: 2,
    clients: 6,
    clientProcs: 2,
    symbols: 50,
    shards: 2,
    // The verdicts are not under test here (the machine is shared); both steps must run.
    stopAtSaturation: false,
    record: false,
    outDir: out,
    qdbHeap: '512m',
  };
  const trades: Trade[] = [];
  let drained = false;
  const result: HarnessResult = await runHarness(options, {
    onTrade: (tr) => trades.push(tr),
    log: (line) => t.comment(line),
    afterDrain: async ({ qdbHttpUrl, published }) => {
      drained = true;
      t.equal(published.rejected, 0, 'no trade refused by validation');
      t.equal(published.failed, 0, 'no message given up');
      t.equal(
        published.ackedRecords,
        trades.length,
        'every trade handed to the publisher was acked by the stream',
      );
      const count = async (): Promise<number> =>
        Number((await questDbExec(qdbHttpUrl, 'select count() from trades')).dataset[0]![0]);
      const t0 = Date.now();
      const landed = await eventually(async () => (await count()) === trades.length, 120_000);
      t.comment(`trades visible in QuestDB after ${Date.now() - t0} ms`);
      t.ok(landed, 'QuestDB reached the published count');
      t.equal(await count(), trades.length, `trades stored = trades published (${trades.length})`);

      const expected = foldBars(trades);
      let diffs: string[] = [];
      await eventually(async () => {
        diffs = barDifferences(expected, await storedBars(qdbHttpUrl));
        return diffs.length === 0;
      }, 120_000);
      t.same(
        diffs.slice(0, 10),
        [],
        `the ${expected.size} stored 1s candles equal a fold of the published trades`,
      );
    },
  });
  t.ok(drained, 'the drain hook ran');

  t.equal(result.steps.length, 2, 'both steps ran');
  t.equal(result.published.trades, trades.length, 'the result counts the published trades');
  let stepTrades = 0;
  for (const s of result.steps) {
    const name = `step ${s.targetRate}/s`;
    stepTrades += s.tradesIn.trades;
    t.ok(s.tradesIn.trades > 0 && s.tradesIn.perSec > 0, `${name}: ${s.tradesIn.trades} trades in`);
    t.ok(
      Math.abs(s.tradesIn.perSec - s.tradesIn.trades / s.seconds) < 1e-6,
      `${name}: rate = trades / window seconds`,
    );
    t.ok(
      s.candlesOut.natsPerSec > 0,
      `${name}: ${s.candlesOut.natsPerSec.toFixed(0)} 1s-candle updates/s on NATS`,
    );
    t.ok(
      s.candlesOut.wsPerSec > 0,
      `${name}: ${s.candlesOut.wsPerSec.toFixed(0)} updates/s at the WS clients`,
    );
    // Every client holds the same subscription: each one receives about what NATS carried.
    t.ok(
      s.candlesOut.wsPerClientPerSec <= 1.5 * s.candlesOut.natsPerSec + 5,
      `${name}: a client receives no more than NATS carried (${s.candlesOut.wsPerClientPerSec.toFixed(0)} vs ${s.candlesOut.natsPerSec.toFixed(0)}/s)`,
    );
    checkLatency(t, `${name} publish -> NATS`, s.latency.nats);
    checkLatency(t, `${name} publish -> WS`, s.latency.ws);
    t.ok(s.latency.ws.p50 >= s.latency.nats.p50 * 0.5, `${name}: the WS hop does not beat NATS by much`);
    for (const group of ['engine', 'gateway']) {
      const u = s.usage[group]!;
      t.ok(u.cpuPercent > 0, `${name}: ${group} CPU ${u.cpuPercent}% of a core`);
      t.ok(
        u.rssEnd > 10 * 2 ** 20 && u.rssMax >= u.rssEnd,
        `${name}: ${group} RSS ${Math.round(u.rssEnd / 2 ** 20)} MiB`,
      );
    }
    t.equal(s.drops.publishFailed, 0, `${name}: no publish failed`);
    t.equal(s.lag.samples[0], s.lag.start, `${name}: backlog samples start at the start`);
    t.equal(s.lag.samples.at(-1), s.lag.end, `${name}: and end at the end`);
  }
  t.ok(stepTrades <= result.published.trades, 'the steps count no more trades than were published');
  t.ok(result.peakRss.engine > 0 && result.peakRss.gateway > 0, 'peak RSS read for engine and gateway');

  const files = writeResultFiles(result);
  const json = JSON.parse(readFileSync(files.json, 'utf8')) as HarnessResult;
  t.equal(json.steps.length, 2, 'the JSON result parses and holds both steps');
  t.equal(json.published.trades, trades.length, 'and the published count');
  const svg = readFileSync(files.svg, 'utf8');
  t.ok(svg.startsWith('<svg') && wellFormedXml(svg), 'the SVG chart parses as XML');
  t.match(svg, /achieved rate/, 'the chart labels its x axis');
  t.equal((svg.match(/<circle /g) ?? []).length, 2 * 4, 'one dot per step and series');
});
