import { parseArgs } from 'node:util';
import type { ActorConfig, IndicatorSpec } from '../actors/index.js';
import { DEFAULT_ACTOR_CONFIG, parseIndicatorSpec } from '../actors/index.js';
import { backfill } from '../engine/backfill/backfill.js';
import type { OutputFormat } from '../engine/backfill/record-writer.js';
import type { TimeUnit, TradeFileFormat } from '../engine/backfill/trade-file.js';
import { TRADE_FILE_COLUMNS } from '../engine/backfill/trade-file.js';
import type { Interval } from '../schemas/index.js';
import { INTERVALS } from '../schemas/index.js';
import { UsageError } from './usage-error.js';

export const BACKFILL_HELP = `tickflow backfill — compute candles and indicators from a trades file

Usage: tickflow backfill --input trades.csv --candles candles.csv [options]

The same actors as the live engine run over the file; every candle is written
once, in its final form, with the indicator values at it.

Options:
  --input FILE            trades file (CSV with a header line, or NDJSON)          (required)
  --input-format F        csv | ndjson; default from the file extension
  --time-unit U           unit of numeric timestamps: s | ms | us | ns             (default ms)
  --venue V               venue for rows without a venue column                    (default file)
  --candles FILE          candles output                                           (required)
  --indicators FILE       indicator output (one row per final candle)
  --alerts FILE           anomaly alerts output
  --format F              csv | ndjson for outputs; default from --candles extension
  --intervals LIST        candle intervals, e.g. 1m,5m,1h  (default ${DEFAULT_ACTOR_CONFIG.candles.intervals.join(',')})
                          accepted: ${INTERVALS.join(', ')}
  --indicator SPEC        repeatable; e.g. sma:50, ema:12, rsi:14, macd:12,26,9, bollinger:20,2,
                          atr:14, vwap, volatility:20  (default: the engine's default set)
  --allowed-lateness MS   how late (ms behind the newest trade) a trade may still revise a candle
                          (default ${DEFAULT_ACTOR_CONFIG.candles.allowedLatenessMs}); raise it for files not sorted by time
  --on-error MODE         skip (report bad lines and go on) | fail (stop, write nothing)  (default skip)
  -h, --help              this help

Input columns (CSV header names or NDJSON keys, case-insensitive):
${Object.entries(TRADE_FILE_COLUMNS)
  .map(([k, v]) => `  ${k.padEnd(8)} ${v}`)
  .join('\n')}
`;

function formatOf(path: string, given: string | undefined, key: string): 'csv' | 'ndjson' {
  const f = given ?? (/\.(nd)?jsonl?$/i.test(path) ? 'ndjson' : 'csv');
  if (f !== 'csv' && f !== 'ndjson') throw new UsageError(`${key} must be csv or ndjson, got '${f}'`);
  return f;
}

export async function backfillCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string' },
      'input-format': { type: 'string' },
      'time-unit': { type: 'string', default: 'ms' },
      venue: { type: 'string', default: 'file' },
      candles: { type: 'string' },
      indicators: { type: 'string' },
      alerts: { type: 'string' },
      format: { type: 'string' },
      intervals: { type: 'string' },
      indicator: { type: 'string', multiple: true },
      'allowed-lateness': { type: 'string' },
      'on-error': { type: 'string', default: 'skip' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(BACKFILL_HELP);
    return 0;
  }
  if (!values.input) throw new UsageError('--input is required (a trades file, CSV or NDJSON)');
  if (!values.candles) throw new UsageError('--candles is required (where to write the candles)');
  const unit = values['time-unit'];
  if (unit !== 's' && unit !== 'ms' && unit !== 'us' && unit !== 'ns') {
    throw new UsageError(`--time-unit must be one of s, ms, us, ns, got '${unit}'`);
  }
  const onError = values['on-error'];
  if (onError !== 'skip' && onError !== 'fail')
    throw new UsageError(`--on-error must be skip or fail, got '${onError}'`);

  let config: ActorConfig = DEFAULT_ACTOR_CONFIG;
  if (values.intervals) {
    const list = values.intervals.split(',').map((s) => s.trim());
    for (const iv of list) {
      if (!(INTERVALS as readonly string[]).includes(iv)) {
        throw new UsageError(`--intervals: unknown interval '${iv}', accepted: ${INTERVALS.join(', ')}`);
      }
    }
    const intervals = list as Interval[];
    config = { ...config, candles: { ...config.candles, intervals }, indicatorIntervals: intervals };
  }
  if (values.indicator) {
    const specs: IndicatorSpec[] = [];
    for (const text of values.indicator) {
      const spec = parseIndicatorSpec(text);
      if ('error' in spec) throw new UsageError(`--indicator ${text}: ${spec.error}`);
      specs.push(spec);
    }
    config = { ...config, indicators: specs };
  }
  if (values['allowed-lateness'] !== undefined) {
    const ms = Number(values['allowed-lateness']);
    if (!Number.isFinite(ms) || ms < 0) {
      throw new UsageError(
        `--allowed-lateness must be a number of milliseconds >= 0, got '${values['allowed-lateness']}'`,
      );
    }
    config = { ...config, candles: { ...config.candles, allowedLatenessMs: ms } };
  }

  const inputFormat: TradeFileFormat = formatOf(values.input, values['input-format'], '--input-format');
  const outputFormat: OutputFormat = formatOf(values.candles, values.format, '--format');
  let badLines = 0;
  const summary = await backfill({
    input: values.input,
    inputFormat,
    venue: values.venue,
    timeUnit: unit as TimeUnit,
    candlesOut: values.candles,
    indicatorsOut: values.indicators ?? null,
    alertsOut: values.alerts ?? null,
    outputFormat,
    onError,
    config,
    now: Date.now(),
    report: (lineNo, message) => {
      if (++badLines <= 20) process.stderr.write(`${values.input}:${lineNo}: ${message}\n`);
      else if (badLines === 21) process.stderr.write('… further bad lines are counted, not printed\n');
    },
  });
  const rejected = Object.entries(summary.rejected)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(
    `backfill: ${summary.lines} lines, ${summary.trades} trades over ${summary.symbols} symbols in ` +
      `${(summary.elapsedMs / 1000).toFixed(2)} s; wrote ${summary.candles} candles` +
      (values.indicators ? `, ${summary.indicators} indicator rows` : '') +
      (values.alerts ? `, ${summary.alerts} alerts` : '') +
      `; late ${summary.late}, revisions ${summary.revisions}` +
      (rejected ? `; rejected ${rejected}` : '') +
      '\n',
  );
  return 0;
}
