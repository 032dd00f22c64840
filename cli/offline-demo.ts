import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_ACTOR_CONFIG } from '../actors/index.js';
import { backfill } from '../engine/backfill/backfill.js';
import type { Alert, Candle, IndicatorSnapshot } from '../schemas/index.js';
import { writeSample } from './sample-command.js';

const DIR = '.demo';

function fmt(n: number | null | undefined, digits = 2): string {
  return n === null || n === undefined ? '—' : n.toFixed(digits);
}

async function readNdjson<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/**
 * The offline demo (`tickflow demo --offline`): a simulated market written to
 * a file, the actors run over it exactly as the engine runs them, and a look
 * at what came out. No servers needed.
 */
export async function offlineDemo(): Promise<number> {
  await mkdir(DIR, { recursive: true });
  const input = join(DIR, 'trades.csv');
  const trades = 300_000;
  process.stdout.write(`demo: simulating ${trades} trades over 50 symbols into ${input}\n`);
  const sample = await writeSample({
    out: input,
    trades,
    symbols: 50,
    ratePerSec: 250,
    seed: 7,
    format: 'csv',
  });
  process.stdout.write(
    `demo: the market covers ${(sample.spanMs / 60000).toFixed(0)} minutes of event time\n`,
  );

  const out = {
    candles: join(DIR, 'candles.ndjson'),
    indicators: join(DIR, 'indicators.ndjson'),
    alerts: join(DIR, 'alerts.ndjson'),
  };
  const summary = await backfill({
    input,
    inputFormat: 'csv',
    venue: 'sim',
    timeUnit: 'ms',
    candlesOut: out.candles,
    indicatorsOut: out.indicators,
    alertsOut: out.alerts,
    outputFormat: 'ndjson',
    onError: 'skip',
    config: DEFAULT_ACTOR_CONFIG,
    now: Date.now(),
  });
  const perSec = summary.trades / (summary.elapsedMs / 1000);
  process.stdout.write(
    `demo: ${summary.trades} trades -> ${summary.candles} candles, ${summary.indicators} indicator rows, ` +
      `${summary.alerts} alerts in ${(summary.elapsedMs / 1000).toFixed(2)} s (${Math.round(perSec)} trades/s incl. file I/O)\n\n`,
  );

  const candles = await readNdjson<Candle>(out.candles);
  const indicators = await readNdjson<IndicatorSnapshot>(out.indicators);
  const alerts = await readNdjson<Alert>(out.alerts);
  const symbol = 'BTC/USDT';
  const last = candles.filter((c) => c.symbol === symbol && c.interval === '1m').slice(-8);
  const byTs = new Map(
    indicators
      .filter((x) => x.symbol === symbol && x.interval === '1m')
      .map((x) => [x.ts, x.values] as const),
  );
  process.stdout.write(`Last 1m candles of ${symbol} (UTC), with indicators:\n`);
  process.stdout.write(
    'start                 open        high        low         close       volume    trades  sma20       rsi14  macdHist\n',
  );
  for (const c of last) {
    const v = byTs.get(c.start) ?? {};
    process.stdout.write(
      `${new Date(c.start).toISOString().slice(0, 19)}   ${fmt(c.open).padEnd(11)} ${fmt(c.high).padEnd(11)} ` +
        `${fmt(c.low).padEnd(11)} ${fmt(c.close).padEnd(11)} ${fmt(c.volume, 3).padEnd(9)} ${String(c.trades).padEnd(7)} ` +
        `${fmt(v.sma20).padEnd(11)} ${fmt(v.rsi14, 1).padEnd(6)} ${fmt(v.macdHist, 3)}\n`,
    );
  }
  const kinds = new Map<string, number>();
  for (const a of alerts)
    kinds.set(`${a.kind}/${a.severity}`, (kinds.get(`${a.kind}/${a.severity}`) ?? 0) + 1);
  process.stdout.write(`\nAlerts by kind: ${[...kinds].map(([k, n]) => `${k}=${n}`).join(', ') || 'none'}\n`);
  const example = alerts[0];
  if (example) process.stdout.write(`  e.g. ${example.message}\n`);
  process.stdout.write(
    `\nOutputs: ${out.candles}, ${out.indicators}, ${out.alerts}\n` +
      'Run the same on your own file: node bin/tickflow.js backfill --input trades.csv --candles candles.csv\n',
  );
  return 0;
}
