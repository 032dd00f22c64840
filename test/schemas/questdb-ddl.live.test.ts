/**
 * Live: the DDL runs on a real QuestDB, and DEDUP UPSERT KEYS make a rewrite
 * of the same logical row replace it once the WAL is applied.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { questDbDdl } from '../../schemas/questdb-ddl.js';
import { startQuestDb } from '../support/servers.js';

type Db = Awaited<ReturnType<typeof startQuestDb>>;

/** Waits until every WAL transaction the sequencer accepted for `table` is applied. */
async function walApplied(db: Db, table: string, atLeastTxns: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await db.exec(
      `SELECT writerTxn, sequencerTxn, suspended FROM wal_tables() WHERE name = '${table}'`,
    );
    const row = r.dataset[0];
    if (row !== undefined) {
      const [writerTxn, sequencerTxn, suspended] = row as [number, number, boolean];
      if (suspended) throw new Error(`WAL of ${table} is suspended`);
      if (sequencerTxn >= atLeastTxns && writerTxn === sequencerTxn) return;
    }
    if (Date.now() > deadline) throw new Error(`WAL of ${table} not applied: ${JSON.stringify(row)}`);
    await sleep(100);
  }
}

const CANDLE_COLUMNS =
  'ts, venue, symbol, interval, end_ts, open, high, low, close, volume, notional, vwap, trade_count, ' +
  'buy_volume, sell_volume, first_trade_ts, last_trade_ts, closed, revision';

function candleInsert(
  interval: string,
  close: number,
  high: number,
  revision: number,
  closed: boolean,
): string {
  return (
    `INSERT INTO candles (${CANDLE_COLUMNS}) VALUES ('2025-01-15T11:59:00.000000Z', 'binance', 'BTC/USDT', ` +
    `'${interval}', '2025-01-15T12:00:00.000000Z', 100, ${high}, 99, ${close}, 10, 1020, 102, 5, 6, 4, ` +
    `'2025-01-15T11:59:00.100000Z', '2025-01-15T11:59:59.000500Z', ${closed}, ${revision})`
  );
}

t.test('tables are created and a rewritten candle replaces the first version', async (t) => {
  const db = await startQuestDb();
  t.teardown(() => db.stop());

  for (const sql of questDbDdl({ ttlDays: 3, indicatorColumns: ['sma20', 'bbUpper', 'rsi14'] }))
    await db.exec(sql);
  // IF NOT EXISTS: running the DDL again is harmless.
  for (const sql of questDbDdl({ ttlDays: 3, indicatorColumns: ['sma20', 'bbUpper', 'rsi14'] }))
    await db.exec(sql);

  const tables = await db.exec(
    "SELECT table_name, designatedTimestamp, partitionBy, walEnabled, dedup, ttlValue, ttlUnit FROM tables() WHERE table_name IN ('trades','quotes','candles','indicators','alerts') ORDER BY table_name",
  );
  // 3 rather than 7 days: QuestDB reports a 7-day TTL back as 1 WEEK.
  t.same(tables.dataset, [
    ['alerts', 'ts', 'DAY', true, true, 3, 'DAY'],
    ['candles', 'ts', 'DAY', true, true, 3, 'DAY'],
    ['indicators', 'ts', 'DAY', true, true, 3, 'DAY'],
    ['quotes', 'ts', 'DAY', true, true, 3, 'DAY'],
    ['trades', 'ts', 'DAY', true, true, 3, 'DAY'],
  ]);
  const keys = await db.exec(
    'SELECT "column" FROM table_columns(\'candles\') WHERE upsertKey ORDER BY "column"',
  );
  t.same(keys.dataset, [['interval'], ['symbol'], ['ts'], ['venue']]);
  const ind = await db.exec("SELECT \"column\", type FROM table_columns('indicators') WHERE type = 'DOUBLE'");
  t.same(ind.dataset, [
    ['sma20', 'DOUBLE'],
    ['bb_upper', 'DOUBLE'],
    ['rsi14', 'DOUBLE'],
  ]);

  await db.exec(candleInsert('1m', 104, 105, 0, false));
  await db.exec(candleInsert('5m', 104, 105, 0, false));
  await walApplied(db, 'candles', 2);
  await db.exec(candleInsert('1m', 106.5, 107, 1, true));
  await walApplied(db, 'candles', 3);

  const rows = await db.exec('SELECT interval, close, high, closed, revision FROM candles ORDER BY interval');
  t.same(rows.dataset, [
    ['1m', 106.5, 107, true, 1],
    ['5m', 104, 105, false, 0],
  ]);
});

t.test(
  'trade and quote keys: same id or same seq replace; distinct ones and null seq behave as documented',
  async (t) => {
    const db = await startQuestDb();
    t.teardown(() => db.stop());
    for (const sql of questDbDdl({ indicatorColumns: [] })) await db.exec(sql);

    const trade = (id: string, price: number): string =>
      'INSERT INTO trades (ts, venue, symbol, price, size, side, trade_id, recv_ts, seq) VALUES ' +
      `('2025-01-15T11:59:59.000250Z', 'binance', 'BTC/USDT', ${price}, 1, 'buy', '${id}', '2025-01-15T11:59:59.001Z', 7)`;
    await db.exec(trade('1001', 42000));
    await db.exec(trade('1002', 42001));
    await db.exec(trade('1001', 42000.5));
    await walApplied(db, 'trades', 3);
    const trades = await db.exec('SELECT trade_id, price FROM trades ORDER BY trade_id');
    t.same(trades.dataset, [
      ['1001', 42000.5],
      ['1002', 42001],
    ]);

    const quote = (seq: string, bid: number): string =>
      'INSERT INTO quotes (ts, venue, symbol, bid_price, bid_size, ask_price, ask_size, recv_ts, seq) VALUES ' +
      `('2025-01-15T11:59:59.5Z', 'coinbase', 'ETH-USD', ${bid}, 1, 3100.2, 1, '2025-01-15T11:59:59.6Z', ${seq})`;
    await db.exec(quote('1', 3100));
    await db.exec(quote('2', 3100.05));
    await db.exec(quote('1', 3100.01));
    await db.exec(quote('null', 3099));
    await db.exec(quote('null', 3099.5));
    await walApplied(db, 'quotes', 5);
    const quotes = await db.exec('SELECT seq, bid_price FROM quotes ORDER BY seq');
    t.same(quotes.dataset, [
      [null, 3099.5],
      [1, 3100.01],
      [2, 3100.05],
    ]);
  },
);
