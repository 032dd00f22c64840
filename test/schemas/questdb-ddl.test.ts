import t from 'tap';
import {
  CANDLE_COLUMNS,
  INDICATOR_COLUMNS,
  indicatorColumnName,
  QDB_DEDUP_KEYS,
  questDbDdl,
  questDbTableNames,
  TRADE_COLUMNS,
} from '../../schemas/questdb-ddl.js';

t.test('the trades table, exactly', async (t) => {
  const [trades] = questDbDdl({ indicatorColumns: [] });
  t.equal(
    trades,
    [
      'CREATE TABLE IF NOT EXISTS trades (',
      '  ts TIMESTAMP,',
      '  venue SYMBOL,',
      '  symbol SYMBOL,',
      '  price DOUBLE,',
      '  size DOUBLE,',
      '  side SYMBOL,',
      '  trade_id VARCHAR,',
      '  recv_ts TIMESTAMP,',
      '  seq LONG',
      ') TIMESTAMP(ts) PARTITION BY DAY WAL',
      'DEDUP UPSERT KEYS(ts, venue, symbol, trade_id)',
    ].join('\n'),
  );
});

t.test('five tables in order, prefixed, with TTL and dedup keys', async (t) => {
  const ddl = questDbDdl({ ttlDays: 30, indicatorColumns: ['sma20'], tablePrefix: 'test_' });
  t.equal(ddl.length, 5);
  const names = ['test_trades', 'test_quotes', 'test_candles', 'test_indicators', 'test_alerts'];
  const keys = [
    'ts, venue, symbol, trade_id',
    'ts, venue, symbol, seq',
    'ts, venue, symbol, interval',
    'ts, venue, symbol, interval',
    'ts, venue, symbol, kind',
  ];
  ddl.forEach((sql, i) => {
    t.ok(sql.startsWith(`CREATE TABLE IF NOT EXISTS ${names[i]} (\n`), `${names[i]} header`);
    t.match(sql, ') TIMESTAMP(ts) PARTITION BY DAY TTL 30 DAYS WAL\n');
    t.ok(sql.endsWith(`DEDUP UPSERT KEYS(${keys[i]})`), `${names[i]} keys`);
  });
  t.match(ddl[1]!, '  bid_price DOUBLE,');
  t.match(ddl[2]!, '  interval SYMBOL,');
  t.match(ddl[2]!, '  closed BOOLEAN,');
  t.match(ddl[4]!, '  severity SYMBOL,');
  t.match(ddl[4]!, '  message VARCHAR\n');
  t.same(questDbTableNames('test_'), {
    trades: 'test_trades',
    quotes: 'test_quotes',
    candles: 'test_candles',
    indicators: 'test_indicators',
    alerts: 'test_alerts',
  });
});

t.test('one DOUBLE column per indicator output, sanitized, after the fixed columns', async (t) => {
  const indicators = questDbDdl({
    indicatorColumns: ['sma20', 'rsi14', 'bbUpper', 'macd.signal', 'ts', '20x'],
  })[3]!;
  t.match(
    indicators,
    '  revision LONG,\n  sma20 DOUBLE,\n  rsi14 DOUBLE,\n  bb_upper DOUBLE,\n  macd_signal DOUBLE,\n  ind_ts DOUBLE,\n  ind_20x DOUBLE\n)',
  );
  t.equal(indicatorColumnName('bbUpper'), 'bb_upper');
  t.equal(indicatorColumnName('macdHist'), 'macd_hist');
  t.equal(indicatorColumnName('ATR14'), 'atr14');
  t.equal(indicatorColumnName('ema9'), 'ema9');
  t.equal(indicatorColumnName('  odd--name!! '), 'odd_name');
  t.equal(indicatorColumnName('symbol'), 'ind_symbol');
  t.equal(indicatorColumnName('Interval'), 'ind_interval');
  t.equal(indicatorColumnName('7day'), 'ind_7day');
});

t.test('duplicate indicator names are allowed; names that clash after sanitizing are not', async (t) => {
  const ddl = questDbDdl({ indicatorColumns: ['sma20', 'sma20'] })[3]!;
  t.equal(ddl.split('sma20 DOUBLE').length, 2);
  t.throws(() => questDbDdl({ indicatorColumns: ['bbUpper', 'bb_upper'] }), {
    code: 'TF_ERR_BAD_CONFIG',
    message: 'indicator names "bbUpper" and "bb_upper" both map to column bb_upper',
  });
});

t.test('bad options are refused with sentences naming the option', async (t) => {
  t.throws(() => questDbDdl({ indicatorColumns: [], ttlDays: 0 }), {
    code: 'TF_ERR_BAD_CONFIG',
    message: 'options.ttlDays must be a whole number of days >= 1, got 0',
  });
  t.throws(() => questDbDdl({ indicatorColumns: [], ttlDays: 1.5 }), { code: 'TF_ERR_BAD_CONFIG' });
  t.throws(() => questDbDdl({ indicatorColumns: [], tablePrefix: 'x-y' }), {
    code: 'TF_ERR_BAD_CONFIG',
    message: /options.tablePrefix "x-y" must be letters, digits and _/,
  });
  t.throws(() => questDbDdl({ indicatorColumns: [], tablePrefix: '1x' }), { code: 'TF_ERR_BAD_CONFIG' });
  t.throws(() => indicatorColumnName('!!!'), { code: 'TF_ERR_BAD_CONFIG' });
  t.throws(() => indicatorColumnName('x'.repeat(65)), { code: 'TF_ERR_BAD_CONFIG' });
});

t.test('column maps cover the record fields and the dedup keys are columns', async (t) => {
  t.equal(CANDLE_COLUMNS.start, 'ts');
  t.equal(TRADE_COLUMNS.id, 'trade_id');
  t.same(QDB_DEDUP_KEYS.candles, ['ts', 'venue', 'symbol', 'interval']);
  t.same(Object.keys(INDICATOR_COLUMNS), ['ts', 'venue', 'symbol', 'interval', 'closed', 'revision']);
  t.equal(Object.keys(CANDLE_COLUMNS).length, 19, 'every Candle field except v and type');
});
