/**
 * Pure pieces of the gateway: the SQL value gate, REST parameters, the latest
 * cache and its snapshots, the token bucket, channel and selector parsing,
 * and detection of the uWS fallback.
 */

import { execFileSync } from 'node:child_process';
import t from 'tap';
import { parseChannel } from '../../gateway/channels.js';
import { LatestCache, snapshotOf } from '../../gateway/latest-cache.js';
import { originAllowed } from '../../gateway/origin-policy.js';
import { parseClientValue } from '../../gateway/protocol.js';
import { createTokenBucket, takeToken } from '../../gateway/rate-limit.js';
import { alertsQuery, isoToMicros, toPage } from '../../gateway/rest/history-queries.js';
import { parseTime, QueryParams } from '../../gateway/rest/params.js';
import { quote, type SqlValue, SqlValues, sql } from '../../gateway/rest/sql.js';
import { parseSymbolSelector } from '../../gateway/symbol-selector.js';
import { streamTopic } from '../../gateway/topics.js';
import { detectUwsImpl } from '../../gateway/uws-loader.js';
import { encodeRecord } from '../../schemas/index.js';
import { candle, indicator, T0, trade } from './harness.js';

t.test('SQL values: validated, quoted in one place, nothing else accepted', async (t) => {
  t.equal(quote(SqlValues.symbol("O'Reilly")!), "'O''Reilly'");
  t.equal(quote(SqlValues.symbol("'; DROP TABLE x; --")!), "'''; DROP TABLE x; --'");
  t.equal(quote(SqlValues.integer(42, 0, 100)!), '42');
  t.equal(SqlValues.venue("binance' OR 1=1"), null);
  t.equal(SqlValues.symbol('a\nb'), null);
  t.equal(SqlValues.interval('1m; --'), null);
  t.equal(SqlValues.oneOf('critical ', ['critical']), null);
  t.equal(SqlValues.integer(1.5, 0, 10), null);
  t.equal(SqlValues.integer(11, 0, 10), null);
  t.throws(
    () => quote({ kind: 'string', text: "x' OR 1=1" } as unknown as SqlValue),
    TypeError,
    'a look-alike is refused',
  );
  const q = sql`SELECT * FROM t WHERE venue = ${SqlValues.venue('sim')!} AND symbol = ${SqlValues.symbol("a'b")!}`;
  t.equal(q.text, "SELECT * FROM t WHERE venue = 'sim' AND symbol = 'a''b'");
  const tables = { trades: 'trades', candles: 'candles', indicators: 'indicators', alerts: 'alerts' };
  const a = alertsQuery(
    tables,
    { venue: null, symbol: SqlValues.symbol('X')!, severity: SqlValues.oneOf('info', ['info'])!, kind: null },
    { fromUs: 1_000_000, toUs: 2_000_000, limit: 10, cursor: { tsMicros: 1_500_000, skip: 3 } },
  );
  t.equal(
    a.text,
    "SELECT * FROM alerts WHERE symbol = 'X' AND severity = 'info' AND ts >= cast(1500000 as timestamp) AND ts < cast(2000000 as timestamp) ORDER BY ts, venue, symbol, kind LIMIT 3, 13",
  );
});

t.test('REST parameters and times', async (t) => {
  t.equal(parseTime('1736942400000'), 1736942400000);
  t.equal(parseTime('2025-01-15T12:00:00Z'), T0);
  t.equal(parseTime('2025-01-15T13:00:00+01:00'), T0);
  t.equal(parseTime('2025-01-15T12:00:00.5Z'), T0 + 500);
  t.equal(parseTime('2025-01-15'), null, 'a zone is required');
  t.equal(parseTime('-1'), null);
  const p = new QueryParams('limit=5000&cursor=1736942400000000_12', ['limit', 'cursor']);
  t.equal(p.limit(), 5000);
  t.same(p.cursor(), { tsMicros: 1736942400000000, skip: 12 });
  t.equal(new QueryParams('', ['limit']).limit(), 500, 'default page size');
  t.equal(isoToMicros('2025-01-15T12:00:00.000123Z'), T0 * 1000 + 123);
  t.equal(isoToMicros('2025-01-15T12:00:00.000123456Z'), T0 * 1000 + 123, 'nanoseconds truncate');
});

t.test('page cursors skip rows already returned on the last timestamp', async (t) => {
  const row = (us: number) => ({ ts: new Date(us / 1000).toISOString().replace('Z', '000Z') });
  const req = { fromUs: T0 * 1000, toUs: T0 * 1000 + 10_000_000, limit: 3, cursor: null };
  t.equal(
    toPage([row(T0 * 1000), row(T0 * 1000 + 1000), row(T0 * 1000 + 1000)], (r) => r, req).nextCursor,
    `${T0 * 1000 + 1000}_2`,
  );
  const all = toPage([row(T0 * 1000), row(T0 * 1000), row(T0 * 1000)], (r) => r, {
    ...req,
    cursor: { tsMicros: T0 * 1000, skip: 3 },
  });
  t.equal(all.nextCursor, `${T0 * 1000}_6`, 'a page all on the cursor timestamp adds to the skip');
  t.equal(toPage([row(T0 * 1000)], (r) => r, req).nextCursor, null, 'a short page is the last');
});

t.test('latest cache: seq per stream, trade ring in order, eviction', async (t) => {
  const cache = new LatestCache({ recentTrades: 3, recentAlerts: 2, maxInstruments: 2 });
  for (let i = 1; i <= 5; i++) t.equal(cache.apply(trade('sim', 'A', i)).lastSeq, i);
  t.equal(cache.apply(candle('sim', 'A', '1m', 101)).lastSeq, 1, 'candles count separately');
  t.equal(cache.apply(candle('sim', 'A', '5m', 102)).lastSeq, 1, 'and per interval');
  t.equal(cache.apply(candle('sim', 'A', '1m', 103)).lastSeq, 2);
  const s = cache.get('sim', 'A')!;
  const trades = snapshotOf(s, 'trades', null);
  t.same([trades.seq, trades.data.map((r) => r.type === 'trade' && r.id)], [5, ['3', '4', '5']]);
  const c1 = snapshotOf(s, 'candles', '1m');
  t.same([c1.seq, c1.data.map((r) => r.type === 'candle' && r.close)], [2, [103]]);
  t.same(snapshotOf(s, 'indicators', '1m'), { seq: 0, data: [] });
  cache.apply(indicator('sim', 'B', '1m', 1));
  cache.seedCandle(candle('sim', 'A', '1m', 1));
  t.equal(
    snapshotOf(s, 'candles', '1m').data[0]!.type === 'candle' &&
      (snapshotOf(s, 'candles', '1m').data[0] as { close: number }).close,
    103,
    'a seed never replaces live data',
  );
  cache.apply(trade('sim', 'C', 1));
  t.equal(cache.get('sim', 'A'), undefined, 'the oldest instrument is evicted at the limit');
  t.same(
    [...cache.venue('sim')].map((x) => x.symbol),
    ['B', 'C'],
  );
  t.equal(cache.evictions, 1);
});

t.test('latest cache: undecoded payloads count as updates and are decoded only for a snapshot', async (t) => {
  const cache = new LatestCache({ recentTrades: 3, recentAlerts: 2, maxInstruments: 10 });
  cache.apply(candle('sim', 'A', '1m', 101));
  const s = cache.touch('sim', 'A');
  cache.storeRaw(s, 'candle', '1m', encodeRecord(candle('sim', 'A', '1m', 102)));
  cache.storeRaw(s, 'candle', '1m', encodeRecord(candle('sim', 'A', '1m', 103)));
  t.equal(s.candles['1m']!.close, 101, 'nothing decoded yet');
  const snap = snapshotOf(s, 'candles', '1m');
  t.same(
    [snap.seq, snap.data.map((r) => r.type === 'candle' && r.close)],
    [3, [103]],
    'seq counts every payload',
  );
  t.equal(s.rawCandles['1m'], undefined);
  // A payload that is not this stream's, or does not decode, leaves the last good record.
  cache.storeRaw(s, 'candle', '1m', encodeRecord(candle('sim', 'B', '1m', 104)));
  t.equal((snapshotOf(s, 'candles', '1m').data[0] as { close: number }).close, 103);
  cache.storeRaw(s, 'candle', '1m', Uint8Array.from([0xc1]));
  t.same(snapshotOf(s, 'candles', '1m'), { seq: 5, data: [s.candles['1m']!] });
  cache.storeRaw(s, 'indicator', '5m', encodeRecord(indicator('sim', 'A', '5m', 7)));
  t.equal(snapshotOf(s, 'indicators', '5m').data.length, 1);
  cache.seedCandle(candle('sim', 'A', '15m', 1));
  cache.storeRaw(s, 'candle', '1h', encodeRecord(candle('sim', 'A', '1h', 9)));
  cache.seedCandle(candle('sim', 'A', '1h', 1));
  t.equal(
    (snapshotOf(s, 'candles', '1h').data[0] as { close: number }).close,
    9,
    'a seed never replaces a raw payload',
  );
  // A decoded record supersedes an older raw one.
  cache.storeRaw(s, 'candle', '5m', encodeRecord(candle('sim', 'A', '5m', 1)));
  cache.apply(candle('sim', 'A', '5m', 2));
  t.equal((snapshotOf(s, 'candles', '5m').data[0] as { close: number }).close, 2);
});

t.test('token bucket', async (t) => {
  const b = createTokenBucket(2, 3, 0);
  t.same([takeToken(b, 0), takeToken(b, 0), takeToken(b, 0), takeToken(b, 0)], [true, true, true, false]);
  t.equal(takeToken(b, 499), false, 'refill is 2/s: not yet one token at 499 ms');
  t.equal(takeToken(b, 500), true);
  t.same(
    [takeToken(b, 10_000), takeToken(b, 10_000), takeToken(b, 10_000), takeToken(b, 10_000)],
    [true, true, true, false],
    'capped at the burst',
  );
});

t.test('channels, selectors, topics, op parsing', async (t) => {
  t.same(parseChannel('candles:1m'), { name: 'candles:1m', kind: 'candles', interval: '1m' });
  t.same(parseChannel('alerts'), { name: 'alerts', kind: 'alerts', interval: null });
  t.same(
    [parseChannel('candles'), parseChannel('trades:1m'), parseChannel('indicators:2m'), parseChannel(7)],
    [null, null, null, null],
  );
  t.same(parseSymbolSelector('binance:BTC/USDT'), {
    text: 'binance:BTC/USDT',
    venue: 'binance',
    symbol: 'BTC/USDT',
  });
  t.same(parseSymbolSelector('sim:*'), { text: 'sim:*', venue: 'sim', symbol: null });
  t.same(
    parseSymbolSelector('cme:ES:Z6'),
    { text: 'cme:ES:Z6', venue: 'cme', symbol: 'ES:Z6' },
    'first colon splits',
  );
  t.equal(streamTopic('json', 'candles:1m', 'binance', 'BTC/USDT'), 'j/candles:1m/binance/BTC~2FUSDT');
  t.equal(streamTopic('msgpack', 'trades', 'sim', null), 'm/trades/sim/*');
  t.not(
    streamTopic('json', 'trades', 'sim', '*'),
    streamTopic('json', 'trades', 'sim', null),
    'a symbol named * is not the wildcard',
  );
  t.match(parseClientValue({ op: 'subscribe', channels: Array(65).fill('trades'), symbols: ['a:b'] }), {
    ok: false,
    error: { code: 'bad_message' },
  });
});

t.test('uWS implementation detection', async (t) => {
  t.equal(detectUwsImpl({ App() {}, SSLApp() {}, getParts() {} }), 'uws');
  t.equal(
    detectUwsImpl({ App() {}, _cfg() {}, us_listen_socket_close() {}, us_socket_local_port() {} }),
    'fallback',
  );
  const probe = "import('./build/gateway/uws-loader.js').then((m) => process.stdout.write(m.loadUws().impl))";
  const run = (env: Record<string, string>) =>
    execFileSync(process.execPath, ['-e', probe], { env: { ...process.env, ...env }, encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1);
  t.equal(run({ UWS_USE_FALLBACK: '1' }), 'fallback', 'the real JS fallback is recognised');
  t.equal(run({ UWS_USE_FALLBACK: '' }), 'uws', 'the native binary loads on this machine');
});

t.test(
  'origin policy: listed origins, pages served by the gateway itself, nothing else from browsers',
  async (t) => {
    t.ok(originAllowed([], ''), 'no Origin header: not a browser, passes');
    t.ok(originAllowed([], 'http://127.0.0.1:8080', '127.0.0.1:8080'), 'a page served by this gateway');
    t.ok(originAllowed([], 'https://md.example.com', 'md.example.com'));
    t.notOk(originAllowed([], 'http://evil.example', '127.0.0.1:8080'), 'another origin is refused');
    t.notOk(originAllowed([], 'http://127.0.0.1:8080.evil.example', '127.0.0.1:8080'));
    t.ok(originAllowed(['http://app.example'], 'http://app.example', '127.0.0.1:8080'), 'a listed origin');
    t.ok(originAllowed(['*'], 'http://anything.example'));
  },
);
