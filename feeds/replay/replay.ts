/**
 * The replay loop: reads a trades/quotes file line by line, parses it, paces it by event time and
 * hands each record to a sink (the feed's Publisher in production, a collector in tests).
 *
 * Pacing: with `speed` > 0 a record is due at `start + (ts - firstTs) / speed` on the injected
 * clock, minus every event-time gap that was cut: a gap longer than `maxGapMs` (after scaling)
 * counts as `maxGapMs`, so a file spanning a weekend does not sleep for two days. Records whose
 * time goes backwards are due at once. The clock is read only when a record might be due in
 * the future, and sleeps are whole milliseconds, so pacing costs no timer per record.
 *
 * Bad lines: with `onError: 'skip'` each is reported to `onBadLine` and skipped; with `'fail'`
 * the loop stops at the first one without handing it or anything after it to the sink. Records
 * before it were already given to the sink: the caller flushes them, so they are published.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import type { Quote, Trade } from '../../schemas/index.js';
import { BinanceTradesCsvParser } from './binance-trades-csv.js';
import { ReplayError } from './errors.js';
import { detectFormat } from './format-detection.js';
import type { LineParser, ReplayFormat } from './line-parser.js';
import { NdjsonRecordParser } from './ndjson-records.js';
import { TardisTradesCsvParser } from './tardis-trades-csv.js';

/** Where replayed records go; a `Publisher` satisfies it. A returned promise must be awaited. */
export interface RecordSink {
  publish(record: Trade | Quote): Promise<void> | undefined;
}

/** Monotonic time in ms and a sleep; injected so pacing is testable without waiting. */
export interface ReplayClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Counters passed to `onProgress`. */
export interface ReplayProgress {
  records: number;
  badLines: number;
  /** Last line read, 1-based. */
  lineNo: number;
  /** Bytes of the file read so far (compressed bytes for `.gz`). */
  bytesRead: number;
  totalBytes: number;
  elapsedMs: number;
}

/** Options of {@link replayFile}. */
export interface ReplayOptions {
  /** File to read; a name ending in `.gz` is gunzipped on the fly. */
  path: string;
  /** Default `auto`: detected from the first non-blank line. */
  format?: ReplayFormat | 'auto';
  /** Venue code for formats without one (binance). Default `binance`. */
  venue?: string;
  /** Symbol for formats without one (binance); required for them. */
  symbol?: string;
  /** 0 (default) = as fast as the sink takes records; N = N times the recorded pace. */
  speed?: number;
  /** Longest pause between two records in paced mode, ms of wall time. Default 1000. */
  maxGapMs?: number;
  /** Default `skip`. */
  onError?: 'skip' | 'fail';
  onBadLine?: (lineNo: number, problem: string) => void;
  onProgress?: (progress: ReplayProgress) => void;
  /** Default 1000. */
  progressMs?: number;
  signal?: AbortSignal;
  clock?: ReplayClock;
  /** Epoch ms used to reject records from the future. Default `Date.now()`. */
  now?: number;
}

/** What a replay did. */
export interface ReplaySummary {
  /** Undefined only when aborted before the first non-blank line. */
  format: ReplayFormat | undefined;
  lines: number;
  records: number;
  trades: number;
  quotes: number;
  badLines: number;
  /** `end` of file, `signal` (aborted) or `bad_line` (fail mode). */
  stoppedBy: 'end' | 'signal' | 'bad_line';
  /** The first bad line, when there was one. */
  firstBadLine: { lineNo: number; problem: string } | undefined;
  /** Sum of pacing sleeps, ms. */
  sleptMs: number;
  elapsedMs: number;
}

const realClock: ReplayClock = {
  now: () => performance.now(),
  sleep: (ms) => sleepMs(ms),
};

// Longest single sleep, so an abort is noticed promptly even at slow speeds.
const SLEEP_SLICE_MS = 250;

/** Builds the parser of a format; throws `TF_ERR_REPLAY_OPTION` when binance lacks a symbol. */
export function parserFor(
  format: ReplayFormat,
  o: { venue?: string; symbol?: string; now: number },
): LineParser {
  if (format === 'binance') {
    if (o.symbol === undefined) {
      throw new ReplayError(
        'TF_ERR_REPLAY_OPTION',
        'options.symbol is required for the binance format: the file does not name its symbol',
      );
    }
    return new BinanceTradesCsvParser({ venue: o.venue ?? 'binance', symbol: o.symbol, now: o.now });
  }
  return format === 'tardis'
    ? new TardisTradesCsvParser({ now: o.now })
    : new NdjsonRecordParser({ now: o.now });
}

/** Replays one file into `sink`; resolves when the file ends, the signal aborts or a bad line stops it. */
export async function replayFile(o: ReplayOptions, sink: RecordSink): Promise<ReplaySummary> {
  const speed = o.speed ?? 0;
  if (!(Number.isFinite(speed) && speed >= 0)) {
    throw new ReplayError('TF_ERR_REPLAY_OPTION', `options.speed must be a finite number >= 0, got ${speed}`);
  }
  const maxGapMs = o.maxGapMs ?? 1000;
  if (!(Number.isFinite(maxGapMs) && maxGapMs >= 0)) {
    throw new ReplayError(
      'TF_ERR_REPLAY_OPTION',
      `options.maxGapMs must be a finite number >= 0, got ${maxGapMs}`,
    );
  }
  const clock = o.clock ?? realClock;
  const failFast = (o.onError ?? 'skip') === 'fail';
  const totalBytes = (await stat(o.path)).size;
  const file = createReadStream(o.path, { highWaterMark: 1 << 16 });
  const input = o.path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const started = clock.now();
  let format: ReplayFormat | undefined = o.format === 'auto' ? undefined : o.format;
  let parser: LineParser | undefined;
  let lineNo = 0;
  let records = 0;
  let trades = 0;
  let badLines = 0;
  let firstBadLine: ReplaySummary['firstBadLine'];
  let stoppedBy: ReplaySummary['stoppedBy'] = 'end';
  let sleptMs = 0;
  // Pacing state: wall time of the first record, its event time, and the gap time cut so far.
  let anchorWall = 0;
  let anchorTs = Number.NaN;
  let prevTs = 0;
  let cutMs = 0;
  let lastNow = started;
  let nextProgress = started + (o.progressMs ?? 1000);
  const progress = (): ReplayProgress => ({
    records,
    badLines,
    lineNo,
    bytesRead: file.bytesRead,
    totalBytes,
    elapsedMs: clock.now() - started,
  });
  try {
    for await (const line of lines) {
      lineNo++;
      if (o.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (parser === undefined) {
        if (line.trim() === '') continue;
        if (format === undefined) {
          format = detectFormat(line);
          if (format === undefined) {
            throw new ReplayError(
              'TF_ERR_REPLAY_FORMAT',
              `cannot tell the format of ${o.path} from line ${lineNo}: pass --format binance, tardis or ndjson`,
            );
          }
        }
        parser = parserFor(format, { venue: o.venue, symbol: o.symbol, now: o.now ?? Date.now() });
      }
      const r = parser.parse(line, lineNo);
      if (r === null) continue;
      if (typeof r === 'string') {
        badLines++;
        if (firstBadLine === undefined) firstBadLine = { lineNo, problem: r };
        o.onBadLine?.(lineNo, r);
        if (failFast) {
          stoppedBy = 'bad_line';
          break;
        }
        continue;
      }
      if (speed > 0) {
        const ts = r.ts;
        if (Number.isNaN(anchorTs)) {
          anchorTs = ts;
          prevTs = ts;
          anchorWall = clock.now();
          lastNow = anchorWall;
        } else if (ts > prevTs) {
          const gap = (ts - prevTs) / speed;
          if (gap > maxGapMs) cutMs += gap - maxGapMs;
          prevTs = ts;
          const due = anchorWall + (prevTs - anchorTs) / speed - cutMs;
          if (due - lastNow >= 1) {
            lastNow = clock.now();
            while (due - lastNow >= 1) {
              if (o.signal?.aborted) break;
              const ms = Math.min(SLEEP_SLICE_MS, Math.floor(due - lastNow));
              await clock.sleep(ms);
              sleptMs += ms;
              lastNow = clock.now();
            }
          }
        }
      }
      records++;
      if (r.type === 'trade') trades++;
      const wait = sink.publish(r);
      if (wait !== undefined) await wait;
      // The clock is read every 1024 records, or after a pacing sleep (slow replays still report).
      if (o.onProgress !== undefined && ((records & 1023) === 0 || lastNow > nextProgress)) {
        const now = clock.now();
        if (now >= nextProgress) {
          nextProgress = now + (o.progressMs ?? 1000);
          o.onProgress(progress());
        }
      }
    }
  } finally {
    lines.close();
    file.destroy();
  }
  if (format === undefined && stoppedBy === 'end') {
    throw new ReplayError('TF_ERR_REPLAY_FORMAT', `${o.path} has no records: it is empty or blank`);
  }
  o.onProgress?.(progress());
  return {
    format,
    lines: lineNo,
    records,
    trades,
    quotes: records - trades,
    badLines,
    stoppedBy,
    firstBadLine,
    sleptMs,
    elapsedMs: clock.now() - started,
  };
}
