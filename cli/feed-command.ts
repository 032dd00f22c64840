/**
 * `tickflow feed simulate|replay|coinbase|binance`: every way of putting market data into
 * JetStream, behind one command. `simulate` is the simulate command itself.
 */
import { parseArgs } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import {
  BinanceConnector,
  CoinbaseConnector,
  type Connector,
  type ConnectorLogger,
  type ConnectorStats,
} from '../feeds/connectors/index.js';
import {
  connectFeed,
  Publisher,
  type PublisherStats,
  requireInputStreams,
} from '../feeds/publisher/index.js';
import { type ReplayProgress, type RunReplayOptions, runReplay } from '../feeds/replay/index.js';
import { SIMULATE_HELP, simulateCommand } from './simulate-command.js';
import { UsageError } from './usage-error.js';

/** `tickflow feed --help`. */
export const FEED_HELP = `tickflow feed — publish market data into NATS JetStream

Usage: tickflow feed <source> [options]     (tickflow feed <source> --help for its options)

Sources:
  simulate    a simulated market (same as tickflow simulate)
  replay      a trades/quotes file: Binance trades CSV, tardis trades CSV or tickflow NDJSON
  coinbase    live Coinbase Exchange trades (matches) and best bid/ask (ticker)
  binance     live Binance spot trades and best bid/ask (bookTicker)

Every source publishes to md.trade.<venue>.<symbol>.<p> / md.quote.<venue>.<symbol>.<p>;
streams MD_TRADES and MD_QUOTES must exist (the engine creates them).
`;

const PUBLISH_FLAGS = `  --nats URL            NATS server (default nats://127.0.0.1:4222)
  --partitions N        partition count P of MD_TRADES / MD_QUOTES (default 8)
  --frame-max N         records per message, 1 = one record per message (default 64)
  --frame-delay-ms N    longest wait for more records of a symbol before sending its frame (default 5)
  --max-in-flight N     publish acks outstanding at most (default 256)`;

/** `tickflow feed replay --help`. */
export const REPLAY_HELP = `tickflow feed replay — replay a trades/quotes file into NATS JetStream

Usage: tickflow feed replay FILE [--format auto] [--symbol BTCUSDT] [--speed 0] [--on-error skip]

  FILE                  the file; a name ending in .gz is decompressed on the fly
  --format F            auto (default, from the first line), binance, tardis or ndjson
                          binance: id,price,qty,quote_qty,time,is_buyer_maker,is_best_match (header
                                   optional; time in ms, or µs when >= 1e14 as in 2025+ files)
                          tardis:  exchange,symbol,timestamp,local_timestamp,id,side,price,amount (µs)
                          ndjson:  one tickflow Trade or Quote record per line
  --symbol S            symbol for formats that do not carry one (binance); required there
  --venue V             venue for formats that do not carry one (binance; default binance)
  --speed N             0 = as fast as acks allow (default); N = N times the recorded pace
  --max-gap-ms N        in paced mode, longest pause between two records (default 1000)
  --on-error MODE       skip (default): report each bad line with its number and go on;
                        fail: stop at the first bad line and exit 1. Records before it are
                        published (flushed and acked); nothing from the bad line on is.
${PUBLISH_FLAGS}
  --msg-id-prefix P     message-id prefix (default derived from the file, so a rerun is de-duplicated)

Shows a progress bar on a terminal (records, rate, % of the file, ETA), a progress line every
2 s otherwise, and a summary. Ctrl-C stops, flushes and prints the summary.
`;

/** `tickflow feed coinbase --help`. */
export const COINBASE_HELP = `tickflow feed coinbase — live Coinbase Exchange trades and quotes into NATS JetStream

Usage: tickflow feed coinbase --products BTC-USD,ETH-USD [--url wss://…] [--heartbeat-timeout-ms 5000]

  --products LIST       comma-separated product ids as Coinbase spells them (BTC-USD)
  --url URL             feed endpoint (default wss://ws-feed.exchange.coinbase.com)
  --heartbeat-timeout-ms N  no heartbeat for this long means a dead connection (default 5000, min 1000)
${PUBLISH_FLAGS}

Subscribes to heartbeat, matches and ticker. Trades carry the aggressor side (the opposite of
Coinbase's maker side), ts = match time, seq = Coinbase sequence. Trade-id gaps are counted,
logged and published as sequence_gap alerts on md.alert.coinbase.<product>. Reconnects with
exponential backoff and full jitter. Logs (JSON) go to stderr; progress every 5 s to stdout.
`;

/** `tickflow feed binance --help`. */
export const BINANCE_HELP = `tickflow feed binance — live Binance spot trades and quotes into NATS JetStream

Usage: tickflow feed binance --symbols BTCUSDT,ETHUSDT [--url wss://…] [--idle-timeout-ms 50000]

  --symbols LIST        comma-separated symbols as Binance spells them (BTCUSDT)
  --url URL             stream endpoint without a path (default wss://stream.binance.com:9443)
  --idle-timeout-ms N   silence (no data, no ping) that means a dead connection (default 50000)
  --streams-per-connection N  at most 1024 (default); more symbols open more connections
${PUBLISH_FLAGS}

Subscribes <symbol>@trade and <symbol>@bookTicker on combined-stream connections, sending at most
4 control messages a second (Binance allows 5). Trades: side = sell when the buyer was the maker,
ts = trade time, seq = trade id. Quotes: ts = receive time (spot bookTicker has no time), seq =
update id. Trade-id gaps are published as sequence_gap alerts on md.alert.binance.<symbol>.
Reconnects after any disconnect, the 24-hour one included. Logs go to stderr.
`;

const HELP: Record<string, string> = {
  replay: REPLAY_HELP,
  coinbase: COINBASE_HELP,
  binance: BINANCE_HELP,
  simulate: SIMULATE_HELP,
};

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!(text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max)) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return n;
}

const PUBLISH_OPTIONS = {
  nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
  partitions: { type: 'string', default: '8' },
  'frame-max': { type: 'string', default: '64' },
  'frame-delay-ms': { type: 'string', default: '5' },
  'max-in-flight': { type: 'string', default: '256' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Publisher settings shared by every source. */
export interface FeedPublishOptions {
  natsUrl: string;
  partitions: number;
  frameMaxRecords: number;
  frameMaxDelayMs: number;
  maxInFlight: number;
}

function publishOptions(v: {
  nats: string;
  partitions: string;
  'frame-max': string;
  'frame-delay-ms': string;
  'max-in-flight': string;
}): FeedPublishOptions {
  if (!/^(nats|tls|wss?):\/\/[^\s]+$/.test(v.nats)) {
    throw new UsageError(`--nats must be a URL such as nats://127.0.0.1:4222, got '${v.nats}'`);
  }
  return {
    natsUrl: v.nats,
    partitions: integer('partitions', v.partitions, 1, 65_535),
    frameMaxRecords: integer('frame-max', v['frame-max'], 1, 4096),
    frameMaxDelayMs: integer('frame-delay-ms', v['frame-delay-ms'], 0, 60_000),
    maxInFlight: integer('max-in-flight', v['max-in-flight'], 1, 1_000_000),
  };
}

function wsUrl(text: string): string {
  if (!/^wss?:\/\/[^\s]+$/.test(text)) {
    throw new UsageError(`--url must be a WebSocket URL such as wss://host:port, got '${text}'`);
  }
  return text;
}

function list(name: string, text: string | undefined, pattern: RegExp, example: string): string[] {
  if (text === undefined || text.trim() === '')
    throw new UsageError(`--${name} is required, e.g. --${name} ${example}`);
  const items = text.split(',').map((s) => s.trim());
  for (const s of items) {
    if (!pattern.test(s))
      throw new UsageError(`--${name}: '${s}' is not valid; use the venue's spelling, e.g. ${example}`);
  }
  return items;
}

/** Parsed `feed replay` arguments. Exported for tests. */
export function parseReplayArgs(argv: string[]): { help: true } | { help: false; options: RunReplayOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...PUBLISH_OPTIONS,
      format: { type: 'string', default: 'auto' },
      symbol: { type: 'string' },
      venue: { type: 'string' },
      speed: { type: 'string', default: '0' },
      'max-gap-ms': { type: 'string', default: '1000' },
      'on-error': { type: 'string', default: 'skip' },
      'msg-id-prefix': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  if (positionals.length !== 1) {
    throw new UsageError(
      `feed replay takes exactly one FILE, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  }
  const format = values.format;
  if (format !== 'auto' && format !== 'binance' && format !== 'tardis' && format !== 'ndjson') {
    throw new UsageError(`--format must be auto, binance, tardis or ndjson, got '${format}'`);
  }
  const speed = Number(values.speed);
  if (!(values.speed.trim() !== '' && Number.isFinite(speed) && speed >= 0 && speed <= 1_000_000)) {
    throw new UsageError(
      `--speed must be a number from 0 (as fast as possible) to 1000000, got '${values.speed}'`,
    );
  }
  const onError = values['on-error'];
  if (onError !== 'skip' && onError !== 'fail') {
    throw new UsageError(`--on-error must be skip or fail, got '${onError}'`);
  }
  if (
    (format === 'tardis' || format === 'ndjson') &&
    (values.symbol !== undefined || values.venue !== undefined)
  ) {
    throw new UsageError(
      `--symbol and --venue apply to the binance format only: ${format} lines carry their own`,
    );
  }
  if (format === 'binance' && values.symbol === undefined) {
    throw new UsageError(
      '--symbol is required with --format binance: the file does not name its symbol, e.g. --symbol BTCUSDT',
    );
  }
  if (values.venue !== undefined && !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(values.venue)) {
    throw new UsageError(`--venue must be 1-32 characters of a-z, 0-9, _ or -, got '${values.venue}'`);
  }
  if (values['msg-id-prefix'] !== undefined && !/^[A-Za-z0-9_.~-]{1,64}$/.test(values['msg-id-prefix'])) {
    throw new UsageError(
      `--msg-id-prefix must be 1-64 characters of A-Z a-z 0-9 _ . ~ -, got '${values['msg-id-prefix']}'`,
    );
  }
  const options: RunReplayOptions = {
    ...publishOptions(values),
    path: positionals[0]!,
    format,
    speed,
    maxGapMs: integer('max-gap-ms', values['max-gap-ms'], 0, 3_600_000),
    onError,
  };
  if (values.symbol !== undefined) options.symbol = values.symbol;
  if (values.venue !== undefined) options.venue = values.venue;
  if (values['msg-id-prefix'] !== undefined) options.msgIdPrefix = values['msg-id-prefix'];
  return { help: false, options };
}

/** Parsed `feed coinbase` / `feed binance` arguments. Exported for tests. */
export interface LiveFeedArgs extends FeedPublishOptions {
  venue: 'coinbase' | 'binance';
  symbols: string[];
  url: string | undefined;
  /** Coinbase: heartbeat timeout; Binance: idle timeout. */
  timeoutMs: number | undefined;
  streamsPerConnection: number | undefined;
}

/** Parses `feed coinbase|binance` flags. Exported for tests. */
export function parseLiveArgs(
  venue: 'coinbase' | 'binance',
  argv: string[],
): { help: true } | { help: false; options: LiveFeedArgs } {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...PUBLISH_OPTIONS,
      url: { type: 'string' },
      ...(venue === 'coinbase'
        ? { products: { type: 'string' }, 'heartbeat-timeout-ms': { type: 'string' } }
        : {
            symbols: { type: 'string' },
            'idle-timeout-ms': { type: 'string' },
            'streams-per-connection': { type: 'string' },
          }),
    },
    strict: true,
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (v['help']) return { help: true };
  const symbols =
    venue === 'coinbase'
      ? list(
          'products',
          v['products'] as string | undefined,
          /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/,
          'BTC-USD,ETH-USD',
        )
      : list('symbols', v['symbols'] as string | undefined, /^[A-Z0-9]{2,30}$/, 'BTCUSDT,ETHUSDT');
  const timeoutFlag = venue === 'coinbase' ? 'heartbeat-timeout-ms' : 'idle-timeout-ms';
  const timeoutText = v[timeoutFlag] as string | undefined;
  const spc = v['streams-per-connection'] as string | undefined;
  return {
    help: false,
    options: {
      ...publishOptions(values as Parameters<typeof publishOptions>[0]),
      venue,
      symbols,
      url: v['url'] === undefined ? undefined : wsUrl(v['url'] as string),
      timeoutMs:
        timeoutText === undefined
          ? undefined
          : integer(timeoutFlag, timeoutText, venue === 'coinbase' ? 1000 : 100, 3_600_000),
      streamsPerConnection: spc === undefined ? undefined : integer('streams-per-connection', spc, 2, 1024),
    },
  };
}

function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function clockText(sec: number): string {
  if (!Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A one-line progress bar for a terminal. Exported for tests. */
export function replayProgressBar(p: ReplayProgress, width = 24): string {
  const frac = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 1;
  const filled = Math.round(frac * width);
  const rate = p.elapsedMs > 0 ? (p.records * 1000) / p.elapsedMs : 0;
  const eta = frac > 0 ? ((p.elapsedMs / 1000) * (1 - frac)) / frac : Number.POSITIVE_INFINITY;
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}% ` +
    `${thousands(p.records)} rec ${thousands(rate)} rec/s ETA ${clockText(eta)}` +
    (p.badLines > 0 ? ` ${p.badLines} bad lines` : '')
  );
}

/** A plain progress line for logs and pipes. Exported for tests. */
export function replayProgressLine(p: ReplayProgress): string {
  const pct = p.totalBytes > 0 ? (Math.min(1, p.bytesRead / p.totalBytes) * 100).toFixed(1) : '100.0';
  const rate = p.elapsedMs > 0 ? (p.records * 1000) / p.elapsedMs : 0;
  return `replay: ${pct}% of file, line ${p.lineNo}, ${p.records} records, ${Math.round(rate)} rec/s, ${p.badLines} bad lines`;
}

async function replay(argv: string[]): Promise<number> {
  const parsed = parseReplayArgs(argv);
  if (parsed.help) {
    process.stdout.write(REPLAY_HELP);
    return 0;
  }
  const tty = process.stdout.isTTY === true;
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let barShown = false;
  try {
    const s = await runReplay({
      ...parsed.options,
      signal: abort.signal,
      progressMs: tty ? 200 : 2000,
      onBadLine: (lineNo, problem) => {
        if (barShown) process.stdout.write('\n');
        barShown = false;
        process.stderr.write(`tickflow feed replay: line ${lineNo}: ${problem}\n`);
      },
      onProgress: (p) => {
        if (tty) {
          process.stdout.write(`\r${replayProgressBar(p)}`);
          barShown = true;
        } else process.stdout.write(`${replayProgressLine(p)}\n`);
      },
    });
    if (barShown) process.stdout.write('\n');
    const st = s.stats;
    process.stdout.write(
      `replay: done (${s.stoppedBy}) in ${(s.elapsedMs / 1000).toFixed(1)} s: ${s.format ?? 'no'} format, ${s.lines} lines, ` +
        `${s.records} records (${s.trades} trades, ${s.quotes} quotes), ${s.badLines} bad lines, ` +
        `${st.ackedRecords} records acked in ${st.acked} messages, ${st.duplicates} duplicates, ${st.rejected} rejected, ` +
        `${st.failedRecords} records failed${st.lastError === undefined ? '' : ` (last error: ${st.lastError})`}\n`,
    );
    if (s.stoppedBy === 'bad_line' && s.firstBadLine !== undefined) {
      process.stderr.write(
        `tickflow feed replay: stopped at line ${s.firstBadLine.lineNo} (--on-error fail); ` +
          `the ${s.records} records before it were published\n`,
      );
      return 1;
    }
    return st.failed > 0 ? 1 : 0;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code !== undefined && /^TF_ERR_(FEED|REPLAY)_/.test(e.code)) {
      process.stderr.write(`tickflow feed replay: ${e.message}\n`);
      return e.code === 'TF_ERR_REPLAY_OPTION' ? 2 : 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** One progress line of a live feed. Exported for tests. */
export function liveProgressLine(venue: string, c: ConnectorStats, p: PublisherStats): string {
  return (
    `${venue}: ${c.trades} trades, ${c.quotes} quotes, ${Math.round(p.ratePerSec)} rec/s acked, ` +
    `${c.gaps} gaps (${c.missing} missing), ${c.reconnects} reconnects, ${c.badMessages} bad messages, ` +
    `${p.inFlight + p.queued} acks pending`
  );
}

async function live(venue: 'coinbase' | 'binance', argv: string[]): Promise<number> {
  const parsed = parseLiveArgs(venue, argv);
  if (parsed.help) {
    process.stdout.write(HELP[venue]!);
    return 0;
  }
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await runLiveFeed(parsed.options, abort.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * Runs a live connector into JetStream until `signal` aborts, then closes its sockets (code 1000),
 * flushes the publisher and drains NATS. Returns the exit code. Logs are pino JSON on stderr
 * unless `logger` says otherwise. Exported for tests.
 */
export async function runLiveFeed(
  o: LiveFeedArgs,
  signal: AbortSignal,
  logger: ConnectorLogger = pino(
    { name: 'tickflow-feed', base: { component: `feed-${o.venue}` } },
    pino.destination(2),
  ),
): Promise<number> {
  const venue = o.venue;
  let nc: NatsConnection;
  try {
    nc = await connectFeed(o.natsUrl, 'tickflow-feed');
    await requireInputStreams(nc).catch(async (err: unknown) => {
      await nc.close();
      throw err;
    });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'TF_ERR_FEED_CONNECT' || e.code === 'TF_ERR_FEED_NO_STREAM') {
      process.stderr.write(`tickflow feed ${venue}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
  const publisher = new Publisher(jetstream(nc), {
    partitions: o.partitions,
    frameMaxRecords: o.frameMaxRecords,
    frameMaxDelayMs: o.frameMaxDelayMs,
    maxInFlight: o.maxInFlight,
    // Message ids are seq ranges, unique per symbol: a stable prefix lets the stream drop replays.
    msgIdPrefix: venue,
    onReject: (record, reason) => logger.warn({ record, reason }, 'record refused by validation'),
    onError: (err) => logger.error({ err: (err as Error).message }, 'publish failed'),
  });
  const connector: Connector =
    venue === 'coinbase'
      ? new CoinbaseConnector({
          products: o.symbols,
          sink: publisher,
          alerts: nc,
          logger,
          ...(o.url === undefined ? {} : { url: o.url }),
          ...(o.timeoutMs === undefined ? {} : { heartbeatTimeoutMs: o.timeoutMs }),
        })
      : new BinanceConnector({
          symbols: o.symbols,
          sink: publisher,
          alerts: nc,
          logger,
          ...(o.url === undefined ? {} : { url: o.url }),
          ...(o.timeoutMs === undefined ? {} : { idleTimeoutMs: o.timeoutMs }),
          ...(o.streamsPerConnection === undefined
            ? {}
            : { maxStreamsPerConnection: o.streamsPerConnection }),
        });
  const started = Date.now();
  const done = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  connector.start();
  const progress = setInterval(
    () => process.stdout.write(`${liveProgressLine(venue, connector.stats(), publisher.stats())}\n`),
    5000,
  );
  await done;
  clearInterval(progress);
  // Order matters: stop reading first (close 1000), then flush what was read, then leave NATS.
  await connector.stop();
  await publisher.close();
  await nc.drain();
  const c = connector.stats();
  const p = publisher.stats();
  process.stdout.write(
    `${venue}: stopped after ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.trades} trades, ${c.quotes} quotes, ` +
      `${p.ackedRecords} records acked, ${p.duplicates} duplicates, ${p.rejected} rejected, ${p.failedRecords} failed, ` +
      `${c.gaps} gaps (${c.missing} missing), ${c.reconnects} reconnects, ${c.deadConnections} dead connections\n`,
  );
  return p.failed > 0 ? 1 : 0;
}

/** `tickflow feed`: returns the exit code (0 done, 1 failures, 2 usage). */
export async function feedCommand(argv: string[]): Promise<number> {
  const [source, ...rest] = argv;
  if (source === undefined || source === '-h' || source === '--help' || source === 'help') {
    process.stdout.write(FEED_HELP);
    return source === undefined ? 2 : 0;
  }
  switch (source) {
    case 'simulate':
      return simulateCommand(rest);
    case 'replay':
      return replay(rest);
    case 'coinbase':
    case 'binance':
      return live(source, rest);
    default:
      throw new UsageError(`unknown feed source '${source}': use simulate, replay, coinbase or binance`);
  }
}
