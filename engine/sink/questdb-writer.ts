/**
 * One QuestDB writer per shard: records are added synchronously, `flush()` sends everything
 * added since the last landed flush as one HTTP request (one QuestDB transaction). A failed
 * flush keeps every row and resends it on the next attempt, after an exponential backoff;
 * DEDUP UPSERT KEYS make a resend of rows that did land harmless. Flushes are strictly
 * serialized, so one batch never races another (the client's Sender loses rows under
 * overlapping flushes: questdb/nodejs-questdb-client#44).
 *
 * Rows are encoded by our own line-protocol encoder (ilp-encoder.ts; binary doubles when the
 * server supports protocol version 2, which the first attempt asks `/settings`) and posted by
 * the client's node:http transport (`HttpTransport`, configured from the same configuration
 * string). Not the client's `Sender`: its row builder costs ~7.5 µs a row, and it drops its
 * bytes when a flush fails. Not its default undici transport: with client 4.2.0 a flush to a
 * refused port never settles (RetryAgent retries forever and ignores retry_timeout).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpTransport, SenderOptions } from '@questdb/nodejs-client';
import {
  type Alert,
  type Candle,
  type IndicatorSnapshot,
  type Quote,
  questDbTableNames,
  type Trade,
} from '../../schemas/index.js';
import { backoffDelay } from './backoff.js';
import { SinkError } from './errors.js';
import { type DoubleFormat, LineEncoder, type RowTables } from './ilp-encoder.js';
import { emptyRowCounts, RowBuffer, type TableRowCounts } from './row-buffer.js';
import {
  type QuestDbWriterOptions,
  type ResolvedWriterOptions,
  resolveWriterOptions,
} from './writer-options.js';

/**
 * `idle`: nothing in flight; `flushing`: a request is in flight; `retrying`: the last
 * attempt failed and its rows wait for the next one; `closed`: no more rows accepted.
 */
export type WriterState = 'idle' | 'flushing' | 'retrying' | 'closed';

/** Outcome of one flush attempt. */
export interface FlushResult {
  /** True when the rows landed (or there was nothing to send). */
  ok: boolean;
  /** Rows in this attempt; on failure they are still pending. */
  rows: number;
  /** The same rows per table. */
  byTable: TableRowCounts;
  /** Wall time of the attempt. */
  seconds: number;
  /** Of which encoding the rows. */
  encodeSeconds: number;
  /** Request body size. */
  bytes: number;
  /** 1 for a first attempt, n for the (n-1)th retry of the same rows. */
  attempt: number;
  /** Why the attempt failed (`TF_ERR_SINK_FLUSH`, cause: the client's error). */
  error?: SinkError;
  /** On failure: the earliest the next attempt will send; 0 when ok. */
  retryInMs: number;
}

/** Plain counters the engine folds into prom-client. */
export interface SinkMetrics {
  /** Rows that landed, per table. */
  rowsWritten: TableRowCounts;
  /** Flush attempts that landed rows. */
  flushes: number;
  /** Flush attempts that failed. */
  flushErrors: number;
  /** Sum of attempt wall times, landed or failed. */
  flushSecondsTotal: number;
  /** Wall time of the latest attempt. */
  lastFlushSeconds: number;
  /** Candle updates that replaced a pending row instead of adding one. */
  conflatedCandles: number;
  /** Indicator snapshots that replaced a pending row instead of adding one. */
  conflatedIndicators: number;
}

/** Writes records to QuestDB over ILP/HTTP with retries that never lose a row. */
export class QuestDbWriter {
  /** Counters since the writer opened; read them, do not write them. */
  readonly metrics: SinkMetrics = {
    rowsWritten: emptyRowCounts(),
    flushes: 0,
    flushErrors: 0,
    flushSecondsTotal: 0,
    lastFlushSeconds: 0,
    conflatedCandles: 0,
    conflatedIndicators: 0,
  };
  private readonly opts: ResolvedWriterOptions;
  private readonly transport: HttpTransport;
  private readonly tables: RowTables;
  private readonly settingsUrl: string;
  /** Made by the first attempt, once the double format is known. */
  private encoder: LineEncoder | undefined;
  /** Size of the last body, to size the next one's buffer. */
  private lastBytes = 0;
  /** Records added since the current (or last failed) attempt took its snapshot. */
  private current = new RowBuffer();
  /** Records of the attempt in flight, or of the last failed one. */
  private sending = new RowBuffer();
  /** Open candle and indicator rows held back until `openRowsEveryMs` has passed. */
  private readonly open = new RowBuffer();
  /** When held-back open rows last went along (the writer's start, before the first time). */
  private openWrittenAt = Date.now();
  /** The next attempt takes the held-back open rows whatever their age. */
  private openDue = false;
  /** The next attempt does not wait out `flushEveryMs`. */
  private urgent = false;
  /** Start of the last attempt that sent rows (for `flushEveryMs`). */
  private lastSendAt = 0;
  /** Attempts that took their rows so far (see `stamp`). */
  private taken = 0;
  /** Number of the latest attempt that landed (see `landedStamp`). */
  private landed = 0;
  /** Ends the gap the next attempt is waiting out; null when none is. */
  private endGap: (() => void) | null = null;
  private failures = 0;
  private retryAt = 0;
  private stateValue: WriterState = 'idle';
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<FlushResult> | undefined;

  private constructor(
    opts: ResolvedWriterOptions,
    transport: HttpTransport,
    tables: RowTables,
    settingsUrl: string,
  ) {
    this.opts = opts;
    this.transport = transport;
    this.tables = tables;
    this.settingsUrl = settingsUrl;
  }

  /** Validates the options and creates the writer; does not contact QuestDB. */
  static async open(options: QuestDbWriterOptions): Promise<QuestDbWriter> {
    const opts = resolveWriterOptions(options);
    const tables = questDbTableNames(opts.tablePrefix);
    let transport: HttpTransport;
    let settingsUrl: string;
    try {
      const senderOptions = await SenderOptions.fromConfig(opts.ilpConfig);
      transport = new HttpTransport(senderOptions);
      settingsUrl = `${senderOptions.protocol}://${senderOptions.host}:${senderOptions.port}/settings`;
    } catch (err) {
      throw new SinkError('TF_ERR_SINK_OPTION', `options.ilpUrl is not usable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new QuestDbWriter(opts, transport, tables, settingsUrl);
  }

  /** See {@link WriterState}. */
  get state(): WriterState {
    return this.stateValue;
  }

  /** How doubles are sent; undefined until the first attempt found out. */
  get doubleFormat(): DoubleFormat | undefined {
    return this.encoder?.doubles;
  }

  /**
   * The attempt that rows added now go with (or, if it fails, a later one). A caller that notes
   * it after adding rows knows they landed once `landedStamp` reaches it.
   */
  get stamp(): number {
    return this.taken + 1;
  }

  /** Every row added under a stamp up to this one has landed (held-back open rows aside). */
  get landedStamp(): number {
    return this.landed;
  }

  /** True while rows from a failed attempt wait to be resent. */
  get retrying(): boolean {
    return this.failures > 0;
  }

  /** Rows added and not yet landed (conflated updates count once), held-back open rows included. */
  pendingRows(): number {
    return this.current.rows + this.sending.rows + this.open.rows;
  }

  /** True when the caller should stop pulling input until a flush lands. */
  isFull(): boolean {
    return this.current.rows + this.sending.rows >= this.opts.maxPendingRows;
  }

  addTrade(t: Trade): void {
    this.checkOpen();
    if (!(Number.isFinite(t.ts) && Number.isFinite(t.recvTs))) badTime('trade', t.ts, t.recvTs);
    this.current.addTrade(t);
    if (this.endGap !== null) this.checkGap();
  }

  addQuote(q: Quote): void {
    this.checkOpen();
    if (!(Number.isFinite(q.ts) && Number.isFinite(q.recvTs))) badTime('quote', q.ts, q.recvTs);
    this.current.addQuote(q);
    if (this.endGap !== null) this.checkGap();
  }

  /** Adds a candle row, replacing a pending update of the same candle. */
  addCandle(c: Candle): void {
    this.checkOpen();
    if (
      !(
        Number.isFinite(c.start) &&
        Number.isFinite(c.end) &&
        Number.isFinite(c.firstTradeTs) &&
        Number.isFinite(c.lastTradeTs)
      )
    ) {
      badTime('candle', c.start, c.lastTradeTs);
    }
    if (this.opts.openRowsEveryMs > 0) {
      if (!c.closed) {
        this.open.addCandle(c);
        return;
      }
      // The closed row must not be overwritten later by an older open one of the same key.
      this.open.candles.delete(c);
    }
    this.current.addCandle(c);
    if (this.endGap !== null) this.checkGap();
  }

  /** Adds an indicator row (nulls are left out), replacing a pending snapshot of the same candle. */
  addIndicator(s: IndicatorSnapshot): void {
    this.checkOpen();
    if (!Number.isFinite(s.ts)) badTime('indicator snapshot', s.ts, s.ts);
    if (this.opts.openRowsEveryMs > 0) {
      if (!s.closed) {
        this.open.addIndicator(s);
        return;
      }
      this.open.indicators.delete(s);
    }
    this.current.addIndicator(s);
    if (this.endGap !== null) this.checkGap();
  }

  addAlert(a: Alert): void {
    this.checkOpen();
    if (!Number.isFinite(a.ts)) badTime('alert', a.ts, a.ts);
    this.current.addAlert(a);
    if (this.endGap !== null) this.checkGap();
  }

  /**
   * Sends every row added since the last landed flush. Never rejects for QuestDB being
   * down, slow or failing: the result says so and the rows stay pending. Calls made while
   * an attempt is in flight share the next attempt; an attempt after a failure first waits
   * out the backoff delay. Held-back open rows go along once `openRowsEveryMs` has passed
   * since they last did, or now with `{ open: true }` (a partition hand-over, a stop).
   * Rejects only after `close()`.
   */
  flush(options: { open?: boolean; now?: boolean } = {}): Promise<FlushResult> {
    if (this.stateValue === 'closed') {
      return Promise.reject(new SinkError('TF_ERR_SINK_CLOSED', 'flush() after close()'));
    }
    if (options.open === true) this.openDue = true;
    if (options.open === true || options.now === true) this.hurry();
    return this.scheduleAttempt();
  }

  /**
   * Flushes, retrying with backoff until everything landed or `closeTimeoutMs` passed, then
   * releases the client. Rejects with `TF_ERR_SINK_FLUSH` when rows could not be landed:
   * their input was never acknowledged, so JetStream delivers it again.
   */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    const deadline = Date.now() + this.opts.closeTimeoutMs;
    let last: FlushResult;
    for (;;) {
      this.openDue = true;
      this.hurry();
      last = await this.scheduleAttempt();
      if (last.ok && this.pendingRows() === 0) break;
      if (Date.now() + (last.ok ? 0 : last.retryInMs) > deadline) break;
    }
    this.stateValue = 'closed';
    const left = this.pendingRows();
    await this.transport.close();
    if (left > 0) {
      throw new SinkError(
        'TF_ERR_SINK_FLUSH',
        `closed with ${left} rows not landed in QuestDB after ${this.opts.closeTimeoutMs} ms of retries`,
        { cause: last.error },
      );
    }
  }

  /**
   * The client's own timeouts should end every attempt; this bound makes sure a transport
   * that ignores them cannot stall the shard. Each attempt posts its own buffer, so an
   * abandoned request cannot interfere with the next one (and a late landing is harmless
   * under DEDUP).
   */
  private sendWithDeadline(body: Buffer): Promise<unknown> {
    const o = this.opts;
    const ms = 2 * o.requestTimeoutMs + o.attemptTimeoutMs + 1000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from QuestDB within ${ms} ms (writer deadline)`)),
        ms,
      );
    });
    return Promise.race([this.transport.send(body), deadline]).finally(() => clearTimeout(timer));
  }

  /**
   * Binary doubles when the server lists line protocol version 2 in `/settings` (QuestDB
   * 9.0+), text otherwise, or as the `doubles` option forces. A server that cannot be reached
   * fails this attempt like a failed send; one that answers without the setting (older
   * versions, or `/settings` behind authentication) gets text, which every version reads.
   */
  private async makeEncoder(): Promise<LineEncoder> {
    let format: DoubleFormat;
    if (this.opts.doubles !== 'auto') format = this.opts.doubles;
    else {
      const res = await fetch(this.settingsUrl, { signal: AbortSignal.timeout(this.opts.requestTimeoutMs) });
      format = 'text';
      if (res.ok) {
        const body = (await res.json()) as { config?: Record<string, unknown> };
        const versions = body.config?.['line.proto.support.versions'];
        if (Array.isArray(versions) && versions.map(String).includes('2')) format = 'binary';
      } else await res.body?.cancel();
    }
    this.encoder = new LineEncoder(this.tables, format);
    // From now on trades and quotes are encoded as they are added (see RowBuffer).
    this.current.useLines(new LineEncoder(this.tables, format));
    this.sending.useLines(new LineEncoder(this.tables, format));
    return this.encoder;
  }

  private checkOpen(): void {
    if (this.stateValue === 'closed') throw new SinkError('TF_ERR_SINK_CLOSED', 'row added after close()');
  }

  /** The next attempt skips the `flushEveryMs` gap (and one waiting in it goes now). */
  private hurry(): void {
    this.urgent = true;
    this.endGap?.();
  }

  /** A row was added while an attempt waits out its gap: enough rows end it. */
  private checkGap(): void {
    if (this.current.rows >= this.opts.flushRows) this.endGap?.();
  }

  /** Waits until `ms` passed or `endGap` is called, whichever is first. */
  private waitGap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.endGap = null;
        resolve();
      }, ms);
      this.endGap = () => {
        clearTimeout(timer);
        this.endGap = null;
        resolve();
      };
    });
  }

  private scheduleAttempt(): Promise<FlushResult> {
    if (this.queued !== undefined) return this.queued;
    const next = this.tail.then(() => this.attempt());
    this.queued = next;
    this.tail = next.catch(() => undefined);
    return next;
  }

  /**
   * One attempt. Calls to flush() share it until it takes its rows (after the retry backoff
   * or the batching gap), so rows added while it waits go with it.
   */
  private async attempt(): Promise<FlushResult> {
    if (this.failures > 0) {
      const wait = this.retryAt - Date.now();
      if (wait > 0) await sleep(wait);
    } else if (!this.urgent && this.current.rows < this.opts.flushRows) {
      const wait = this.lastSendAt + this.opts.flushEveryMs - Date.now();
      if (wait > 0) await this.waitGap(wait);
    }
    this.queued = undefined;
    this.urgent = false;
    const number = ++this.taken;
    const open = this.open;
    if (open.rows > 0 && (this.openDue || Date.now() - this.openWrittenAt >= this.opts.openRowsEveryMs)) {
      this.current.absorb(open);
      this.openWrittenAt = Date.now();
    }
    this.openDue = false;
    if (this.sending.rows === 0) {
      const swap = this.sending;
      this.sending = this.current;
      this.current = swap;
    } else {
      this.sending.absorb(this.current);
    }
    const batch = this.sending;
    const byTable = batch.counts();
    const rows = batch.rows;
    const attempt = this.failures + 1;
    if (rows === 0) {
      this.landed = number;
      this.stateValue = 'idle';
      return { ok: true, rows: 0, byTable, seconds: 0, encodeSeconds: 0, bytes: 0, attempt, retryInMs: 0 };
    }
    this.stateValue = 'flushing';
    this.lastSendAt = Date.now();
    const started = performance.now();
    let encodeSeconds = 0;
    let bytes = 0;
    let failure: unknown;
    try {
      const encoder = this.encoder ?? (await this.makeEncoder());
      const encodeStart = performance.now();
      const body = batch.encode(encoder, this.lastBytes + (this.lastBytes >> 3));
      encodeSeconds = (performance.now() - encodeStart) / 1000;
      bytes = body.length;
      this.lastBytes = bytes;
      await this.sendWithDeadline(body);
    } catch (err) {
      failure = err;
    }
    const seconds = (performance.now() - started) / 1000;
    const m = this.metrics;
    m.flushSecondsTotal += seconds;
    m.lastFlushSeconds = seconds;
    let result: FlushResult;
    if (failure === undefined) {
      const w = m.rowsWritten;
      w.trades += byTable.trades;
      w.quotes += byTable.quotes;
      w.candles += byTable.candles;
      w.indicators += byTable.indicators;
      w.alerts += byTable.alerts;
      m.flushes++;
      m.conflatedCandles += batch.conflatedCandles;
      m.conflatedIndicators += batch.conflatedIndicators;
      batch.clear();
      this.landed = number;
      this.failures = 0;
      this.stateValue = 'idle';
      result = { ok: true, rows, byTable, seconds, encodeSeconds, bytes, attempt, retryInMs: 0 };
    } else {
      this.failures++;
      const delay = backoffDelay(this.failures, this.opts.retryMinMs, this.opts.retryMaxMs, this.opts.random);
      this.retryAt = Date.now() + delay;
      m.flushErrors++;
      this.stateValue = 'retrying';
      const message = failure instanceof Error ? failure.message : String(failure);
      const error = new SinkError(
        'TF_ERR_SINK_FLUSH',
        `flush of ${rows} rows to QuestDB failed (attempt ${attempt}); they are kept and resent in ${delay} ms or later: ${message}`,
        { cause: failure },
      );
      result = { ok: false, rows, byTable, seconds, encodeSeconds, bytes, attempt, error, retryInMs: delay };
    }
    this.opts.onFlush?.(result);
    return result;
  }
}

function badTime(what: string, a: number, b: number): never {
  throw new SinkError(
    'TF_ERR_SINK_BAD_ROW',
    `${what} has a timestamp that is not a finite number (${a}, ${b})`,
  );
}
