/**
 * Live infrastructure test: table setup and the QuestDB writer against a real QuestDB started
 * through test/support, including a flush while QuestDB is frozen (SIGSTOP).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Sender } from '@questdb/nodejs-client';
import t from 'tap';
import { LineEncoder } from '../../../engine/sink/ilp-encoder.js';
import { ensureTables, QuestDbWriter, toMicros } from '../../../engine/sink/index.js';
import { RowBuffer } from '../../../engine/sink/row-buffer.js';
import {
  type Alert,
  type Candle,
  type IndicatorSnapshot,
  type Quote,
  questDbTableNames,
  type Trade,
} from '../../../schemas/index.js';
import { type QuestDbHandle, startQuestDb } from '../../support/servers.js';

const INDICATORS = ['sma20', 'rsi14', 'bbUpper'];

let qdb: QuestDbHandle;

t.before(async () => {
  qdb = await startQuestDb();
});
t.teardown(async () => {
  await qdb?.stop();
});

async function count(sql: string): Promise<number> {
  const r = await qdb.exec(sql);
  return Number(r.dataset[0]?.[0]);
}

/** WAL tables apply asynchronously: poll until `select count()` reaches `expected`. */
async function waitForCount(table: string, expected: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let n = -1;
  while (Date.now() < deadline) {
    n = await count(`select count() from ${table}`);
    if (n === expected) {
      // A late WAL transaction could still add rows: confirm it stays put.
      await sleep(300);
      n = await count(`select count() from ${table}`);
      if (n === expected) return n;
    }
    await sleep(100);
  }
  return n;
}

/** Rows as objects keyed by column name. */
async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const r = await qdb.exec(sql);
  const out: Record<string, unknown>[] = [];
  for (const row of r.dataset) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < r.columns.length; i++) o[r.columns[i]!.name] = row[i];
    out.push(o);
  }
  return out;
}

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5); // 2026-01-02T03:04:05Z

function trade(i: number, over: Partial<Trade> = {}): Trade {
  return {
    v: 1,
    type: 'trade',
    venue: 'sim',
    symbol: 'BTC/USDT',
    price: 100 + i,
    size: 0.5,
    side: i % 2 === 0 ? 'buy' : 'sell',
    id: String(1000 + i),
    ts: T0 + i,
    recvTs: T0 + i + 2,
    ...over,
  };
}

function candle(over: Partial<Candle> = {}): Candle {
  return {
    v: 1,
    type: 'candle',
    venue: 'sim',
    symbol: 'BTC/USDT',
    interval: '1m',
    start: T0 - 5000,
    end: T0 + 55_000,
    open: 100,
    high: 105,
    low: 99,
    close: 104,
    volume: 3,
    notional: 309,
    vwap: 103,
    trades: 3,
    buyVolume: 2,
    sellVolume: 1,
    firstTradeTs: T0 - 4000.25,
    lastTradeTs: T0 - 1000,
    closed: false,
    revision: 0,
    ...over,
  };
}

t.test('ensureTables creates the five tables, is idempotent and adds new indicator columns', async (t) => {
  const first = await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'setup_' });
  t.equal(first.statements.length, 5 + 3);
  await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'setup_' });
  await ensureTables(qdb.httpUrl, { indicatorColumns: [...INDICATORS, 'macdSignal'], tablePrefix: 'setup_' });
  const tables = await rows(
    `select table_name, dedup from tables() where table_name like 'setup_%' order by 1`,
  );
  t.same(
    tables.map((r) => r['table_name']),
    ['setup_alerts', 'setup_candles', 'setup_indicators', 'setup_quotes', 'setup_trades'],
  );
  t.ok(tables.every((r) => r['dedup'] === true));
  let cols: Record<string, unknown>[] = [];
  for (let i = 0; i < 100 && cols.length < 10; i++) {
    // ALTER on a WAL table is applied asynchronously, like rows.
    cols = await rows(`select "column", type from table_columns('setup_indicators')`);
    if (cols.length < 10) await sleep(100);
  }
  t.same(
    cols.map((r) => `${r['column']}:${r['type']}`),
    [
      'ts:TIMESTAMP',
      'venue:SYMBOL',
      'symbol:SYMBOL',
      'interval:SYMBOL',
      'closed:BOOLEAN',
      'revision:LONG',
      'sma20:DOUBLE',
      'rsi14:DOUBLE',
      'bb_upper:DOUBLE',
      'macd_signal:DOUBLE',
    ],
  );
});

t.test('ensureTables names the statement that failed', async (t) => {
  await t.rejects(ensureTables('http://127.0.0.1:1', { indicatorColumns: [], tablePrefix: 'bad_' }), {
    code: 'TF_ERR_SINK_DDL',
    message: /CREATE TABLE IF NOT EXISTS bad_trades/,
  });
  // QuestDB refuses: the indicators table exists with sma20 as a VARCHAR, then DDL asks for a clashing name.
  await t.rejects(ensureTables(qdb.httpUrl, { indicatorColumns: ['a.b', 'a_b'], tablePrefix: 'bad_' }), {
    code: 'TF_ERR_BAD_CONFIG',
  });
});

t.test('rows land in every table with exact values, and a resend stays one row each', async (t) => {
  await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'v_' });
  const flushes: boolean[] = [];
  const writer = await QuestDbWriter.open({
    ilpUrl: qdb.ilpUrl,
    tablePrefix: 'v_',
    onFlush: (r) => flushes.push(r.ok),
  });
  t.teardown(() => writer.close());
  const t1 = trade(1, { ts: T0 + 0.123, recvTs: T0 + 7.5, seq: 42 });
  const t2 = trade(2);
  const q: Quote = {
    v: 1,
    type: 'quote',
    venue: 'sim',
    symbol: 'ETH/USDT',
    bidPrice: 2000.5,
    bidSize: 1.25,
    askPrice: 2001,
    askSize: 3,
    ts: T0 + 10.001,
    recvTs: T0 + 11,
    seq: 7,
  };
  const c = candle();
  const ind: IndicatorSnapshot = {
    v: 1,
    type: 'indicator',
    venue: 'sim',
    symbol: 'BTC/USDT',
    interval: '1m',
    ts: T0 - 5000,
    closed: true,
    revision: 1,
    values: { sma20: 101.5, rsi14: null, bbUpper: 110.25 },
  };
  const alert: Alert = {
    v: 1,
    type: 'alert',
    venue: 'sim',
    symbol: 'BTC/USDT',
    kind: 'price_spike',
    severity: 'warning',
    ts: T0 + 3,
    value: 5.5,
    threshold: 3,
    message: 'Price moved 5.5% in 1s, "quoted", with a comma',
  };
  const all = () => {
    writer.addTrade(t1);
    writer.addTrade(t2);
    writer.addQuote(q);
    writer.addCandle(c);
    writer.addIndicator(ind);
    writer.addAlert(alert);
  };
  all();
  t.equal(writer.pendingRows(), 6);
  const r = await writer.flush();
  t.equal(r.ok, true);
  t.equal(r.rows, 6);
  t.same(r.byTable, { trades: 2, quotes: 1, candles: 1, indicators: 1, alerts: 1 });
  t.equal(writer.pendingRows(), 0);
  t.equal(writer.state, 'idle');

  for (const [table, n] of [
    ['v_trades', 2],
    ['v_quotes', 1],
    ['v_candles', 1],
    ['v_indicators', 1],
    ['v_alerts', 1],
  ] as const) {
    t.equal(await waitForCount(table, n), n, table);
  }
  t.same(await rows('select * from v_trades order by ts'), [
    {
      ts: '2026-01-02T03:04:05.000123Z',
      venue: 'sim',
      symbol: 'BTC/USDT',
      price: 101,
      size: 0.5,
      side: 'sell',
      trade_id: '1001',
      recv_ts: '2026-01-02T03:04:05.007500Z',
      seq: 42,
    },
    {
      ts: '2026-01-02T03:04:05.002000Z',
      venue: 'sim',
      symbol: 'BTC/USDT',
      price: 102,
      size: 0.5,
      side: 'buy',
      trade_id: '1002',
      recv_ts: '2026-01-02T03:04:05.004000Z',
      seq: null,
    },
  ]);
  t.same(await rows('select * from v_quotes'), [
    {
      ts: '2026-01-02T03:04:05.010001Z',
      venue: 'sim',
      symbol: 'ETH/USDT',
      bid_price: 2000.5,
      bid_size: 1.25,
      ask_price: 2001,
      ask_size: 3,
      recv_ts: '2026-01-02T03:04:05.011000Z',
      seq: 7,
    },
  ]);
  t.same(await rows('select * from v_candles'), [
    {
      ts: '2026-01-02T03:04:00.000000Z',
      venue: 'sim',
      symbol: 'BTC/USDT',
      interval: '1m',
      end_ts: '2026-01-02T03:05:00.000000Z',
      open: 100,
      high: 105,
      low: 99,
      close: 104,
      volume: 3,
      notional: 309,
      vwap: 103,
      trade_count: 3,
      buy_volume: 2,
      sell_volume: 1,
      first_trade_ts: '2026-01-02T03:04:00.999750Z',
      last_trade_ts: '2026-01-02T03:04:04.000000Z',
      closed: false,
      revision: 0,
    },
  ]);
  t.same(await rows('select * from v_indicators'), [
    {
      ts: '2026-01-02T03:04:00.000000Z',
      venue: 'sim',
      symbol: 'BTC/USDT',
      interval: '1m',
      closed: true,
      revision: 1,
      sma20: 101.5,
      rsi14: null,
      bb_upper: 110.25,
    },
  ]);
  t.same(await rows('select * from v_alerts'), [
    {
      ts: '2026-01-02T03:04:05.003000Z',
      venue: 'sim',
      symbol: 'BTC/USDT',
      kind: 'price_spike',
      severity: 'warning',
      value: 5.5,
      threshold: 3,
      message: 'Price moved 5.5% in 1s, "quoted", with a comma',
    },
  ]);

  // The same rows again (a JetStream redelivery): DEDUP keeps one row each.
  all();
  t.equal((await writer.flush()).ok, true);
  await sleep(500);
  for (const table of ['v_trades', 'v_quotes', 'v_candles', 'v_indicators', 'v_alerts']) {
    const expected = table === 'v_trades' ? 2 : 1;
    t.equal(await waitForCount(table, expected), expected, `${table} after resend`);
  }
  t.same(flushes, [true, true]);
  t.same(writer.metrics.rowsWritten, { trades: 4, quotes: 2, candles: 2, indicators: 2, alerts: 2 });
  t.equal(writer.metrics.flushes, 2);
  t.equal(writer.metrics.flushErrors, 0);
});

t.test('escaped symbols and strings and extreme doubles survive the round trip', async (t) => {
  await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'e_' });
  const writer = await QuestDbWriter.open({ ilpUrl: qdb.ilpUrl, tablePrefix: 'e_' });
  t.teardown(() => writer.close());
  writer.addTrade(trade(1, { symbol: 'ES Z6,A=B\\C', id: 'id "q" \\ x', price: 5e-7, size: 1e21 }));
  writer.addTrade(trade(2, { symbol: 'Ünï €', price: 123456789.12345679, size: 0 }));
  const r = await writer.flush();
  t.equal(r.ok, true);
  t.ok(r.bytes > 0);
  t.ok(r.encodeSeconds <= r.seconds);
  t.equal(await waitForCount('e_trades', 2), 2);
  t.same(await rows('select symbol, trade_id, price, size from e_trades order by ts'), [
    { symbol: 'ES Z6,A=B\\C', trade_id: 'id "q" \\ x', price: 5e-7, size: 1e21 },
    { symbol: 'Ünï €', trade_id: '1002', price: 123456789.12345679, size: 0 },
  ]);
});

t.test('conflation: 100 updates of one open candle within a flush window make one row', async (t) => {
  await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'cf_' });
  const writer = await QuestDbWriter.open({ ilpUrl: qdb.ilpUrl, tablePrefix: 'cf_' });
  t.teardown(() => writer.close());
  for (let i = 1; i <= 100; i++) {
    writer.addCandle(candle({ close: 100 + i, high: 100 + i, trades: i, lastTradeTs: T0 - 5000 + i }));
    writer.addIndicator({
      v: 1,
      type: 'indicator',
      venue: 'sim',
      symbol: 'BTC/USDT',
      interval: '1m',
      ts: T0 - 5000,
      closed: false,
      revision: 0,
      values: { sma20: i },
    });
  }
  writer.addCandle(candle({ interval: '5m', start: T0 - 245_000, end: T0 + 55_000 }));
  t.equal(writer.pendingRows(), 3);
  const r = await writer.flush();
  t.same(r.byTable, { trades: 0, quotes: 0, candles: 2, indicators: 1, alerts: 0 });
  t.equal(writer.metrics.conflatedCandles, 99);
  t.equal(writer.metrics.conflatedIndicators, 99);
  t.equal(await waitForCount('cf_candles', 2), 2);
  t.same(await rows(`select close, high, trade_count from cf_candles where interval = '1m'`), [
    { close: 200, high: 200, trade_count: 100 },
  ]);
  t.equal(await waitForCount('cf_indicators', 1), 1);
  t.same(await rows('select sma20 from cf_indicators'), [{ sma20: 100 }]);
});

t.test(
  'open rows are held back to openRowsEveryMs; a closed row replaces them; { open: true } sends them now',
  async (t) => {
    await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'o_' });
    const writer = await QuestDbWriter.open({
      ilpUrl: qdb.ilpUrl,
      tablePrefix: 'o_',
      openRowsEveryMs: 600_000,
    });
    t.teardown(() => writer.close());
    writer.addTrade(trade(0));
    t.equal((await writer.flush()).rows, 1);

    const a = (over: Partial<Candle>) => candle({ symbol: 'A', ...over });
    writer.addCandle(a({ close: 101 }));
    writer.addCandle(a({ close: 102 }));
    writer.addIndicator({
      v: 1,
      type: 'indicator',
      venue: 'sim',
      symbol: 'A',
      interval: '1m',
      ts: T0 - 5000,
      closed: false,
      revision: 0,
      values: { sma20: 1 },
    });
    t.equal(writer.pendingRows(), 2, 'one open candle (conflated) and one open indicator row, held back');
    const held = await writer.flush();
    t.equal(held.rows, 0, 'not due: nothing sent');

    // The candle closes: its closed row goes now and the held-back open one is dropped.
    writer.addCandle(a({ close: 103, closed: true }));
    const closed = await writer.flush();
    t.same(closed.byTable, { trades: 0, quotes: 0, candles: 1, indicators: 0, alerts: 0 });
    t.equal(writer.pendingRows(), 1, 'the open indicator row is still held back');

    // Another candle opens; a hand-over sends every held-back row at once.
    writer.addCandle(a({ start: T0 + 55_000, end: T0 + 115_000, close: 104 }));
    const all = await writer.flush({ open: true });
    t.same(all.byTable, { trades: 0, quotes: 0, candles: 1, indicators: 1, alerts: 0 });
    t.equal(writer.pendingRows(), 0);
    t.equal(await waitForCount('o_candles', 2), 2);
    t.same(await rows('select close, closed from o_candles order by ts'), [
      { close: 103, closed: true },
      { close: 104, closed: false },
    ]);
  },
);

t.test(
  'auto doubles: a frozen server fails the attempt and keeps its rows; then binary, exact to the bit',
  async (t) => {
    await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'b_' });
    const writer = await QuestDbWriter.open({
      ilpUrl: qdb.ilpUrl,
      tablePrefix: 'b_',
      requestTimeoutMs: 300,
      retryMinMs: 50,
      retryMaxMs: 50,
    });
    t.teardown(() => writer.close());
    const prices = [0.1 + 0.2, 1e-300, 123456.789012345, 5e-324, 2 ** 53 + 2];
    for (let i = 0; i < prices.length; i++) writer.addTrade({ ...trade(i), price: prices[i]! });
    qdb.pause();
    let resumed = false;
    t.teardown(() => {
      if (!resumed) qdb.resume();
    });
    const failed = await writer.flush();
    t.equal(failed.ok, false, 'no answer from /settings: the attempt fails');
    t.equal(writer.doubleFormat, undefined, 'and the format is still undecided');
    t.equal(writer.pendingRows(), prices.length);
    qdb.resume();
    resumed = true;
    const landed = await writer.flush();
    t.equal(landed.ok, true);
    t.equal(writer.doubleFormat, 'binary', 'QuestDB 9.3 lists line protocol version 2');
    t.equal(await waitForCount('b_trades', prices.length), prices.length);
    const back = await rows('select price from b_trades order by trade_id');
    t.same(
      back.map((r) => r.price),
      prices,
      'every double read back is the one sent',
    );
  },
);

t.test(
  'a flush while QuestDB is frozen fails without losing rows; the retry lands them exactly',
  async (t) => {
    await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'p_' });
    const results: string[] = [];
    const writer = await QuestDbWriter.open({
      ilpUrl: qdb.ilpUrl,
      tablePrefix: 'p_',
      requestTimeoutMs: 300,
      attemptTimeoutMs: 1000,
      retryMinMs: 200,
      retryMaxMs: 400,
      maxPendingRows: 600,
      random: () => 0.5,
      // Fixed, so the first attempt is the write itself, not the /settings question (next test).
      doubles: 'binary',
      onFlush: (r) => results.push(`${r.ok}:${r.rows}:${r.attempt}`),
    });
    t.teardown(() => writer.close());
    for (let i = 0; i < 500; i++) writer.addTrade(trade(i));
    qdb.pause();
    let resumed = false;
    t.teardown(() => {
      if (!resumed) qdb.resume();
    });
    const started = Date.now();
    const failed = await writer.flush();
    t.equal(failed.ok, false);
    t.equal(failed.error?.code, 'TF_ERR_SINK_FLUSH');
    t.match(failed.error?.message, /flush of 500 rows to QuestDB failed \(attempt 1\)/);
    t.ok(Date.now() - started >= 900, 'the attempt waited for its deadline');
    t.equal(failed.retryInMs, 150, 'first retry: half the 200 ms window plus half of it times 0.5');
    t.equal(writer.state, 'retrying');
    t.equal(writer.retrying, true);
    t.equal(writer.pendingRows(), 500);
    t.equal(writer.isFull(), false);
    // Input keeps arriving while QuestDB is down; the writer reports it is full.
    for (let i = 500; i < 700; i++) writer.addTrade(trade(i));
    t.equal(writer.pendingRows(), 700);
    t.equal(writer.isFull(), true);
    const second = await writer.flush();
    t.equal(second.ok, false);
    t.equal(second.rows, 700, 'the retry carries the failed rows and the new ones');
    t.equal(second.retryInMs, 300, 'second retry: window 400 ms');
    qdb.resume();
    resumed = true;
    const landed = await writer.flush();
    t.equal(landed.ok, true);
    t.equal(landed.rows, 700);
    t.equal(landed.attempt, 3);
    t.equal(writer.state, 'idle');
    t.equal(writer.retrying, false);
    t.equal(writer.pendingRows(), 0);
    t.equal(await waitForCount('p_trades', 700), 700);
    t.same(
      await rows('select min(trade_id) lo, max(trade_id) hi, count_distinct(trade_id) n from p_trades'),
      [{ lo: '1000', hi: '1699', n: 700 }],
    );
    t.same(results, ['false:500:1', 'false:700:2', 'true:700:3']);
    t.equal(writer.metrics.flushErrors, 2);
    t.equal(writer.metrics.rowsWritten.trades, 700);
  },
);

t.test('flushes are serialized: calls during a flight share the next attempt', async (t) => {
  await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 's_' });
  const writer = await QuestDbWriter.open({ ilpUrl: qdb.ilpUrl, tablePrefix: 's_' });
  for (let i = 0; i < 100; i++) writer.addTrade(trade(i));
  const a = writer.flush();
  t.equal(writer.flush(), a, 'calls before the attempt starts share it');
  t.equal(writer.state, 'idle', 'the attempt starts on a later microtask');
  for (let i = 0; i < 10 && writer.state !== 'flushing'; i++) await Promise.resolve();
  t.equal(writer.state, 'flushing');
  for (let i = 100; i < 150; i++) writer.addTrade(trade(i));
  t.equal(writer.pendingRows(), 150);
  const b = writer.flush();
  const c = writer.flush();
  t.equal(b, c, 'calls during the flight share the next attempt');
  t.not(a, b);
  const [ra, rb] = await Promise.all([a, b]);
  t.equal(ra.rows, 100, 'the first attempt took what was added before it started');
  t.equal(rb.rows, 50, 'the next one took the rest');
  writer.addTrade(trade(200));
  await writer.close();
  t.equal(writer.state, 'closed');
  t.equal(await waitForCount('s_trades', 151), 151, 'close() flushed the last row');
  t.throws(() => writer.addTrade(trade(201)), { code: 'TF_ERR_SINK_CLOSED' });
  await t.rejects(writer.flush(), { code: 'TF_ERR_SINK_CLOSED' });
});

t.test(
  'flushEveryMs batches attempts; flushRows rows or an urgent flush end the gap; stamps say what landed',
  async (t) => {
    await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'g_' });
    const writer = await QuestDbWriter.open({
      ilpUrl: qdb.ilpUrl,
      tablePrefix: 'g_',
      flushEveryMs: 400,
      flushRows: 50,
    });
    t.teardown(() => writer.close());
    t.equal(writer.stamp, 1);
    t.equal(writer.landedStamp, 0);
    writer.addTrade(trade(0));
    // The gap runs from the start of the last attempt, so it is timed from before this one.
    const firstStarted = Date.now();
    const first = await writer.flush();
    t.equal(first.rows, 1, 'the first attempt does not wait');
    t.equal(writer.landedStamp, 1, 'stamp 1 landed');

    // Within the gap: rows added while the attempt waits go with it, one transaction.
    writer.addTrade(trade(1));
    const stamp = writer.stamp;
    const second = writer.flush();
    await sleep(100);
    writer.addTrade(trade(2));
    t.equal(writer.flush(), second, 'a call during the gap shares the waiting attempt');
    const r2 = await second;
    t.equal(r2.rows, 2, 'the row added 100 ms into the gap went with the waiting attempt');
    const waited = Date.now() - firstStarted;
    t.ok(waited >= 400, `the attempt waited out the gap (${waited} ms after the first one started)`);
    t.ok(writer.landedStamp >= stamp, 'the stamp noted with the rows has landed');

    // flushRows rows end the gap at once, and { now: true } skips it: checked against a gap of
    // 30 s, so a loaded machine cannot blur the difference.
    const slow = await QuestDbWriter.open({
      ilpUrl: qdb.ilpUrl,
      tablePrefix: 'g_',
      flushEveryMs: 30_000,
      flushRows: 50,
    });
    t.teardown(() => slow.close());
    slow.addTrade(trade(100));
    t.equal((await slow.flush()).rows, 1, 'the first attempt does not wait');
    const before = Date.now();
    slow.addTrade(trade(3));
    const third = slow.flush();
    await sleep(20);
    for (let i = 4; i < 60; i++) slow.addTrade(trade(i));
    const r3 = await third;
    t.equal(r3.rows, 57, 'the attempt took every row once 50 were waiting');
    t.ok(Date.now() - before < 20_000, `and did not wait out the gap (${Date.now() - before} ms)`);
    const urgentAt = Date.now();
    slow.addTrade(trade(60));
    const r4 = await slow.flush({ now: true });
    t.equal(r4.rows, 1);
    t.ok(Date.now() - urgentAt < 20_000, `an urgent flush does not wait (${Date.now() - urgentAt} ms)`);
    t.equal(writer.metrics.flushes + slow.metrics.flushes, 5, 'five transactions for 62 rows');
    t.equal(await waitForCount('g_trades', 62), 62);
  },
);

t.test('close() gives up after closeTimeoutMs and says how many rows did not land', async (t) => {
  const writer = await QuestDbWriter.open({
    ilpUrl: 'http::addr=127.0.0.1:1;',
    attemptTimeoutMs: 200,
    retryMinMs: 50,
    retryMaxMs: 50,
    closeTimeoutMs: 500,
  });
  writer.addTrade(trade(1));
  writer.addTrade(trade(2));
  await t.rejects(writer.close(), { code: 'TF_ERR_SINK_FLUSH', message: /closed with 2 rows not landed/ });
});

t.test('measured: flush of 10k trade rows', async (t) => {
  await ensureTables(qdb.httpUrl, { indicatorColumns: INDICATORS, tablePrefix: 'm_' });
  const writer = await QuestDbWriter.open({ ilpUrl: qdb.ilpUrl, tablePrefix: 'm_' });
  t.teardown(() => writer.close());
  const rounds = 10;
  let seconds = 0;
  let encode = 0;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 10_000; i++) writer.addTrade(trade(round * 10_000 + i));
    const r = await writer.flush();
    t.equal(r.ok, true);
    if (round > 0) {
      // The first round warms up the JIT and the connection.
      seconds += r.seconds;
      encode += r.encodeSeconds;
    }
  }
  const rate = Math.round(((rounds - 1) * 10_000) / seconds);
  t.comment(
    `flush of 10k trade rows: ${((seconds / (rounds - 1)) * 1000).toFixed(1)} ms ` +
      `(encode ${((encode / (rounds - 1)) * 1000).toFixed(1)} ms), ${rate} rows/s`,
  );
  t.equal(await waitForCount('m_trades', rounds * 10_000, 60_000), rounds * 10_000);

  // Baseline in the same run: the client's own row builder (Sender) on the same 10k records.
  const sender = await Sender.fromConfig('http::addr=127.0.0.1:1;auto_flush=off;protocol_version=2;');
  const batch = new RowBuffer();
  for (let i = 0; i < 10_000; i++) batch.addTrade(trade(i));
  const tables = questDbTableNames('m_');
  const encoder = new LineEncoder(tables, 'binary');
  let ours = 0;
  let theirs = 0;
  for (let round = 0; round < rounds; round++) {
    const a = performance.now();
    batch.encode(encoder);
    const b = performance.now();
    sender.reset();
    for (const x of batch.trades) {
      sender
        .table(tables.trades)
        .symbol('venue', x.venue)
        .symbol('symbol', x.symbol)
        .symbol('side', x.side)
        .floatColumn('price', x.price)
        .floatColumn('size', x.size)
        .stringColumn('trade_id', x.id)
        .timestampColumn('recv_ts', toMicros(x.recvTs), 'us')
        .at(toMicros(x.ts), 'us');
    }
    const c = performance.now();
    if (round > 0) {
      ours += b - a;
      theirs += c - b;
    }
  }
  t.comment(
    `encoding 10k trade rows: ours ${(ours / (rounds - 1)).toFixed(1)} ms, ` +
      `the client's Sender ${(theirs / (rounds - 1)).toFixed(1)} ms (${(theirs / ours).toFixed(1)}x)`,
  );
  sender.reset();
  await sender.close();
});
