import t from 'tap';
import type { ConfigError, HostFacts } from '../../../engine/config/index.js';
import { loadEngineConfig, resolveEngineConfig, runConfigCli } from '../../../engine/config/index.js';

const host: HostFacts = { hostname: 'box', pid: 7, cores: 4 };
const noFile = (): string => {
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};
const files =
  (content: Record<string, string>) =>
  (path: string): string => {
    const c = content[path];
    if (c === undefined) return noFile();
    return c;
  };

function problems(
  argv: string[],
  env: Record<string, string> = {},
  read: (path: string) => string = noFile,
): readonly string[] {
  try {
    loadEngineConfig(argv, env, { host, readFile: read });
  } catch (err) {
    const e = err as ConfigError;
    if (e.code === 'TF_ERR_BAD_CONFIG') return e.problems;
    throw err;
  }
  return [];
}

t.test('defaults need no input', async (t) => {
  const c = loadEngineConfig([], {}, { host });
  t.equal(c.streams.partitions, 8);
  t.equal(c.engine.id, 'box-7');
  t.equal(c.engine.shards, 4);
  t.equal(c.http.port, 9464);
  t.same(c.nats.servers, ['nats://127.0.0.1:14222']);
  t.equal(c.nats.credentials, undefined);
  t.same(c.actors.candles.intervals, ['1s', '1m', '5m', '15m', '1h', '1d']);
});

t.test('precedence: default < file < env < flags, key by key', async (t) => {
  const read = files({
    '/etc/tf.json': JSON.stringify({
      streams: { partitions: 10, fetchBatch: 100 },
      questdb: { ttlDays: 7 },
      log: { level: 'warn' },
    }),
  });
  const env = { TICKFLOW_STREAMS_PARTITIONS: '12', TICKFLOW_LOG_LEVEL: 'debug' };
  const r = resolveEngineConfig(['-c', '/etc/tf.json', '--streams.partitions', '16'], env, {
    host,
    readFile: read,
  });
  t.equal(r.config.streams.partitions, 16);
  t.equal(r.config.log.level, 'debug');
  t.equal(r.config.streams.fetchBatch, 100);
  t.equal(r.config.questdb.ttlDays, 7);
  t.equal(r.config.questdb.flushRows, 10_000);
  t.equal(r.sources['streams.partitions'], 'flag --streams.partitions');
  t.equal(r.sources['log.level'], 'env TICKFLOW_LOG_LEVEL');
  t.equal(r.sources['streams.fetchBatch'], 'file /etc/tf.json');
  t.equal(r.sources['questdb.flushRows'], 'default');
  const viaEnvFile = loadEngineConfig([], { TICKFLOW_CONFIG: '/etc/tf.json' }, { host, readFile: read });
  t.equal(viaEnvFile.streams.partitions, 10);
});

t.test('flag forms, aliases, lists and booleans', async (t) => {
  const c = loadEngineConfig(
    [
      '-p=4',
      '--streams.maxBytes',
      '-1',
      '-n',
      'nats://a:4222,b:4223',
      '--no-outputs.publish',
      '--outputs.kinds=candle,alert',
      '--actors.indicators',
      'sma:20,macd:12,26,9,fast=ema:12',
      '--actors.liveIndicators',
      'false',
      '--actors.candles.intervals=1s,1m',
      '--actors.indicatorIntervals',
      '1m',
      '--engine.snapshotEveryMessages',
      '1_000',
    ],
    { TICKFLOW_NATS_CREDENTIALS: '/run/nats.creds', TICKFLOW_NATS_PORT: '4222', TICKFLOW_GATEWAY_PORT: '1' },
    { host },
  );
  t.equal(c.streams.partitions, 4);
  t.equal(c.streams.maxBytes, -1);
  t.same(c.nats.servers, ['nats://a:4222', 'b:4223']);
  t.equal(c.nats.credentials, '/run/nats.creds');
  t.equal(c.outputs.publish, false);
  t.same(c.outputs.kinds, ['candle', 'alert']);
  t.same(c.actors.indicators, [
    { kind: 'sma', period: 20 },
    { kind: 'macd', fast: 12, slow: 26, signal: 9 },
    { kind: 'ema', period: 12, name: 'fast' },
  ]);
  t.equal(c.actors.liveIndicators, false);
  t.same(c.actors.candles.intervals, ['1s', '1m']);
  t.equal(c.engine.snapshotEveryMessages, 1000);
});

t.test('every engine-side validation sentence', async (t) => {
  const cases: [string[], Record<string, string>, string][] = [
    [
      ['-p', '0'],
      {},
      "streams.partitions must be an integer from 1 to 1024, got '0' (from flag -p (--streams.partitions))",
    ],
    [
      [],
      { TICKFLOW_STREAMS_PARTITIONS: '1.5' },
      "streams.partitions must be an integer from 1 to 1024, got '1.5' (from env TICKFLOW_STREAMS_PARTITIONS)",
    ],
    [
      ['--streams.maxBytes', '5'],
      {},
      "streams.maxBytes must be -1 (unlimited) or an integer from 1048576 to 9007199254740991, got '5' (from flag --streams.maxBytes)",
    ],
    [
      ['--streams.ackWaitMs=10'],
      {},
      "streams.ackWaitMs must be an integer from 1000 to 3600000, got '10' (from flag --streams.ackWaitMs)",
    ],
    [
      ['--nats.servers', 'http://x'],
      {},
      "nats.servers must be a non-empty list of NATS server URLs (nats://, tls://, ws://, wss:// or host:port), got 'http://x' (from flag --nats.servers)",
    ],
    [
      ['--nats.name', ' '],
      {},
      "nats.name must be a non-empty string of at most 256 characters, got ' ' (from flag --nats.name)",
    ],
    [
      ['-i', 'a b'],
      {},
      "engine.id must be 1 to 64 letters, digits, '.', '_' or '-', got 'a b' (from flag -i (--engine.id))",
    ],
    [
      ['--http.host', 'a b'],
      {},
      "http.host must be a host name or IP address without spaces, got 'a b' (from flag --http.host)",
    ],
    [
      ['-q', 'ftp://x'],
      {},
      "questdb.ilpUrl must be an http:// or https:// URL, got 'ftp://x' (from flag -q (--questdb.ilpUrl))",
    ],
    [
      ['--outputs.publish=maybe'],
      {},
      "outputs.publish must be true or false, got 'maybe' (from flag --outputs.publish)",
    ],
    [
      ['--outputs.kinds', 'candle,candle'],
      {},
      "outputs.kinds must be a list of distinct values from candle, indicator, alert, got 'candle,candle' (from flag --outputs.kinds)",
    ],
    [
      ['-l', 'loud'],
      {},
      "log.level must be one of fatal, error, warn, info, debug, trace, silent, got 'loud' (from flag -l (--log.level))",
    ],
    [
      ['--actors.candles.intervals', '2s'],
      {},
      "actors.candles.intervals must be a list of intervals from 1s, 5s, 15s, 30s, 1m, 5m, 15m, 30m, 1h, 4h, 1d, got '2s' (from flag --actors.candles.intervals)",
    ],
    [
      ['--actors.candles.closeDelayMs', 'soon'],
      {},
      "actors.candles.closeDelayMs must be a number, got 'soon' (from flag --actors.candles.closeDelayMs)",
    ],
    [
      ['--actors.indicators', 'sma:x'],
      {},
      "actors.indicators has a bad entry: indicator 'sma:x': parameter 'x' is not a number (from flag --actors.indicators)",
    ],
    [
      ['--streams.fetchBatch', '500', '--streams.maxAckPending', '100'],
      {},
      'streams.fetchBatch must be at most streams.maxAckPending (100, from flag --streams.maxAckPending), got 500 (from flag --streams.fetchBatch)',
    ],
    [
      ['--streams.maxAgeMs', '60000'],
      {},
      'streams.duplicateWindowMs must be at most streams.maxAgeMs (60000, from flag --streams.maxAgeMs), got 120000 (from default)',
    ],
    [
      [],
      { TICKFLOW_QUESTDB_RETRY_MIN_MS: '500', TICKFLOW_QUESTDB_RETRY_MAX_MS: '100' },
      'questdb.retryMaxMs must be at least questdb.retryMinMs (500, from env TICKFLOW_QUESTDB_RETRY_MIN_MS), got 100 (from env TICKFLOW_QUESTDB_RETRY_MAX_MS)',
    ],
    [['--streams.partitions'], {}, '--streams.partitions needs a value: an integer from 1 to 1024'],
    [['-c'], {}, '-c needs the path of a JSON config file'],
    [['stray'], {}, "unexpected argument 'stray': options are flags such as --streams.partitions 16"],
  ];
  for (const [argv, env, expected] of cases) t.same(problems(argv, env), [expected], argv.join(' '));
});

t.test('actors rules come from the actors validator, with prefix and source', async (t) => {
  t.same(problems(['--actors.candles.closeDelayMs', '-5']), [
    'actors.candles.closeDelayMs must be a finite number >= 0, got -5 (from flag --actors.candles.closeDelayMs)',
  ]);
  t.same(problems([], { TICKFLOW_ACTORS_ANOMALIES_PRICE_SPIKE_WARN_PCT: '50' }), [
    'actors.anomalies.priceSpike.criticalPct must be at least anomalies.priceSpike.warnPct (50) (got 10) (from default)',
  ]);
  t.same(problems(['--actors.candles.intervals', '1m,1s']), [
    'actors.candles.intervals must be a non-empty array of distinct intervals from 1s, 5s, 15s, 30s, 1m, 5m, 15m, 30m, 1h, 4h, 1d, shortest first, got ["1m","1s"] (from flag --actors.candles.intervals)',
    "actors.indicatorIntervals: '5m' is not one of candles.intervals (1m, 1s) (from default)",
    "actors.indicatorIntervals: '15m' is not one of candles.intervals (1m, 1s) (from default)",
    "actors.indicatorIntervals: '1h' is not one of candles.intervals (1m, 1s) (from default)",
    "actors.indicatorIntervals: '1d' is not one of candles.intervals (1m, 1s) (from default)",
  ]);
});

t.test('unknown keys with did-you-mean, from every source', async (t) => {
  const read = files({
    '/x.json': JSON.stringify({ streams: { partitons: 3 }, bogus: { a: 1 }, nats: 'x' }),
  });
  t.same(
    problems(
      ['--config', '/x.json', '--streams.partitons', '3', '--partitions', '5', '--zzz'],
      { TICKFLOW_QUESTDB_ILP_UR: 'x', TICKFLOW_WHATEVER: '1' },
      read,
    ),
    [
      '--streams.partitons is not a known option (from flag); did you mean --streams.partitions?',
      '--partitions is not a known option (from flag); did you mean --streams.partitions?',
      '--zzz is not a known option (from flag); see tickflow engine --help',
      'TICKFLOW_QUESTDB_ILP_UR is not a known option (from env); did you mean TICKFLOW_QUESTDB_ILP_URL?',
      'TICKFLOW_WHATEVER is not a known option (from env); see tickflow engine --help',
      'streams.partitons is not a known option (from file /x.json); did you mean streams.partitions?',
      'bogus is not a known option (from file /x.json); see tickflow engine --help',
      "nats must be an object of options, got 'x' (from file /x.json)",
    ],
  );
});

t.test('file problems: unreadable, not JSON, wrong types; all reported with the rest', async (t) => {
  t.same(problems(['-c', '/missing.json', '-p', '0']), [
    'config file /missing.json cannot be read (ENOENT)',
    "streams.partitions must be an integer from 1 to 1024, got '0' (from flag -p (--streams.partitions))",
  ]);
  const bad = files({
    '/b.json': '{nope',
    '/a.json': '[1]',
    '/t.json': '{"streams":{"partitions":"8"},"outputs":{"publish":"yes"}}',
  });
  t.match(problems(['-c', '/b.json'], {}, bad)[0], /^config file \/b\.json is not valid JSON \(/);
  t.same(problems(['-c', '/a.json'], {}, bad), [
    'config file /a.json must hold a JSON object of sections, got [1]',
  ]);
  t.same(problems(['-c', '/t.json'], {}, bad), [
    "streams.partitions must be an integer from 1 to 1024, got '8' (from file /t.json)",
    "outputs.publish must be true or false, got 'yes' (from file /t.json)",
  ]);
});

t.test('a bad value is reported even when a higher source overrides it', async (t) => {
  t.same(problems(['-p', '16'], { TICKFLOW_STREAMS_PARTITIONS: '0' }), [
    "streams.partitions must be an integer from 1 to 1024, got '0' (from env TICKFLOW_STREAMS_PARTITIONS)",
  ]);
});

t.test('runConfigCli prints problems and exits 2, prints help and exits 0', async (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const codes: number[] = [];
  const io = {
    stdout: (s: string) => out.push(s),
    stderr: (s: string) => err.push(s),
    exit: (c: number) => codes.push(c),
  };
  t.equal(runConfigCli(['-p', '0', '-l', 'x'], {}, io, { host }), undefined);
  t.same(codes, [2]);
  t.equal(
    err.join(''),
    'tickflow engine: 2 configuration problems [TF_ERR_BAD_CONFIG]\n' +
      "  - streams.partitions must be an integer from 1 to 1024, got '0' (from flag -p (--streams.partitions))\n" +
      "  - log.level must be one of fatal, error, warn, info, debug, trace, silent, got 'x' (from flag -l (--log.level))\n" +
      'Run tickflow engine --help for every option.\n',
  );
  t.equal(runConfigCli(['--help'], {}, io, { host }), undefined);
  t.same(codes, [2, 0]);
  t.match(out.join(''), /^tickflow engine: /);
  const c = runConfigCli(['-p', '3'], {}, io, { host });
  t.equal(c?.streams.partitions, 3);
});
