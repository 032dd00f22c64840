import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ActorConfig, ActorSink, SymbolActor } from '../../actors/index.js';
import { ActorFactory } from '../../actors/index.js';
import type { Alert, Candle, IndicatorSnapshot } from '../../schemas/index.js';
import type { OutputFormat } from './record-writer.js';
import { ALERT_CSV_COLUMNS, CANDLE_CSV_COLUMNS, indicatorCsvColumns, RecordWriter } from './record-writer.js';
import type { TimeUnit, TradeFileFormat } from './trade-file.js';
import { TradeFileParser } from './trade-file.js';

export interface BackfillOptions {
  input: string;
  inputFormat: TradeFileFormat;
  /** Venue for rows without one. */
  venue: string;
  timeUnit: TimeUnit;
  candlesOut: string;
  indicatorsOut: string | null;
  alertsOut: string | null;
  outputFormat: OutputFormat;
  /** `skip` reports bad lines and goes on; `fail` stops at the first one and writes nothing. */
  onError: 'skip' | 'fail';
  config: ActorConfig;
  /** Wall clock used to reject timestamps in the future. */
  now: number;
  /** Called for each bad line (line number from 1, and why). */
  report?: (lineNo: number, message: string) => void;
}

export interface BackfillSummary {
  lines: number;
  trades: number;
  symbols: number;
  /** Lines that could not be parsed, plus trades that failed validation, by reason. */
  rejected: Record<string, number>;
  /** Trades older than the allowed lateness: kept out of candles. */
  late: number;
  revisions: number;
  candles: number;
  indicators: number;
  alerts: number;
  elapsedMs: number;
}

/** Thrown in `fail` mode on the first bad line. */
export class BackfillInputError extends Error {
  readonly code = 'TF_ERR_BAD_INPUT_LINE';
  readonly lineNo: number;
  constructor(lineNo: number, message: string) {
    super(`line ${lineNo}: ${message}`);
    this.lineNo = lineNo;
  }
}

/**
 * Offline run of the live actors over a trades file: every candle is written
 * once, in its final form (after any revision), with the indicator values at
 * it. The same actor code as the engine, so a backfill equals the stream.
 */
export async function backfill(o: BackfillOptions): Promise<BackfillSummary> {
  const started = performance.now();
  const factory = new ActorFactory(o.config);
  const names = factory.program.outputNames;
  const candles = new RecordWriter(o.candlesOut, o.outputFormat, CANDLE_CSV_COLUMNS);
  const indicators = o.indicatorsOut
    ? new RecordWriter(o.indicatorsOut, o.outputFormat, indicatorCsvColumns(names))
    : null;
  const alerts = o.alertsOut ? new RecordWriter(o.alertsOut, o.outputFormat, ALERT_CSV_COLUMNS) : null;
  const writers = [candles, indicators, alerts].filter((w): w is RecordWriter => w !== null);

  // The actor calls the sink synchronously; writes that must wait for the disk are awaited after each line.
  const waits: Promise<void>[] = [];
  const sink: ActorSink = {
    candle(): void {},
    indicator(): void {},
    alert(a: Alert): void {
      const w = alerts?.writeAlert(a);
      if (w) waits.push(w);
    },
    final(c: Candle, x: IndicatorSnapshot | null): void {
      const w = candles.writeCandle(c);
      if (w) waits.push(w);
      if (indicators && x) {
        const wi = indicators.writeIndicator(x, names);
        if (wi) waits.push(wi);
      }
    },
  };

  const actors = new Map<string, SymbolActor>();
  const summary: BackfillSummary = {
    lines: 0,
    trades: 0,
    symbols: 0,
    rejected: {},
    late: 0,
    revisions: 0,
    candles: 0,
    indicators: 0,
    alerts: 0,
    elapsedMs: 0,
  };
  const reject = (lineNo: number, reason: string, message: string): void => {
    summary.rejected[reason] = (summary.rejected[reason] ?? 0) + 1;
    if (o.onError === 'fail') throw new BackfillInputError(lineNo, message);
    o.report?.(lineNo, message);
  };

  const parser = new TradeFileParser({ format: o.inputFormat, venue: o.venue, timeUnit: o.timeUnit });
  const input = createInterface({ input: createReadStream(o.input), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of input) {
      const lineNo = ++summary.lines;
      const parsed = parser.parse(line, lineNo);
      if (parsed.kind === 'skip') continue;
      if (parsed.kind === 'error') {
        reject(lineNo, 'bad_line', parsed.message);
        continue;
      }
      const t = parsed.trade;
      const key = `${t.venue}\u0000${t.symbol}`;
      let actor = actors.get(key);
      if (actor === undefined) {
        actor = factory.create(t.venue, t.symbol, sink);
        actors.set(key, actor);
      }
      const outcome = actor.onTrade(t, o.now);
      if (outcome === 'late') summary.late++;
      else if (outcome !== 'ok') reject(lineNo, outcome, `trade rejected: ${outcome}`);
      else summary.trades++;
      if (waits.length > 0) await Promise.all(waits.splice(0));
    }
    for (const actor of actors.values()) {
      actor.closeAll();
      summary.revisions += actor.stats.revisions;
      if (waits.length > 0) await Promise.all(waits.splice(0));
    }
    await Promise.all(writers.map((w) => w.commit()));
  } catch (err) {
    input.close();
    await Promise.all(writers.map((w) => w.abort()));
    throw err;
  }
  summary.symbols = actors.size;
  summary.candles = candles.count;
  summary.indicators = indicators?.count ?? 0;
  summary.alerts = alerts?.count ?? 0;
  summary.elapsedMs = performance.now() - started;
  return summary;
}
