/**
 * Options of the QuestDB writer, with defaults and eager validation in one place. Each
 * message names the option and the accepted range.
 */
import { SinkError } from './errors.js';
import type { DoubleFormat } from './ilp-encoder.js';
import type { FlushResult } from './questdb-writer.js';

/** Options of {@link QuestDbWriter.open}. */
export interface QuestDbWriterOptions {
  /**
   * `@questdb/nodejs-client` configuration string, e.g. `http::addr=127.0.0.1:9000;`. Extra
   * keys are passed through; `auto_flush` must be absent or `off` (the writer flushes).
   */
  ilpUrl: string;
  /** Prepended to every table name, as given to `ensureTables`. */
  tablePrefix?: string;
  /** `isFull()` turns true at this many rows not yet landed; default 200 000. */
  maxPendingRows?: number;
  /** First retry delay after a failed flush; default 100 ms. */
  retryMinMs?: number;
  /** Longest retry delay; default 10 000 ms. */
  retryMaxMs?: number;
  /** How long one HTTP request waits for QuestDB's answer (`request_timeout`); default 10 000 ms. */
  requestTimeoutMs?: number;
  /**
   * How long the client keeps resending one attempt after a timeout or a 5xx
   * (`retry_timeout`); default 15 000 ms. An attempt ends after at most about
   * 2 x requestTimeoutMs + attemptTimeoutMs; the writer enforces that bound itself too.
   */
  attemptTimeoutMs?: number;
  /** How long `close()` keeps retrying to land what is pending; default 30 000 ms. */
  closeTimeoutMs?: number;
  /** Called after every flush attempt, landed or failed. */
  onFlush?: (result: FlushResult) => void;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /**
   * Open candle and indicator rows (`closed` false) are held back and written at most this
   * often, the latest per candle; 0 (default) writes every update with its flush. Closed
   * rows always go with the next flush, and replace a held-back open row of the same key.
   */
  openRowsEveryMs?: number;
  /**
   * Batching: an attempt starts at least this long after the previous one started, unless
   * `flushRows` rows are waiting or the flush is urgent (`{ now: true }`, `{ open: true }`,
   * `close()`). Every QuestDB transaction has a fixed cost (a WAL commit per table, then its
   * apply): measured on QuestDB 9.3.4, 50 small flushes a second kept about a core busy, 5 a
   * second a quarter of one, for the same rows. Default 0 (no gap).
   */
  flushEveryMs?: number;
  /** With `flushEveryMs`: this many rows waiting end the gap at once; default 10 000. */
  flushRows?: number;
  /**
   * How doubles are encoded: `binary` (line protocol v2, QuestDB 9.0+), `text` (v1, any
   * version) or `auto` (default: binary when the server's `/settings` lists version 2).
   */
  doubles?: 'auto' | DoubleFormat;
}

/** Options with every default filled in. */
export interface ResolvedWriterOptions {
  ilpConfig: string;
  tablePrefix: string;
  maxPendingRows: number;
  retryMinMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  attemptTimeoutMs: number;
  closeTimeoutMs: number;
  onFlush: ((result: FlushResult) => void) | undefined;
  random: () => number;
  doubles: 'auto' | DoubleFormat;
  openRowsEveryMs: number;
  flushEveryMs: number;
  flushRows: number;
}

function whole(
  opts: QuestDbWriterOptions,
  key: keyof QuestDbWriterOptions,
  def: number,
  min: number,
): number {
  const v = opts[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new SinkError(
      'TF_ERR_SINK_OPTION',
      `options.${key} must be a whole number >= ${min}, got ${String(v)}`,
    );
  }
  return v;
}

function configKey(config: string, key: string): string | undefined {
  const m = new RegExp(`(?:::|;)${key}=([^;]*)`).exec(config);
  return m?.[1];
}

/** Validates the options and builds the client configuration string. */
export function resolveWriterOptions(opts: QuestDbWriterOptions): ResolvedWriterOptions {
  const { ilpUrl } = opts;
  if (typeof ilpUrl !== 'string' || !/^https?::/.test(ilpUrl)) {
    throw new SinkError(
      'TF_ERR_SINK_OPTION',
      `options.ilpUrl must be an ILP-over-HTTP configuration string such as "http::addr=host:9000;", got ${JSON.stringify(ilpUrl)}`,
    );
  }
  const autoFlush = configKey(ilpUrl, 'auto_flush');
  if (autoFlush !== undefined && autoFlush !== 'off') {
    throw new SinkError(
      'TF_ERR_SINK_OPTION',
      `options.ilpUrl must not turn auto_flush on: the writer decides when rows are flushed`,
    );
  }
  const retryMinMs = whole(opts, 'retryMinMs', 100, 1);
  const retryMaxMs = whole(opts, 'retryMaxMs', 10_000, 1);
  if (retryMaxMs < retryMinMs) {
    throw new SinkError(
      'TF_ERR_SINK_OPTION',
      `options.retryMaxMs (${retryMaxMs}) must be >= options.retryMinMs (${retryMinMs})`,
    );
  }
  const requestTimeoutMs = whole(opts, 'requestTimeoutMs', 10_000, 1);
  const attemptTimeoutMs = whole(opts, 'attemptTimeoutMs', 15_000, 1);
  let config = ilpUrl.endsWith(';') ? ilpUrl : `${ilpUrl};`;
  // auto_flush and protocol_version only keep the client's option parser from asking the
  // server (/settings) at open, so a writer can open while QuestDB is still down; the
  // writer encodes rows itself (ilp-encoder.ts) and decides when to send.
  const add: [string, string][] = [
    ['auto_flush', 'off'],
    ['protocol_version', '1'],
    ['request_timeout', String(requestTimeoutMs)],
    ['retry_timeout', String(attemptTimeoutMs)],
  ];
  for (const [key, value] of add) {
    if (configKey(config, key) === undefined) config += `${key}=${value};`;
  }
  if (opts.onFlush !== undefined && typeof opts.onFlush !== 'function') {
    throw new SinkError('TF_ERR_SINK_OPTION', 'options.onFlush must be a function');
  }
  const doubles = opts.doubles ?? 'auto';
  if (doubles !== 'auto' && doubles !== 'binary' && doubles !== 'text') {
    throw new SinkError(
      'TF_ERR_SINK_OPTION',
      `options.doubles must be "auto", "binary" or "text", got ${JSON.stringify(doubles)}`,
    );
  }
  if (opts.random !== undefined && typeof opts.random !== 'function') {
    throw new SinkError('TF_ERR_SINK_OPTION', 'options.random must be a function');
  }
  return {
    ilpConfig: config,
    tablePrefix: opts.tablePrefix ?? '',
    maxPendingRows: whole(opts, 'maxPendingRows', 200_000, 1),
    retryMinMs,
    retryMaxMs,
    requestTimeoutMs,
    attemptTimeoutMs,
    closeTimeoutMs: whole(opts, 'closeTimeoutMs', 30_000, 0),
    onFlush: opts.onFlush,
    random: opts.random ?? Math.random,
    doubles,
    openRowsEveryMs: whole(opts, 'openRowsEveryMs', 0, 0),
    flushEveryMs: whole(opts, 'flushEveryMs', 0, 0),
    flushRows: whole(opts, 'flushRows', 10_000, 1),
  };
}
