import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Alert, Candle, IndicatorSnapshot } from '../../schemas/index.js';
import { csvField } from './csv.js';

export type OutputFormat = 'csv' | 'ndjson';

/** CSV columns of candle output, in order (NDJSON writes the Candle record itself). */
export const CANDLE_CSV_COLUMNS = [
  'venue',
  'symbol',
  'interval',
  'start',
  'end',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'notional',
  'vwap',
  'trades',
  'buyVolume',
  'sellVolume',
  'firstTradeTs',
  'lastTradeTs',
  'revision',
] as const;

/** CSV columns of alert output. */
export const ALERT_CSV_COLUMNS = [
  'venue',
  'symbol',
  'kind',
  'severity',
  'ts',
  'value',
  'threshold',
  'message',
] as const;

/** CSV columns of indicator output: the key columns, then one per indicator output name. */
export function indicatorCsvColumns(names: readonly string[]): string[] {
  return ['venue', 'symbol', 'interval', 'ts', 'revision', ...names];
}

/**
 * Writes records to `<path>.partial` and renames it to `<path>` on commit, so
 * a failed or interrupted run never leaves a half-written file under the
 * final name. Honours stream backpressure.
 */
export class RecordWriter {
  readonly path: string;
  private readonly format: OutputFormat;
  private readonly partial: string;
  private readonly stream: WriteStream;
  private buffered: string[] = [];
  private bufferedBytes = 0;
  private failure: Error | null = null;
  count = 0;

  /** `csvColumns` is the header line written first in CSV format. */
  constructor(path: string, format: OutputFormat, csvColumns: readonly string[]) {
    this.path = path;
    this.format = format;
    this.partial = `${path}.partial`;
    this.stream = createWriteStream(this.partial);
    this.stream.on('error', (err) => {
      this.failure = err;
    });
    if (format === 'csv') {
      this.buffered.push(csvColumns.join(','), '\n');
    }
  }

  writeCandle(c: Candle): Promise<void> | null {
    if (this.format === 'ndjson') return this.line(JSON.stringify(c));
    let s = '';
    for (let i = 0; i < CANDLE_CSV_COLUMNS.length; i++) {
      if (i > 0) s += ',';
      s += csvField(c[CANDLE_CSV_COLUMNS[i]!]);
    }
    return this.line(s);
  }

  writeIndicator(x: IndicatorSnapshot, names: readonly string[]): Promise<void> | null {
    if (this.format === 'ndjson') return this.line(JSON.stringify(x));
    let s = `${csvField(x.venue)},${csvField(x.symbol)},${x.interval},${x.ts},${x.revision}`;
    for (let i = 0; i < names.length; i++) s += `,${csvField(x.values[names[i]!] ?? null)}`;
    return this.line(s);
  }

  writeAlert(a: Alert): Promise<void> | null {
    if (this.format === 'ndjson') return this.line(JSON.stringify(a));
    return this.line(ALERT_CSV_COLUMNS.map((k) => csvField(a[k])).join(','));
  }

  /** Flushes, closes and renames into place. */
  async commit(): Promise<void> {
    await this.drainBuffer();
    await new Promise<void>((resolve, reject) =>
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    if (this.failure) throw this.failure;
    await rename(this.partial, this.path);
  }

  /** Closes and deletes the partial file. */
  async abort(): Promise<void> {
    this.buffered = [];
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    await unlink(this.partial).catch(() => undefined);
  }

  /** Buffers a line; returns a promise only when the caller must wait for the disk. */
  private line(s: string): Promise<void> | null {
    this.count++;
    this.buffered.push(s);
    this.buffered.push('\n');
    this.bufferedBytes += s.length + 1;
    return this.bufferedBytes >= 1 << 16 ? this.drainBuffer() : null;
  }

  private drainBuffer(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const chunk = this.buffered.join('');
    this.buffered = [];
    this.bufferedBytes = 0;
    if (chunk.length === 0 || this.stream.write(chunk)) return Promise.resolve();
    return new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }
}
