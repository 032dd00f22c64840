/**
 * Live infrastructure test: the REST history API against a real QuestDB with
 * rows inserted through SQL: results, pagination by cursor (including many
 * rows on one timestamp), strict validation, injection attempts (which must
 * neither error out of the quoting nor widen a result), auth and permissions,
 * /ready and /metrics, and the QuestDB fallback of a cold candle snapshot.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { addApiKey } from '../../gateway/auth/api-keys.js';
import type { Gateway } from '../../gateway/server.js';
import { questDbDdl } from '../../schemas/index.js';
import { startQuestDb } from '../support/servers.js';
import { startTestGateway, TestClient, until } from './harness.js';

const qdb = await startQuestDb();
for (const ddl of questDbDdl({ indicatorColumns: ['sma20', 'bbUpper'] })) await qdb.exec(ddl);

const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');
const BASE = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;

const candleRows: string[] = [];
for (let i = 0; i < 5; i++) {
  const start = BASE + i * MIN;
  candleRows.push(
    `('${iso(start)}','binance','BTC/USDT','1m','${iso(start + MIN)}',${100 + i},${101 + i},${99 + i},${100.5 + i},2,${201 + 2 * i},${100.5 + i},3,1,1,'${iso(start + 1)}','${iso(start + 2)}',true,0)`,
  );
}
candleRows.push(
  `('${iso(BASE)}','nyse','O''Reilly','1m','${iso(BASE + MIN)}',10,11,9,10.5,1,10.5,10.5,1,1,0,'${iso(BASE)}','${iso(BASE)}',true,2)`,
);
await qdb.exec(
  'INSERT INTO candles(ts, venue, symbol, interval, end_ts, open, high, low, close, volume, notional, vwap, trade_count, buy_volume, sell_volume, first_trade_ts, last_trade_ts, closed, revision) VALUES ' +
    candleRows.join(','),
);
const tradeRows: string[] = [];
for (let i = 0; i < 7; i++) {
  tradeRows.push(
    `('${iso(BASE)}','binance','BTC/USDT',${42000 + i},0.5,'buy','t${i}','${iso(BASE + 5)}',${i})`,
  );
}
tradeRows.push(`('${iso(BASE + 1000)}','binance','BTC/USDT',42100,1,'sell','t7','${iso(BASE + 1005)}',7)`);
await qdb.exec(
  `INSERT INTO trades(ts, venue, symbol, price, size, side, trade_id, recv_ts, seq) VALUES ${tradeRows.join(',')}`,
);
await qdb.exec(
  `INSERT INTO alerts(ts, venue, symbol, kind, severity, value, threshold, message) VALUES ` +
    `('${iso(BASE)}','binance','BTC/USDT','price_spike','critical',12.5,5,'price jumped'),` +
    `('${iso(BASE + 1)}','binance','BTC/USDT','volume_spike','warning',4.2,3,'volume z-score 4.2')`,
);
await qdb.exec(
  `INSERT INTO indicators(ts, venue, symbol, interval, closed, revision, sma20, bb_upper) VALUES ` +
    `('${iso(BASE)}','binance','BTC/USDT','1m',true,0,100.25,NULL),('${iso(BASE + MIN)}','binance','BTC/USDT','1m',true,1,101.5,104.75)`,
);
// WAL tables apply inserts asynchronously.
const deadline = Date.now() + 30_000;
for (;;) {
  const counts = await Promise.all(
    ['candles', 'trades', 'alerts', 'indicators'].map(
      async (tb) => (await qdb.exec(`select count() from ${tb}`)).dataset[0]![0],
    ),
  );
  if (counts.join() === '6,8,2,2') break;
  if (Date.now() > deadline) throw new Error(`rows not visible: ${counts.join()}`);
  await new Promise((r) => setTimeout(r, 100));
}

const dir = mkdtempSync(join(tmpdir(), 'tickflow-gw-rest-'));
const keysFile = join(dir, 'keys.json');
const all = addApiKey(keysFile, {
  name: 'all',
  channels: ['trades', 'quotes', 'candles', 'indicators', 'alerts'],
  maxConnections: 5,
  ratePerSecond: 10_000,
  burst: 10_000,
});
const candlesOnly = addApiKey(keysFile, {
  name: 'c',
  channels: ['candles'],
  maxConnections: 5,
  ratePerSecond: 2,
  burst: 2,
});
let natsUp = true;
const gw: Gateway = await startTestGateway(
  { auth: true, keysFile, questdbUrl: qdb.httpUrl, questdbTimeoutMs: 5000 },
  {
    startSource: async () => ({
      get connected() {
        return natsUp;
      },
      close: async () => {},
    }),
  },
);
t.teardown(async () => {
  await gw.close();
  await qdb.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { data?: unknown; nextCursor?: string | null; error?: { code: string; message: string } };
}

async function get(path: string, key = all.key): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${gw.port}${path}`, {
    headers: key === '' ? {} : { authorization: `Bearer ${key}` },
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

t.test('symbols, candles, trades, alerts, latest indicators', async (t) => {
  const symbols = await get('/api/v1/symbols');
  t.same(symbols.body.data, [
    { venue: 'binance', symbol: 'BTC/USDT' },
    { venue: 'nyse', symbol: "O'Reilly" },
  ]);
  t.same((await get('/api/v1/symbols?venue=nyse')).body.data, [{ venue: 'nyse', symbol: "O'Reilly" }]);

  const candles = await get('/api/v1/candles?venue=binance&symbol=BTC%2FUSDT&interval=1m');
  const list = candles.body.data as {
    start: number;
    end: number;
    close: number;
    trades: number;
    closed: boolean;
    type: string;
  }[];
  t.equal(list.length, 5);
  t.same(
    {
      type: list[0]!.type,
      start: list[0]!.start,
      end: list[0]!.end,
      close: list[0]!.close,
      trades: list[0]!.trades,
      closed: list[0]!.closed,
    },
    { type: 'candle', start: BASE, end: BASE + MIN, close: 100.5, trades: 3, closed: true },
  );
  t.equal(candles.body.nextCursor, null);

  const quoted = await get(`/api/v1/candles?venue=nyse&symbol=${encodeURIComponent("O'Reilly")}&interval=1m`);
  t.same(
    (quoted.body.data as { symbol: string; revision: number }[]).map((c) => [c.symbol, c.revision]),
    [["O'Reilly", 2]],
    'a quote inside a symbol is a literal character',
  );

  const ranged = await get(
    `/api/v1/candles?venue=binance&symbol=BTC%2FUSDT&interval=1m&from=${BASE + MIN}&to=2025-01-15T12:03:00Z`,
  );
  t.same(
    (ranged.body.data as { start: number }[]).map((c) => c.start),
    [BASE + MIN, BASE + 2 * MIN],
    '[from, to)',
  );

  const alerts = await get('/api/v1/alerts?symbol=BTC%2FUSDT&severity=critical');
  t.same(
    (alerts.body.data as { kind: string; value: number }[]).map((a) => [a.kind, a.value]),
    [['price_spike', 12.5]],
  );

  const ind = await get('/api/v1/indicators/latest?venue=binance&symbol=BTC%2FUSDT&interval=1m');
  t.match(ind.body.data, {
    type: 'indicator',
    ts: BASE + MIN,
    revision: 1,
    values: { sma20: 101.5, bb_upper: 104.75 },
  });
  const none = await get('/api/v1/indicators/latest?venue=binance&symbol=BTC%2FUSDT&interval=5m');
  t.equal(none.status, 404);
  t.equal(none.body.error?.code, 'not_found');
});

t.test('pagination by cursor: no row lost or repeated, even on one timestamp', async (t) => {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/api/v1/trades?venue=binance&symbol=BTC%2FUSDT&limit=3${cursor === null ? '' : `&cursor=${cursor}`}`;
    const page = await get(q);
    t.equal(page.status, 200);
    const data = page.body.data as { id: string }[];
    sizes.push(data.length);
    for (const tr of data) ids.push(tr.id);
    cursor = page.body.nextCursor ?? null;
  } while (cursor !== null && sizes.length < 10);
  t.same(ids, ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'], 'ts order, trade id as tie-breaker');
  t.same(sizes, [3, 3, 2]);

  const candleStarts: number[] = [];
  cursor = null;
  do {
    const page = await get(
      `/api/v1/candles?venue=binance&symbol=BTC%2FUSDT&interval=1m&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    for (const c of page.body.data as { start: number }[]) candleStarts.push(c.start);
    cursor = page.body.nextCursor ?? null;
  } while (cursor !== null && candleStarts.length < 20);
  t.same(
    candleStarts,
    [0, 1, 2, 3, 4].map((i) => BASE + i * MIN),
  );
});

t.test('strict validation: clear 400s naming the parameter', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['/api/v1/candles?venue=binance&interval=1m', 'missing_parameter', /symbol/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&sort=desc', 'unknown_parameter', /sort/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=2m', 'bad_parameter', /interval/],
    ['/api/v1/candles?venue=Binance&symbol=A&interval=1m', 'bad_parameter', /venue/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&limit=0', 'bad_parameter', /limit/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&limit=5001', 'bad_parameter', /limit/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&limit=1e3', 'bad_parameter', /limit/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&from=yesterday', 'bad_parameter', /from/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&from=2025-01-15T12:00:00', 'bad_parameter', /from/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&to=1', 'bad_parameter', /to/],
    ['/api/v1/candles?venue=binance&symbol=A&interval=1m&cursor=abc', 'bad_parameter', /cursor/],
    ['/api/v1/candles?venue=binance&symbol=A&symbol=B&interval=1m', 'bad_parameter', /twice/],
    ['/api/v1/alerts?severity=panic', 'bad_parameter', /severity/],
    ['/api/v1/alerts?kind=price_spike%27', 'bad_parameter', /kind/],
    [`/api/v1/trades?venue=binance&symbol=${'x'.repeat(65)}`, 'bad_parameter', /symbol/],
    ['/api/v1/trades?venue=binance&symbol=a%01b', 'bad_parameter', /symbol/],
  ];
  for (const [path, code, message] of cases) {
    const a = await get(path);
    t.equal(a.status, 400, path);
    t.equal(a.body.error?.code, code, path);
    t.match(a.body.error?.message, message, path);
  }
  t.equal((await get('/api/v1/nothing')).status, 404);
});

t.test('injection attempts change nothing', async (t) => {
  const sym = (s: string) => encodeURIComponent(s);
  const widening = [
    "BTC/USDT' OR '1'='1",
    "x' OR 1=1 --",
    "BTC/USDT'; DROP TABLE candles; --",
    "a\\' OR 1=1 --",
    "' UNION SELECT * FROM trades --",
    '"; select 1; --',
  ];
  for (const s of widening) {
    const a = await get(`/api/v1/candles?venue=binance&symbol=${sym(s)}&interval=1m`);
    t.equal(a.status, 200, `${s}: a valid (odd) symbol`);
    t.same(a.body.data, [], `${s}: matches no row`);
  }
  const refused = [
    '/api/v1/candles?venue=binance%27%20OR%201%3D1--&symbol=A&interval=1m',
    "/api/v1/candles?venue=binance&symbol=A&interval=1m'%20OR%20'1'='1",
    '/api/v1/candles?venue=binance&symbol=A&interval=1m&limit=1;DROP%20TABLE%20trades',
    '/api/v1/candles?venue=binance&symbol=A&interval=1m&from=1%20OR%201=1',
    '/api/v1/candles?venue=binance&symbol=A&interval=1m&cursor=1_0%20OR%201=1',
    '/api/v1/alerts?severity=critical%27%20OR%20%271%27=%271',
  ];
  for (const path of refused) t.equal((await get(path)).status, 400, path);
  t.equal((await qdb.exec('select count() from candles')).dataset[0]![0], 6, 'candles table intact');
  t.equal((await qdb.exec('select count() from trades')).dataset[0]![0], 8, 'trades table intact');
});

t.test('auth and permissions on REST', async (t) => {
  const missing = await get('/api/v1/symbols', '');
  t.equal(missing.status, 401);
  t.equal(missing.body.error?.code, 'unauthorized');
  const byQuery = await fetch(`http://127.0.0.1:${gw.port}/api/v1/symbols?token=${all.key}`);
  t.equal(byQuery.status, 200, 'token parameter works too');
  const forbidden = await get('/api/v1/trades?venue=binance&symbol=A', candlesOnly.key);
  t.equal(forbidden.status, 403);
  t.equal(forbidden.body.error?.code, 'forbidden');
  await new Promise((r) => setTimeout(r, 1100));
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await get('/api/v1/symbols', candlesOnly.key)).status);
  t.same(codes, [200, 200, 429, 429], 'burst 2, then rate_limited');
  t.equal((await fetch(`http://127.0.0.1:${gw.port}/health`)).status, 200, '/health needs no credentials');
});

t.test('/ready follows NATS and QuestDB; /metrics has REST latency', async (t) => {
  const ready = await fetch(`http://127.0.0.1:${gw.port}/ready`);
  t.equal(ready.status, 200);
  t.same(await ready.json(), { ready: true, nats: true, questdb: true });
  natsUp = false;
  const notReady = await fetch(`http://127.0.0.1:${gw.port}/ready`);
  t.equal(notReady.status, 503);
  t.same(await notReady.json(), { ready: false, nats: false, questdb: true });
  natsUp = true;
  const text = await (await fetch(`http://127.0.0.1:${gw.port}/metrics`)).text();
  t.match(text, /tickflow_gateway_rest_latency_seconds_count\{route="\/api\/v1\/candles",status="200"\} \d+/);
  t.match(text, /tickflow_gateway_native\{impl="uws"\} 1/);
});

t.test('a cold candle snapshot comes from QuestDB', async (t) => {
  const c = await TestClient.connect(gw.port, `?token=${all.key}`);
  t.teardown(() => c.close());
  c.send({ op: 'subscribe', channels: ['candles:1m', 'candles:5m'], symbols: ['binance:BTC/USDT'] });
  await until(() => c.messages.filter((m) => m.type === 'snapshot').length === 2);
  const snaps = c.messages.filter((m) => m.type === 'snapshot');
  const oneMin = snaps.find((m) => m.type === 'snapshot' && m.channel === 'candles:1m');
  t.ok(oneMin !== undefined && oneMin.type === 'snapshot' && oneMin.seq === 0);
  t.match(
    oneMin?.type === 'snapshot' && oneMin.data,
    [{ type: 'candle', start: BASE + 4 * MIN, close: 104.5 }],
    'newest stored',
  );
  const fiveMin = snaps.find((m) => m.type === 'snapshot' && m.channel === 'candles:5m');
  t.same(fiveMin?.type === 'snapshot' && fiveMin.data, [], 'nothing stored: empty snapshot');
});
