/**
 * The three replay formats line by line: good rows, headers, time units, bad rows.
 */
import t from 'tap';
import {
  BinanceTradesCsvParser,
  detectFormat,
  NdjsonRecordParser,
  TardisTradesCsvParser,
} from '../../../feeds/replay/index.js';

const NOW = Date.UTC(2026, 0, 10);

t.test('binance: ms and µs times, maker flag to aggressor side, header skipped', async (t) => {
  const p = new BinanceTradesCsvParser({ venue: 'binance', symbol: 'BTCUSDT', now: NOW });
  t.equal(p.parse('id,price,qty,quote_qty,time,is_buyer_maker,is_best_match', 1), null);
  t.same(p.parse('4226453571,42283.58000000,0.00050000,21.14179000,1704067200123,True,True', 2), {
    v: 1,
    type: 'trade',
    venue: 'binance',
    symbol: 'BTCUSDT',
    price: 42283.58,
    size: 0.0005,
    side: 'sell', // buyer was the maker
    id: '4226453571',
    ts: 1704067200123, // 2024-01-01T00:00:00.123Z, milliseconds
    recvTs: 1704067200123,
    seq: 4226453571,
  });
  const us = p.parse('4226453572,42283.59,0.1,4228.359,1735689600123456,false,true', 3);
  t.equal(
    typeof us === 'object' && us !== null && us.ts,
    1735689600123.456,
    'microseconds (2025 files) become ms',
  );
  t.equal(typeof us === 'object' && us !== null && us.type === 'trade' && us.side, 'buy');
  t.equal(p.parse('', 4), null, 'a blank line is skipped');
  t.equal(
    p.parse('4226453573,42283.59,0.1,4228.359,1704067200123,false,true\r', 5) !== null,
    true,
    'CRLF line endings parse',
  );
});

t.test('binance: the header is only a header on line 1; bad rows name the column', async (t) => {
  const p = new BinanceTradesCsvParser({ venue: 'binance', symbol: 'BTCUSDT', now: NOW });
  t.equal(p.parse('1,abc,1,1,1704067200123,true,true', 2), "price 'abc' is not a number");
  t.equal(p.parse('1,1,,1,1704067200123,true,true', 2), "qty '' is not a number");
  t.equal(p.parse('1,1,1,1,1704067200123,maybe,true', 2), "is_buyer_maker 'maybe' is not true or false");
  t.equal(p.parse('x1,1,1,1,1704067200123,true,true', 2), "id 'x1' is not a non-negative integer");
  t.equal(
    p.parse('1,1,1,1,1704067200123,true', 2),
    'expected 7 fields (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match), found 6',
  );
  t.equal(
    p.parse('id,price,qty,quote_qty,time,is_buyer_maker,is_best_match', 7),
    "id 'id' is not a non-negative integer",
  );
  t.equal(p.parse('1,-5,1,1,1704067200123,true,true', 2), 'A price is not a finite number greater than 0.');
  t.match(p.parse('1,5,1,1,1799999999999,true,true', 2), /timestamp/, 'a time far in the future is refused');
});

t.test('tardis: µs timestamps to ms, local_timestamp to recvTs, venue from the line', async (t) => {
  const p = new TardisTradesCsvParser({ now: NOW });
  t.equal(p.parse('exchange,symbol,timestamp,local_timestamp,id,side,price,amount', 1), null);
  t.same(p.parse('binance,BTCUSDT,1704067200123456,1704067200125001,4226453571,sell,42283.58,0.0005', 2), {
    v: 1,
    type: 'trade',
    venue: 'binance',
    symbol: 'BTCUSDT',
    price: 42283.58,
    size: 0.0005,
    side: 'sell',
    id: '4226453571',
    ts: 1704067200123.456,
    recvTs: 1704067200125.001,
  });
  const noId = p.parse('bitmex,XBTUSD,1704067200000000,1704067200001000,,unknown,42000.5,100', 9);
  t.equal(typeof noId === 'object' && noId !== null && noId.type === 'trade' && noId.id, 'L9');
  t.equal(
    p.parse('binance,BTCUSDT,1704067200123456,1704067200125001,1,up,1,1', 3),
    "side 'up' is not buy, sell or unknown",
  );
  t.equal(p.parse('binance,BTCUSDT,soon,1704067200125001,1,buy,1,1', 3), "timestamp 'soon' is not a number");
  t.equal(
    p.parse('Binance,BTCUSDT,1704067200123456,1704067200125001,1,buy,1,1', 3),
    'The venue is not 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit.',
  );
});

t.test(
  'ndjson: trades and quotes rebuilt without extra fields; bad JSON and bad records reported',
  async (t) => {
    const p = new NdjsonRecordParser({ now: NOW });
    const trade = {
      v: 1,
      type: 'trade',
      venue: 'sim',
      symbol: 'AAA/USD',
      price: 10.5,
      size: 2,
      side: 'buy',
      id: '7',
      ts: 1767225600000,
      recvTs: 1767225600001,
      seq: 7,
    };
    t.same(p.parse(JSON.stringify({ ...trade, extra: 'dropped' })), trade);
    const quote = {
      v: 1,
      type: 'quote',
      venue: 'sim',
      symbol: 'AAA/USD',
      bidPrice: 10.4,
      bidSize: 3,
      askPrice: 10.6,
      askSize: 4,
      ts: 1767225600000,
      recvTs: 1767225600000,
    };
    t.same(p.parse(JSON.stringify(quote)), quote);
    t.equal(p.parse('   '), null);
    t.match(p.parse('{"type":'), /^not JSON: /);
    t.equal(p.parse('[1,2]'), 'not a JSON object');
    t.equal(p.parse('{"type":"candle"}'), 'type "candle" is not trade or quote');
    t.equal(
      p.parse(JSON.stringify({ ...trade, price: 0 })),
      'A price is not a finite number greater than 0.',
    );
  },
);

t.test('format detection from the first line', async (t) => {
  t.equal(detectFormat('id,price,qty,quote_qty,time,is_buyer_maker,is_best_match'), 'binance');
  t.equal(detectFormat('4226453571,42283.58,0.0005,21.14,1704067200123,True,True'), 'binance');
  t.equal(detectFormat('exchange,symbol,timestamp,local_timestamp,id,side,price,amount'), 'tardis');
  t.equal(detectFormat('binance,BTCUSDT,1704067200123456,1704067200125001,1,sell,1,1'), 'tardis');
  t.equal(detectFormat(' {"v":1,"type":"trade"}'), 'ndjson');
  t.equal(detectFormat('time;price;size'), undefined);
});
