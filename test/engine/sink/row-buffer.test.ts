import t from 'tap';
import { LineEncoder } from '../../../engine/sink/ilp-encoder.js';
import { toMicros } from '../../../engine/sink/index.js';
import { RowBuffer, type SeriesMap } from '../../../engine/sink/row-buffer.js';
import type { Candle, IndicatorSnapshot, Trade } from '../../../schemas/index.js';
import { questDbTableNames } from '../../../schemas/index.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 0);

function all<T extends { venue: string; symbol: string; interval: string }>(m: SeriesMap<T>): T[] {
  const out: T[] = [];
  m.forEach((r) => {
    out.push(r);
  });
  return out;
}

function candle(over: Partial<Candle>): Candle {
  return {
    v: 1,
    type: 'candle',
    venue: 'sim',
    symbol: 'BTC/USDT',
    interval: '1m',
    start: T0,
    end: T0 + 60_000,
    open: 100,
    high: 100,
    low: 100,
    close: 100,
    volume: 1,
    notional: 100,
    vwap: 100,
    trades: 1,
    buyVolume: 1,
    sellVolume: 0,
    firstTradeTs: T0,
    lastTradeTs: T0,
    closed: false,
    revision: 0,
    ...over,
  };
}

const trade: Trade = {
  v: 1,
  type: 'trade',
  venue: 'sim',
  symbol: 'BTC/USDT',
  price: 1,
  size: 1,
  side: 'buy',
  id: '1',
  ts: T0,
  recvTs: T0,
};

t.test('updates of one candle conflate to the latest; other keys stay apart', async (t) => {
  const b = new RowBuffer();
  for (let i = 1; i <= 50; i++) b.addCandle(candle({ close: 100 + i, trades: i }));
  b.addCandle(candle({ interval: '5m', end: T0 + 300_000 }));
  b.addCandle(candle({ start: T0 + 60_000, end: T0 + 120_000 }));
  b.addCandle(candle({ symbol: 'ETH/USDT' }));
  b.addCandle(candle({ venue: 'other' }));
  t.equal(b.rows, 5);
  t.equal(b.conflatedCandles, 49);
  const first = all(b.candles)[0]!;
  t.equal(first.close, 150);
  t.equal(first.trades, 50);
  t.same(b.counts(), { trades: 0, quotes: 0, candles: 5, indicators: 0, alerts: 0 });
});

t.test('indicator snapshots of one candle conflate too', async (t) => {
  const b = new RowBuffer();
  const snap = (sma: number, closed: boolean): IndicatorSnapshot => ({
    v: 1,
    type: 'indicator',
    venue: 'sim',
    symbol: 'BTC/USDT',
    interval: '1m',
    ts: T0,
    closed,
    revision: 0,
    values: { sma20: sma },
  });
  b.addIndicator(snap(1, false));
  b.addIndicator(snap(2, false));
  b.addIndicator(snap(3, true));
  t.equal(b.rows, 1);
  t.equal(b.conflatedIndicators, 2);
  t.same(all(b.indicators)[0]!.values, { sma20: 3 });
});

t.test('absorb: rows of a retry plus newer rows; a newer candle replaces the one that failed', async (t) => {
  const failed = new RowBuffer();
  failed.addTrade(trade);
  failed.addCandle(candle({ close: 101 }));
  const newer = new RowBuffer();
  newer.addTrade({ ...trade, id: '2' });
  newer.addCandle(candle({ close: 102 }));
  newer.addCandle(candle({ close: 103 }));
  failed.absorb(newer);
  t.equal(newer.rows, 0, 'the absorbed buffer is emptied');
  t.same(
    failed.trades.map((x) => x.id),
    ['1', '2'],
  );
  t.equal(failed.candles.size, 1);
  t.equal(all(failed.candles)[0]!.close, 103);
  t.equal(failed.conflatedCandles, 2, 'one inside the newer buffer, one across the two');
  failed.clear();
  t.equal(failed.rows, 0);
  t.equal(failed.conflatedCandles, 0);
});

t.test('useLines: trades encoded as added give the same body, across absorb, retry and clear', async (t) => {
  const tables = questDbTableNames('');
  const body = (b: RowBuffer): string => b.encode(new LineEncoder(tables, 'binary')).toString('latin1');
  const trades = Array.from({ length: 30 }, (_, i) => ({ ...trade, id: String(i + 1), price: 1 + i / 7 }));

  const plain = new RowBuffer();
  for (const x of trades) plain.addTrade(x);
  plain.addCandle(candle({ close: 105 }));

  // Ten held as records before the format is known, the rest encoded as they come, a third
  // buffer (the next window) absorbed the way a retry takes newer rows.
  const failed = new RowBuffer();
  for (const x of trades.slice(0, 10)) failed.addTrade(x);
  failed.addCandle(candle({ close: 101 }));
  failed.useLines(new LineEncoder(tables, 'binary'));
  for (const x of trades.slice(10, 20)) failed.addTrade(x);
  const newer = new RowBuffer();
  newer.useLines(new LineEncoder(tables, 'binary'));
  for (const x of trades.slice(20)) newer.addTrade(x);
  newer.addCandle(candle({ close: 105 }));
  failed.absorb(newer);

  t.equal(newer.rows, 0, 'the absorbed buffer is emptied');
  t.equal(failed.rows, 31);
  t.same(failed.counts(), { trades: 30, quotes: 0, candles: 1, indicators: 0, alerts: 0 });
  t.equal(body(failed), body(plain), 'byte for byte the body of the records');
  t.equal(body(failed), body(failed), 'encoding does not consume the rows (a retry resends them)');
  failed.clear();
  t.equal(failed.rows, 0);
  failed.addTrade(trades[0]!);
  t.equal(body(failed).split('\n').length, 2, 'after clear() only the new row is sent');
});

t.test('milliseconds to microseconds keeps the fractional part', async (t) => {
  t.equal(toMicros(1_767_323_045_000), 1_767_323_045_000_000);
  t.equal(toMicros(1_767_323_045_000.123), 1_767_323_045_000_123);
  t.equal(toMicros(1_767_323_045_000.0005), 1_767_323_045_000_001, 'half a microsecond rounds up');
  t.equal(toMicros(0.25), 250);
});
