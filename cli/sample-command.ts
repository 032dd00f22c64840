import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { csvField } from '../engine/backfill/csv.js';
import { SimulatedMarket } from '../feeds/simulator/market.js';
import { UsageError } from './usage-error.js';

export const SAMPLE_HELP = `tickflow sample — write a simulated trades file (CSV or NDJSON)

Usage: tickflow sample --out trades.csv [--trades N] [--symbols N] [--rate PER_SEC] [--seed N]

Geometric Brownian motion per symbol, Zipf-skewed activity, occasional jumps;
the same seed gives the same file. Columns: venue,symbol,ts,price,size,side,id,seq.
`;

export interface SampleOptions {
  out: string;
  trades: number;
  symbols: number;
  ratePerSec: number;
  seed: number;
  format: 'csv' | 'ndjson';
}

/** Writes `trades` simulated trades to a file; returns the event-time span covered, ms. */
export async function writeSample(o: SampleOptions): Promise<{ trades: number; spanMs: number }> {
  const market = new SimulatedMarket({
    seed: o.seed,
    symbols: o.symbols,
    ratePerSec: o.ratePerSec,
    quoteFraction: 0,
  });
  const out = createWriteStream(o.out);
  let chunk = o.format === 'csv' ? 'venue,symbol,ts,price,size,side,id,seq\n' : '';
  const first = market.now;
  for (let n = 0; n < o.trades; ) {
    const r = market.next();
    if (r.type !== 'trade') continue;
    n++;
    chunk +=
      o.format === 'csv'
        ? `${r.venue},${csvField(r.symbol)},${r.ts},${r.price},${r.size},${r.side},${r.id},${r.seq}\n`
        : `${JSON.stringify(r)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { trades: o.trades, spanMs: market.now - first };
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a number > 0, got '${text}'`);
  return n;
}

export async function sampleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      trades: { type: 'string', default: '100000' },
      symbols: { type: 'string', default: '50' },
      rate: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(SAMPLE_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('--out is required (where to write the trades file)');
  const r = await writeSample({
    out: values.out,
    trades: Math.floor(positive('trades', values.trades)),
    symbols: Math.floor(positive('symbols', values.symbols)),
    ratePerSec: positive('rate', values.rate),
    seed: Math.floor(Number(values.seed)),
    format: /\.(nd)?jsonl?$/i.test(values.out) ? 'ndjson' : 'csv',
  });
  process.stdout.write(
    `sample: wrote ${r.trades} trades covering ${(r.spanMs / 60000).toFixed(1)} minutes to ${values.out}\n`,
  );
  return 0;
}
