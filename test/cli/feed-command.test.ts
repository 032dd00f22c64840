/**
 * `tickflow feed` flag parsing: every flag mistake is a sentence naming the flag (exit 2 via
 * UsageError), and the progress renderings.
 */
import t from 'tap';
import {
  FEED_HELP,
  feedCommand,
  liveProgressLine,
  parseLiveArgs,
  parseReplayArgs,
  replayProgressBar,
  replayProgressLine,
} from '../../cli/feed-command.js';
import { emptyConnectorStats } from '../../feeds/connectors/index.js';

t.test('replay flags: defaults and values', async (t) => {
  const r = parseReplayArgs(['f.csv', '--symbol', 'BTCUSDT', '--speed', '10', '--on-error', 'fail']);
  t.same(r, {
    help: false,
    options: {
      natsUrl: 'nats://127.0.0.1:4222',
      partitions: 8,
      frameMaxRecords: 64,
      frameMaxDelayMs: 5,
      maxInFlight: 256,
      path: 'f.csv',
      format: 'auto',
      speed: 10,
      maxGapMs: 1000,
      onError: 'fail',
      symbol: 'BTCUSDT',
    },
  });
  t.same(parseReplayArgs(['--help']), { help: true });
});

t.test('replay flag mistakes name the flag', async (t) => {
  const cases: Array<[string[], string]> = [
    [[], 'feed replay takes exactly one FILE, got none'],
    [['a', 'b'], 'feed replay takes exactly one FILE, got a b'],
    [['f', '--format', 'csv'], "--format must be auto, binance, tardis or ndjson, got 'csv'"],
    [['f', '--speed=-1'], "--speed must be a number from 0 (as fast as possible) to 1000000, got '-1'"],
    [
      ['f', '--speed', 'fast'],
      "--speed must be a number from 0 (as fast as possible) to 1000000, got 'fast'",
    ],
    [['f', '--on-error', 'ignore'], "--on-error must be skip or fail, got 'ignore'"],
    [
      ['f', '--format', 'binance'],
      '--symbol is required with --format binance: the file does not name its symbol, e.g. --symbol BTCUSDT',
    ],
    [
      ['f', '--format', 'tardis', '--symbol', 'X'],
      '--symbol and --venue apply to the binance format only: tardis lines carry their own',
    ],
    [['f', '--venue', 'Binance'], "--venue must be 1-32 characters of a-z, 0-9, _ or -, got 'Binance'"],
    [['f', '--partitions', '0'], "--partitions must be an integer from 1 to 65535, got '0'"],
    [['f', '--nats', 'localhost'], "--nats must be a URL such as nats://127.0.0.1:4222, got 'localhost'"],
    [['f', '--max-gap-ms', '1.5'], "--max-gap-ms must be an integer from 0 to 3600000, got '1.5'"],
  ];
  for (const [argv, message] of cases)
    t.throws(() => parseReplayArgs(argv), { code: 'TF_ERR_USAGE', message }, argv.join(' '));
});

t.test('live flags', async (t) => {
  t.same(parseLiveArgs('coinbase', ['--products', 'BTC-USD, ETH-USD', '--heartbeat-timeout-ms', '3000']), {
    help: false,
    options: {
      natsUrl: 'nats://127.0.0.1:4222',
      partitions: 8,
      frameMaxRecords: 64,
      frameMaxDelayMs: 5,
      maxInFlight: 256,
      venue: 'coinbase',
      symbols: ['BTC-USD', 'ETH-USD'],
      url: undefined,
      timeoutMs: 3000,
      streamsPerConnection: undefined,
    },
  });
  const b = parseLiveArgs('binance', [
    '--symbols',
    'BTCUSDT',
    '--url',
    'ws://127.0.0.1:9',
    '--streams-per-connection',
    '10',
  ]);
  t.same(b.help === false && [b.options.symbols, b.options.url, b.options.streamsPerConnection], [
    ['BTCUSDT'],
    'ws://127.0.0.1:9',
    10,
  ]);
  const cases: Array<['coinbase' | 'binance', string[], string]> = [
    ['coinbase', [], '--products is required, e.g. --products BTC-USD,ETH-USD'],
    [
      'coinbase',
      ['--products', 'btc-usd'],
      "--products: 'btc-usd' is not valid; use the venue's spelling, e.g. BTC-USD,ETH-USD",
    ],
    [
      'coinbase',
      ['--products', 'BTC-USD', '--heartbeat-timeout-ms', '500'],
      "--heartbeat-timeout-ms must be an integer from 1000 to 3600000, got '500'",
    ],
    [
      'binance',
      ['--symbols', 'BTC/USDT'],
      "--symbols: 'BTC/USDT' is not valid; use the venue's spelling, e.g. BTCUSDT,ETHUSDT",
    ],
    [
      'binance',
      ['--symbols', 'BTCUSDT', '--url', 'http://x'],
      "--url must be a WebSocket URL such as wss://host:port, got 'http://x'",
    ],
    [
      'binance',
      ['--symbols', 'BTCUSDT', '--streams-per-connection', '2048'],
      "--streams-per-connection must be an integer from 2 to 1024, got '2048'",
    ],
  ];
  for (const [venue, argv, message] of cases)
    t.throws(() => parseLiveArgs(venue, argv), { code: 'TF_ERR_USAGE', message });
  t.throws(() => parseLiveArgs('coinbase', ['--symbols', 'X']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
});

t.test('progress renderings', async (t) => {
  const p = {
    records: 50_000,
    badLines: 2,
    lineNo: 50_003,
    bytesRead: 250,
    totalBytes: 1000,
    elapsedMs: 10_000,
  };
  // 25% read in 10 s: 30 s to go; 5000 rec/s.
  t.equal(replayProgressBar(p, 8), '[##------] 25.0% 50,000 rec 5,000 rec/s ETA 0:30 2 bad lines');
  t.equal(replayProgressLine(p), 'replay: 25.0% of file, line 50003, 50000 records, 5000 rec/s, 2 bad lines');
  const c = { ...emptyConnectorStats(), trades: 10, quotes: 4, gaps: 1, missing: 3, reconnects: 2 };
  const line = liveProgressLine('binance', c, {
    records: 14,
    rejected: 0,
    rejectedByReason: {},
    frames: 3,
    acked: 3,
    ackedRecords: 14,
    duplicates: 0,
    errors: 0,
    retries: 0,
    failed: 0,
    failedRecords: 0,
    inFlight: 1,
    queued: 0,
    openFrames: 0,
    ratePerSec: 7.4,
    lastError: undefined,
  });
  t.equal(
    line,
    'binance: 10 trades, 4 quotes, 7 rec/s acked, 1 gaps (3 missing), 2 reconnects, 0 bad messages, 1 acks pending',
  );
});

t.test('unknown sources are usage errors; no source prints the help and exits 2', async (t) => {
  await t.rejects(feedCommand(['kraken']), {
    code: 'TF_ERR_USAGE',
    message: "unknown feed source 'kraken': use simulate, replay, coinbase or binance",
  });
  t.match(FEED_HELP, /replay {6}a trades\/quotes file/);
});
